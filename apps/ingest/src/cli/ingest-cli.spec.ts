import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DependencyUnavailableError } from '@stylestream/errors';
import { CapturedOutput } from '../../test/captured-output';
import { InMemoryImageArrivedPublisher } from '../../test/in-memory-image-arrived.publisher';
import { solidJpeg, solidPng, writeTree } from '../../test/image-fixtures';
import { deriveImageId } from '../domain/image-id';
import { EXIT, runIngestCli } from './ingest-cli';
import type { BulkIngestSummary } from './bulk-ingest.run';

describe('ingest CLI (fake publisher)', () => {
  let dir: string;
  let publisher: InMemoryImageArrivedPublisher;
  let stdout: CapturedOutput;
  let stderr: CapturedOutput;
  let connects: number;

  const run = (...args: string[]) =>
    runIngestCli(args, {
      env: { INGEST_CLI_CHUNK: '2' },
      stdout,
      stderr,
      createPublisher: () => {
        connects += 1;
        return Promise.resolve(publisher);
      },
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ingest-cli-'));
    publisher = new InMemoryImageArrivedPublisher();
    stdout = new CapturedOutput();
    stderr = new CapturedOutput();
    connects = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--dir sends every image with folder category, hash and deterministic ids', async () => {
    writeTree(dir, { 'train/dress/a.jpg': solidJpeg(5), 'train/dress/b.jpg': solidJpeg(6), 'train/coat/c.png': solidPng(9, 9, 9) });
    expect(await run('--dir', dir, '--source', 'retail')).toBe(EXIT.ok);
    expect(stdout.text).toContain('ingest: 3 sent, 0 rejected');
    expect(publisher.events.map((e) => [e.labels.category[0], e.source, e.contentSha256?.length])).toEqual([
      ['coat', 'retail', 64],
      ['dress', 'retail', 64],
      ['dress', 'retail', 64],
    ]);
    expect(publisher.events[0]?.imageId).toBe(deriveImageId('retail', `file://${dir}/train/coat/c.png`));
    expect(publisher.closed).toBe(true);

    const firstIds = publisher.events.map((e) => e.imageId);
    publisher = new InMemoryImageArrivedPublisher();
    await run('--dir', dir, '--source', 'retail');
    expect(publisher.events.map((e) => e.imageId)).toEqual(firstIds);
  });

  it('--limit stops after n items', async () => {
    writeTree(dir, { 'a/1.jpg': solidJpeg(1), 'a/2.jpg': solidJpeg(2), 'a/3.jpg': solidJpeg(3) });
    expect(await run('--dir', dir, '--limit', '2', '--json')).toBe(EXIT.ok);
    expect((JSON.parse(stdout.text) as BulkIngestSummary).sent).toBe(2);
  });

  it('--generate writes a labelled set to --out and sends it like --dir', async () => {
    const out = join(dir, 'generated');
    expect(await run('--generate', '30', '--seed', '5', '--out', out, '--duplicate-share', '0.2', '--json')).toBe(EXIT.ok);
    expect((JSON.parse(stdout.text) as BulkIngestSummary).sent).toBe(30);
    expect(stderr.text).toContain(`ingest: generated 30 images (6 exact duplicates, seed 5) in ${out}`);
    expect(publisher.events).toHaveLength(30);
    expect(new Set(publisher.events.map((e) => e.labels.category[0])).size).toBe(10);
    expect(publisher.events.every((e) => e.uri.startsWith(`file://${out}/`) && e.uri.endsWith('.png'))).toBe(true);
    // 6 duplicates: 30 files but only 24 distinct contents.
    expect(new Set(publisher.events.map((e) => e.contentSha256)).size).toBe(24);
  });

  it('--generate without --out writes to the default folder; bad counts and shares are refused', async () => {
    const out = join(dir, 'default-out');
    const code = await runIngestCli(['--generate', '3'], {
      env: {},
      stdout,
      stderr,
      createPublisher: () => Promise.resolve(publisher),
      defaultGeneratedDir: () => out,
    });
    expect(code).toBe(EXIT.ok);
    expect(publisher.events.map((e) => e.uri.slice(`file://${out}/`.length)).sort()).toEqual(['dress/dress-0001.png', 'hat/hat-0001.png', 'longsleeve/longsleeve-0001.png']);
    expect(await run('--generate', 'many')).toBe(EXIT.failed);
    expect(await run('--generate', '5', '--duplicate-share', '1')).toBe(EXIT.failed);
    expect(stderr.text).toContain('must be a number from 0 to below 1');
    expect(await run('--generate', '5', '--dir', dir)).toBe(EXIT.failed);
  });

  it('--jsonl reports a malformed line by number and reason and still sends the rest', async () => {
    const file = join(dir, 'images.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ uri: 'https://cdn.example.com/1.jpg', labels: { category: 'dress' }, bloggerId: 'b1' }),
        '{"uri": "https://cdn.example.com/2.jpg",',
        JSON.stringify({ uri: 'https://cdn.example.com/3.jpg', source: 'runway' }),
        JSON.stringify({ uri: 'ftp://nope/4.jpg' }),
        JSON.stringify({ uri: 'https://cdn.example.com/5.jpg', source: 'street' }),
      ].join('\n'),
    );
    expect(await run('--jsonl', file)).toBe(EXIT.someRejected);
    expect(publisher.events.map((e) => [e.uri, e.source])).toEqual([
      ['https://cdn.example.com/1.jpg', 'ecommerce'],
      ['https://cdn.example.com/3.jpg', 'runway'],
      ['https://cdn.example.com/5.jpg', 'street'],
    ]);
    expect(stdout.text).toContain('ingest: 3 sent, 2 rejected');
    expect(stdout.text).toMatch(/line 2: invalid JSON: /);
    expect(stdout.text).toContain('line 4: uri: must be an absolute http(s) or file URL');
    expect(stdout.text).toMatch(/reasons:\n {2}1 x /);
  });

  it('a non-existent folder or file: clear message, exit 1, nothing connected', async () => {
    expect(await run('--dir', join(dir, 'missing'))).toBe(EXIT.failed);
    expect(stderr.text).toBe(`ingest: folder not found: ${join(dir, 'missing')}\n`);
    expect(await run('--jsonl', join(dir, 'missing.jsonl'))).toBe(EXIT.failed);
    expect(stderr.text).toContain(`ingest: file not found: ${join(dir, 'missing.jsonl')}`);
    expect(connects).toBe(0);
  });

  it('refuses no input, both inputs, a bad --limit and an unknown --source', async () => {
    expect(await run()).toBe(EXIT.failed);
    expect(await run('--dir', dir, '--jsonl', 'x')).toBe(EXIT.failed);
    expect(stderr.text).toContain('give exactly one of --dir <folder>, --jsonl <file> or --generate <count>');
    expect(await run('--dir', dir, '--limit', '-3')).toBe(EXIT.failed);
    expect(stderr.text).toContain('must be a whole number');
    expect(await run('--dir', dir, '--source', 'tv')).toBe(EXIT.failed);
    expect(stderr.text).toMatch(/Allowed choices are social, runway/);
  });

  it('a bad configuration variable stops with its name (exit 78)', async () => {
    const code = await runIngestCli(['--dir', dir], { env: { INGEST_CLI_CHUNK: 'lots' }, stdout, stderr, createPublisher: () => Promise.resolve(publisher) });
    expect(code).toBe(EXIT.config);
    expect(stderr.text).toContain('INGEST_CLI_CHUNK');
  });

  it('a publish failure stops the run, exit 1, and says re-running is safe', async () => {
    writeTree(dir, { 'a/1.jpg': solidJpeg(1) });
    publisher.failWith = new DependencyUnavailableError('kafka', 'broker down');
    expect(await run('--dir', dir)).toBe(EXIT.failed);
    expect(stdout.text).toContain('FAILED: publishing stopped after 0 images: kafka: broker down');
    expect(stdout.text).toContain('Re-running is safe');
    expect(publisher.closed).toBe(true);
  });
});
