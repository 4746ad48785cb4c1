import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SharpImageDecoder } from '@stylestream/model';
import { FEATURE_CACHE_DIR } from '../../libs/model/src/cli/cached-backbone-features';

const SIDE = 16;
const DIM = SIDE * SIDE * 3;

/**
 * The raw-pixel baseline: each image decoded by the extractor's decoder, stretched to
 * 16×16 RGB (bilinear), as 768 floats in [0, 1]. Cached per image like the features.
 */
export async function pixelVectors(files: readonly string[], log: (line: string) => void): Promise<{ rows: Float32Array; dim: number }> {
  const decoder = new SharpImageDecoder(100_000_000);
  const dir = join(FEATURE_CACHE_DIR, 'pixels16');
  mkdirSync(dir, { recursive: true });
  const rows = new Float32Array(files.length * DIM);
  let decoded = 0;
  for (const [i, file] of files.entries()) {
    const s = statSync(file);
    const entry = join(dir, `${createHash('sha256').update(JSON.stringify([resolve(file), s.size, Math.round(s.mtimeMs)])).digest('hex').slice(0, 24)}.bin`);
    let rgb: Uint8Array;
    try {
      rgb = readFileSync(entry);
      if (rgb.length !== DIM) throw new RangeError('stale entry');
    } catch {
      rgb = (await decoder.prepare(readFileSync(file), { width: SIDE, height: SIDE, resize: 'stretch', interpolation: 'bilinear' })).rgb;
      writeFileSync(`${entry}.tmp`, rgb);
      renameSync(`${entry}.tmp`, entry);
      if (++decoded % 500 === 0) log(`  pixels 16×16: ${decoded} decoded`);
    }
    for (let j = 0; j < DIM; j++) rows[i * DIM + j] = rgb[j] / 255;
  }
  return { rows, dim: DIM };
}
