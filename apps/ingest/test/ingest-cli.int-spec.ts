/**
 * Integration: the ingest CLI with the REAL Kafka adapter (broker at
 * KAFKA_BROKERS, schema registry at SCHEMA_REGISTRY_URL). Each test publishes
 * to its own unique topic (--topic) and counts what arrived there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLogger } from '@stylestream/logging';
import { stack, uniqueName } from '@stylestream/test-support';
import { EXIT, runIngestCli } from '../src/cli/ingest-cli';
import type { BulkIngestSummary } from '../src/cli/bulk-ingest.run';
import { connectImageArrivedPublisher } from '../src/kafka/connect-image-arrived.publisher';
import { CapturedOutput } from './captured-output';
import { ImageArrivedTopicReader } from './image-arrived.topic-reader';
import { solidJpeg, solidPng, writeTree } from './image-fixtures';

const ROOT = resolve(__dirname, '../../..');
const CLOTHING_TRAIN = resolve(ROOT, '../shared/data/clothing-small/train');
const BUILT_CLI = join(ROOT, 'dist/apps/ingest/src/cli/ingest-cli.js');
const logger = createLogger('ingest-cli-int-test', process.env.TEST_LOG_LEVEL ?? 'silent');

async function runCli(topic: string, ...args: string[]) {
  const stdout = new CapturedOutput();
  const stderr = new CapturedOutput();
  const code = await runIngestCli([...args, '--topic', topic, '--json'], {
    env: { KAFKA_BROKERS: stack.brokers.join(','), SCHEMA_REGISTRY_URL: stack.registryUrl, KAFKA_TOPIC_PARTITIONS: '3' },
    stdout,
    stderr,
    createPublisher: (config) => connectImageArrivedPublisher(config, logger),
  });
  const summary = stdout.text === '' ? undefined : (JSON.parse(stdout.text) as BulkIngestSummary);
  return { code, summary, stderr: stderr.text };
}

describe('ingest CLI → Kafka (real broker and registry)', () => {
  let dir: string;
  const readers: ImageArrivedTopicReader[] = [];
  const readTopic = async (topic: string) => {
    const reader = await new ImageArrivedTopicReader(topic).start();
    readers.push(reader);
    return reader;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ingest-cli-int-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(async () => {
    await Promise.all(readers.map((r) => r.stop()));
  });

  it('--dir over generated images: all sent, count and categories match on the topic', async () => {
    writeTree(dir, {
      'train/dress/1.jpg': solidJpeg(10),
      'train/dress/2.jpg': solidJpeg(20),
      'train/shirt/3.png': solidPng(200, 0, 0),
      'train/shirt/4.jpeg': solidJpeg(30),
      'train/shirt/skip.txt': 'x',
    });
    const topic = uniqueName('ingest-cli-dir');
    const { code, summary } = await runCli(topic, '--dir', dir);
    expect(code).toBe(EXIT.ok);
    expect(summary).toMatchObject({ sent: 4, rejected: 0 });
    const records = await (await readTopic(topic)).waitForCount(4);
    expect(records).toHaveLength(4);
    expect(records.map((r) => `${r.value?.labels.category.join()}:${r.value?.uri.split('/').pop()}`).sort()).toEqual([
      'dress:1.jpg',
      'dress:2.jpg',
      'shirt:3.png',
      'shirt:4.jpeg',
    ]);
    expect(records.every((r) => r.key === r.value?.imageId && /^[0-9a-f]{64}$/.test(r.value.contentSha256 ?? ''))).toBe(true);
  }, 60_000);

  const itWithData = existsSync(CLOTHING_TRAIN) ? it : it.skip;
  if (!existsSync(CLOTHING_TRAIN)) {
    process.stderr.write(`SKIP clothing-small CLI test: ${CLOTHING_TRAIN} is absent (it ships in ../shared/data; a fresh clone has none)\n`);
  }
  itWithData('--dir over ../shared/data/clothing-small/train: every photo sent, one record each', async () => {
    const expected = readdirSync(CLOTHING_TRAIN, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && /\.(jpe?g|png|webp)$/i.test(e.name)).length;
    const topic = uniqueName('ingest-cli-clothing');
    const { code, summary } = await runCli(topic, '--dir', CLOTHING_TRAIN);
    expect(code).toBe(EXIT.ok);
    expect(summary?.sent).toBe(expected);
    const records = await (await readTopic(topic)).waitForCount(expected, 90_000);
    expect(new Set(records.map((r) => r.key)).size).toBe(expected);
    expect(new Set(records.map((r) => r.value?.labels.category[0])).size).toBeGreaterThan(1);
  }, 180_000);

  it('--jsonl with one malformed line: that line is reported, the rest are sent', async () => {
    const file = join(dir, 'crawl.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ uri: 'https://cdn.example.com/a.jpg', source: 'runway', labels: { category: 'coat' } }),
        JSON.stringify({ uri: 'https://cdn.example.com/b.jpg', bloggerId: 'b-1', publishedAt: 1767225600000 }),
        '{"uri": "https://cdn.example.com/c.jpg", "source": ',
        JSON.stringify({ uri: `file://${dir}/d.jpg`, title: 'local' }),
      ].join('\n'),
    );
    const topic = uniqueName('ingest-cli-jsonl');
    const { code, summary } = await runCli(topic, '--jsonl', file);
    expect(code).toBe(EXIT.someRejected);
    expect(summary).toMatchObject({ sent: 3, rejected: 1 });
    expect(summary?.rejections).toEqual([{ where: 'line 3', reason: expect.stringMatching(/^invalid JSON: /) as unknown }]);
    const records = await (await readTopic(topic)).waitForCount(3);
    expect(records.map((r) => r.value?.uri).sort()).toEqual([`file://${dir}/d.jpg`, 'https://cdn.example.com/a.jpg', 'https://cdn.example.com/b.jpg']);
  }, 60_000);

  it('the built CLI: a non-existent folder gives a clear message and a non-zero exit', () => {
    if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` first (test/run.sh does)`);
    const missing = join(dir, 'no-such-folder');
    const result = spawnSync(process.execPath, [BUILT_CLI, '--dir', missing], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(EXIT.failed);
    expect(result.stderr).toBe(`ingest: folder not found: ${missing}\n`);
  });
});
