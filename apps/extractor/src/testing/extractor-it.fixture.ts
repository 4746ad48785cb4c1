import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { loadConfig } from '@stylestream/config';
import { stack, uniqueName } from '@stylestream/test-support';
import { extractorConfigSchema, type ExtractorConfig } from '../extractor.config';

/** Shared pieces of the extractor's integration tests (real Kafka, registry, default model). */
export const repoRoot = resolve(__dirname, '../../../..');
export const modelsDir = join(repoRoot, 'models');
const photosDir = resolve(repoRoot, '../shared/data/clothing-small/train');

/** The first photo of each class folder of ../shared/data/clothing-small/train, up to `n` (none when the folder is absent). */
export function firstPhotos(n: number): string[] {
  if (!existsSync(photosDir)) return [];
  return readdirSync(photosDir)
    .sort()
    .flatMap((cls) => readdirSync(join(photosDir, cls)).sort().slice(0, 1).map((f) => join(photosDir, cls, f)))
    .slice(0, n);
}

/** A real PNG whose header claims `size`×`size` pixels (IHDR patched, CRC fixed): a decompression bomb's header, 100-odd bytes. */
export async function bombPng(size: number): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer());
  png.writeUInt32BE(size, 16);
  png.writeUInt32BE(size, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

/** Extractor config for a test: unique group, test retry profile, short waits, random HTTP port. */
export function testExtractorConfig(topics: { imageArrived: string; vectorExtracted: string }, overrides: Record<string, string> = {}): ExtractorConfig {
  return loadConfig(extractorConfigSchema, {
    KAFKA_BROKERS: stack.brokers.join(','),
    KAFKA_GROUP_ID: uniqueName('it-ex-g'),
    KAFKA_RETRY_PROFILE: 'test',
    KAFKA_MAX_WAIT_MS: '100',
    SCHEMA_REGISTRY_URL: stack.registryUrl,
    MODEL_DIR: modelsDir,
    MODEL_INTRA_OP_THREADS: '2',
    EXTRACTOR_MAX_BATCH_SIZE: '8',
    EXTRACTOR_HTTP_PORT: '0',
    EXTRACTOR_TOPIC_IMAGE_ARRIVED: topics.imageArrived,
    EXTRACTOR_TOPIC_VECTOR_EXTRACTED: topics.vectorExtracted,
    ...overrides,
  });
}

/**
 * The value of one series in Prometheus text exposition, found by name and a
 * subset of its labels (0 when absent). Histograms: pass `name_count` or `name_sum`.
 */
export function seriesValue(text: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
