import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { InvalidInputError } from '@stylestream/errors';
import { listFolderImages } from './image-folder.walker';
import { duplicateCount, SYNTHETIC_CLASSES, syntheticImageSet, type SyntheticImage } from './synthetic-image-set';
import { MANIFEST_FILE, writeSyntheticImageSet, type SyntheticImageSetManifest } from './synthetic-image-set.writer';
import { PNG_SIGNATURE } from './synthetic-images';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const uniques = (set: SyntheticImage[]) => set.filter((i): i is Extract<SyntheticImage, { kind: 'unique' }> => i.kind === 'unique');

/** Checks the PNG structure chunk by chunk (lengths, CRCs, IHDR, IDAT size) and returns its dimensions. */
function parsePng(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('ascii', at + 4, at + 8);
    const data = bytes.subarray(at + 8, at + 8 + length);
    expect(bytes.readUInt32BE(at + 8 + length)).toBe(crc32(bytes.subarray(at + 4, at + 8 + length)) >>> 0);
    chunks.push({ type, data });
    at += 12 + length;
  }
  expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  const ihdr = (chunks[0] as { data: Buffer }).data;
  const [width, height] = [ihdr.readUInt32BE(0), ihdr.readUInt32BE(4)];
  expect([...ihdr.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
  expect(inflateSync((chunks[1] as { data: Buffer }).data).length).toBe(height * (1 + width * 3));
  return { width, height };
}

describe('synthetic labelled image set', () => {
  const options = { count: 60, seed: 7, duplicateShare: 0.1 };

  it('is deterministic: the same seed gives the same files and bytes, another seed other bytes', () => {
    // Buffers compared by hash: jest's deep equality walks them byte by byte.
    const fingerprint = (seed: number) => [...syntheticImageSet({ ...options, seed })].map((i) => (i.kind === 'unique' ? `${i.path} ${sha256(i.bytes)}` : `${i.path} = ${i.duplicateOf}`));
    const a = fingerprint(7);
    expect(fingerprint(7)).toEqual(a);
    const hashes = (lines: string[]) => lines.filter((line) => !line.includes(' = ')).map((line) => line.split(' ')[1]);
    expect(hashes(a)).toHaveLength(54);
    const other = new Set(hashes(fingerprint(8)));
    expect(hashes(a).filter((hash) => other.has(hash))).toEqual([]);
  });

  it('yields valid PNGs of 64-256 px with varied sizes and patterns, every unique image different', () => {
    const images = uniques([...syntheticImageSet(options)]);
    for (const image of images) {
      const { width, height } = parsePng(image.bytes);
      expect([width, height]).toEqual([image.width, image.height]);
      expect(Math.min(width, height)).toBeGreaterThanOrEqual(64);
      expect(Math.max(width, height)).toBeLessThanOrEqual(256);
    }
    expect(new Set(images.map((i) => sha256(i.bytes))).size).toBe(images.length);
    expect(new Set(images.map((i) => i.width)).size).toBeGreaterThan(10);
    expect(new Set(images.map((i) => i.pattern)).size).toBe(6);
  });

  it('has exactly count files, round(share x count) duplicates, ten classes and <class>/<class>-<nnnn>.png paths', () => {
    const set = [...syntheticImageSet({ count: 300, seed: 1, duplicateShare: 0.1 })];
    expect(set).toHaveLength(300);
    expect(set.filter((i) => i.kind === 'duplicate')).toHaveLength(30);
    expect(new Set(set.map((i) => i.path)).size).toBe(300);
    expect(new Set(set.map((i) => i.category))).toEqual(new Set(SYNTHETIC_CLASSES));
    for (const image of set) expect(image.path).toMatch(new RegExp(`^${image.category}/${image.category}-\\d{4}\\.png$`));
    const byPath = new Map(set.map((i) => [i.path, i]));
    for (const dup of set.filter((i) => i.kind === 'duplicate')) {
      expect(byPath.get(dup.duplicateOf)).toMatchObject({ kind: 'unique', category: dup.category });
    }
  });

  it('duplicate count: rounded share, never the whole set, zero share gives none', () => {
    expect(duplicateCount(40, 0.1)).toBe(4);
    expect(duplicateCount(1, 0.5)).toBe(0);
    expect(duplicateCount(3, 0.9)).toBe(2);
    expect(duplicateCount(100, 0)).toBe(0);
    expect(() => duplicateCount(10, 1)).toThrow(RangeError);
    expect([...syntheticImageSet({ count: 0, seed: 1, duplicateShare: 0.1 })]).toEqual([]);
  });

  describe('writer', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'synthetic-set-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('writes the files and a manifest; duplicates are byte copies; the folder walker sees count images with classes', async () => {
      const root = join(dir, 'set');
      const report = await writeSyntheticImageSet(root, { count: 40, seed: 3, duplicateShare: 0.1 });
      expect(report).toMatchObject({ root, count: 40, duplicates: 4 });
      const manifest = JSON.parse(readFileSync(join(root, MANIFEST_FILE), 'utf8')) as SyntheticImageSetManifest;
      expect(manifest.images).toHaveLength(40);
      for (const image of manifest.images) {
        if ('duplicateOf' in image) expect(sha256(readFileSync(join(root, image.path)))).toBe(sha256(readFileSync(join(root, image.duplicateOf))));
      }
      const walked = await listFolderImages(root);
      expect(walked).toHaveLength(40);
      expect(new Set(walked.map((w) => w.category)).size).toBe(10);
      expect(Object.values(report.byClass).reduce((a, b) => a + b, 0)).toBe(40);
    });

    it('replaces an earlier generated set (no stale files) but refuses a folder it did not write', async () => {
      await writeSyntheticImageSet(dir, { count: 50, seed: 1, duplicateShare: 0 });
      await writeSyntheticImageSet(dir, { count: 5, seed: 1, duplicateShare: 0 });
      expect(await listFolderImages(dir)).toHaveLength(5);

      const foreign = join(dir, 'photos');
      writeFileSync(join(dir, 'keep.txt'), 'x');
      rmSync(join(dir, MANIFEST_FILE));
      await expect(writeSyntheticImageSet(dir, { count: 5, seed: 1, duplicateShare: 0 })).rejects.toThrow(InvalidInputError);
      expect(readdirSync(dir)).toContain('keep.txt');
      await expect(writeSyntheticImageSet(foreign, { count: 2, seed: 1, duplicateShare: 0 })).resolves.toMatchObject({ count: 2 });
    });
  });
});
