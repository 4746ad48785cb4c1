/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
/**
 * Re-extraction by replay. Real: Kafka, schema registry, the default ONNX model, sharp.
 * Extractor A (model mobilenet-v2-nsfwjs 1.0.0, its own group) extracts a few images.
 * Extractor B runs the same backbone under a new manifest version (2.0.0-crop: centre-crop
 * instead of stretch, from a temp models folder) with a NEW consumer group: it re-reads
 * image-arrived from the beginning and publishes vectors of its version alongside A's.
 * An image arriving while both run is extracted by both. Every image id ends with
 * exactly one vector per version, keyed by image id, each stating its model version.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import sharp from 'sharp';
import { AvroProducer } from '@stylestream/kafka';
import { createLogger } from '@stylestream/logging';
import { DEFAULT_MODEL_ID, buildDefaultModel } from '@stylestream/model';
import { SchemaRegistryGateway, bytesToVector, imageArrivedContract, sampleImageArrived, vectorExtractedContract, type VectorExtracted } from '@stylestream/schemas';
import { createTopics, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { startExtractor, type ExtractorRuntime } from './extractor.runtime';
import { firstPhotos, modelsDir, testExtractorConfig } from './testing/extractor-it.fixture';

jest.setTimeout(240_000);

const NEW_VERSION = '2.0.0-crop';

/** A models folder holding the default model's ONNX file under a manifest of another version (centre-crop preprocessing). */
async function newVersionModelsDir(root: string): Promise<string> {
  const dir = join(root, 'models');
  await fs.mkdir(join(dir, DEFAULT_MODEL_ID), { recursive: true });
  const manifest = JSON.parse(await fs.readFile(join(modelsDir, DEFAULT_MODEL_ID, 'manifest.json'), 'utf8')) as { version: string; file: string; input: { resize: string } };
  await fs.symlink(join(modelsDir, DEFAULT_MODEL_ID, manifest.file), join(dir, DEFAULT_MODEL_ID, manifest.file));
  await fs.writeFile(join(dir, DEFAULT_MODEL_ID, 'manifest.json'), JSON.stringify({ ...manifest, version: NEW_VERSION, input: { ...manifest.input, resize: 'centre-crop' } }, null, 2));
  return dir;
}

describe('extractor re-extraction by replay (integration)', () => {
  const kafka = new Kafka({ brokers: stack.brokers, clientId: 'extractor-replay-it', logLevel: logLevel.NOTHING });
  const codec = SchemaRegistryGateway.connect({ url: stack.registryUrl });
  const producer = new AvroProducer(kafka, codec, { retries: 3 });
  const topics = { imageArrived: uniqueName('it-exr-ia'), vectorExtracted: uniqueName('it-exr-ve') };
  const reader = kafka.consumer({ groupId: uniqueName('it-exr-reader') });
  const outputs: KafkaMessage[] = [];
  const running: ExtractorRuntime[] = [];
  let dir: string;

  beforeAll(async () => {
    buildDefaultModel(modelsDir);
    dir = await fs.mkdtemp(join(tmpdir(), 'extractor-replay-it-'));
    await createTopics([topics.imageArrived, `${topics.imageArrived}.dlq`, topics.vectorExtracted], 2);
    await producer.connect();
    await reader.connect();
    await reader.subscribe({ topics: [topics.vectorExtracted], fromBeginning: true });
    await reader.run({ eachMessage: ({ message }) => Promise.resolve(void outputs.push(message)) });
  });

  afterAll(async () => {
    for (const r of running) await r.stop();
    await reader.disconnect();
    await producer.disconnect();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('a second extractor with a new model version and its own group re-reads image-arrived and publishes alongside', async () => {
    const images: [string, string][] = firstPhotos(3).map((p, i) => [`img-photo-${i}`, p]);
    for (const [i, colour] of [[0, { r: 200, g: 30, b: 30 }], [1, { r: 30, g: 30, b: 200 }]] as const) {
      const path = join(dir, `wide-${i}.jpg`);
      await fs.writeFile(
        path,
        await sharp({ create: { width: 320, height: 120, channels: 3, background: colour } })
          .composite([{ input: { create: { width: 60, height: 120, channels: 3, background: { r: 250, g: 250, b: 250 } } }, left: 0, top: 0 }])
          .jpeg()
          .toBuffer(),
      );
      images.push([`img-wide-${i}`, path]);
    }
    const contract = imageArrivedContract.onTopic(topics.imageArrived);
    const send = (list: [string, string][]) =>
      producer.sendBatch(contract, list.map(([imageId, path]) => ({ key: imageId, value: sampleImageArrived({ imageId, uri: pathToFileURL(path).href }) })));
    const decoded = async (): Promise<VectorExtracted[]> =>
      Promise.all(outputs.filter((m) => m.value !== null).map(async (m) => (await codec.decode(m.value as Buffer, vectorExtractedContract.onTopic(topics.vectorExtracted))).value));
    const versionsOf = async (): Promise<Map<string, Set<string>>> => {
      const map = new Map<string, Set<string>>();
      for (const v of await decoded()) map.set(v.imageId, (map.get(v.imageId) ?? new Set()).add(v.modelVersion));
      return map;
    };
    const allHave = async (ids: string[], versions: string[]) => {
      const map = await versionsOf();
      return ids.every((id) => versions.every((v) => map.get(id)?.has(v) === true));
    };

    await send(images);
    running.push(await startExtractor(testExtractorConfig(topics, { KAFKA_GROUP_ID: uniqueName('it-exr-v1') }), createLogger('extractor-v1')));
    const ids = images.map(([id]) => id);
    await waitFor(() => allHave(ids, ['1.0.0']), { timeoutMs: 120_000, what: 'version 1.0.0 vectors of every image' });

    // The new version: its own group (starts at the beginning of image-arrived), its own models folder.
    running.push(
      await startExtractor(
        testExtractorConfig(topics, { KAFKA_GROUP_ID: uniqueName('it-exr-v2'), MODEL_DIR: await newVersionModelsDir(dir) }),
        createLogger('extractor-v2'),
      ),
    );
    const late: [string, string] = ['img-late', images[images.length - 1][1]];
    await send([late]);
    const everyId = [...ids, late[0]];
    await waitFor(() => allHave(everyId, ['1.0.0', NEW_VERSION]), { timeoutMs: 150_000, what: `both versions of every image` });

    const records = await decoded();
    for (const id of everyId) {
      const versions = records.filter((r) => r.imageId === id);
      expect([id, [...new Set(versions.map((r) => r.modelVersion))].sort()]).toEqual([id, ['1.0.0', NEW_VERSION]]);
      expect(versions.every((r) => r.modelId === DEFAULT_MODEL_ID && r.dim === 1280)).toBe(true);
    }
    // Same key, different model versions: the records coexist in one topic; a wide image's vector differs between them (crop vs stretch).
    const wide = records.filter((r) => r.imageId === 'img-wide-0');
    const [v1, v2] = [wide.find((r) => r.modelVersion === '1.0.0'), wide.find((r) => r.modelVersion === NEW_VERSION)].map((r) => bytesToVector((r as VectorExtracted).vector));
    expect(v1.reduce((s, x, i) => s + x * v2[i], 0)).toBeLessThan(0.999);
  });
});
