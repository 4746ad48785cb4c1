/** @jest-environment ./libs/model/src/testing/onnx-jest.environment.js */
/**
 * Integration: model migration by replay on the real stack (Kafka, schema
 * registry, Elasticsearch) with the built apps as child processes: `npm run
 * model -- migrate` bootstraps version 1.0.0 (mobilenet-v2-nsfwjs, 1280-d),
 * a search API follows the registry, then a second `migrate` replays the same
 * 30 images into 1.0.0-h256 (the learned 256-d head) at a capped rate, beside
 * the first. Asserted: bad input exits 2; both versions answer while the
 * replay runs; progress lines reach "replay done"; the cutover switches the
 * search API's default; cleanup retires 1.0.0, stops its chain and removes its
 * shards. Unique topics, groups and folders. Needs `npm run build`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readModelManifest } from '@stylestream/model';
import { freePort, stack, uniqueName, waitFor } from '@stylestream/test-support';
import { pickQueryImage } from '../demo-search';

const ROOT = resolve(__dirname, '../../..');
const dist = (...parts: string[]): string => join(ROOT, 'dist', ...parts);
const MODEL_CLI = dist('deploy', 'local', 'migration', 'model-cli.js');
const OLD = readModelManifest(join(ROOT, 'models'), 'mobilenet-v2-nsfwjs').version;
const NEW = readModelManifest(join(ROOT, 'models'), 'mobilenet-v2-nsfwjs-h256').version;
const KEY = 'migration-test-key';
const IMAGES = 30;

/** A child node process whose output is collected (and echoed on failure by the assertions that quote it). */
class Child {
  out = '';
  code: number | null | undefined;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(script: string, args: string[], env: Record<string, string> = {}) {
    this.process = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: { ...process.env, ...env, KAFKA_BROKERS: stack.brokers.join(','), SCHEMA_REGISTRY_URL: stack.registryUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.process.stdout?.on('data', (b: Buffer) => (this.out += b.toString('utf8')));
    this.process.stderr?.on('data', (b: Buffer) => (this.out += b.toString('utf8')));
    this.exited = new Promise((resolveExit) => this.process.once('close', (code) => resolveExit((this.code = code))));
  }

  async stop(): Promise<void> {
    if (this.code !== undefined) return;
    this.process.kill('SIGINT');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}

interface SearchAnswer {
  hits: { id: string; score: number }[];
  modelVersion: string | null;
  partial: boolean;
}

async function similar(api: string, id: string, modelVersion?: string): Promise<{ status: number; body: SearchAnswer }> {
  const query = modelVersion === undefined ? 'k=5' : `k=5&modelVersion=${encodeURIComponent(modelVersion)}`;
  const response = await fetch(`${api}/v1/images/${id}/similar?${query}`, { headers: { 'x-api-key': KEY }, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as SearchAnswer };
}

/** Image ids an index-writer holds (its ops endpoint). */
async function idsOf(owner: string): Promise<string[]> {
  const response = await fetch(`${owner}/v1/ids`, { signal: AbortSignal.timeout(5_000) });
  return ((await response.json()) as { ids: string[] }).ids;
}

/** The index-writer URL a `migrate` printed. */
const ownerIn = (out: string): string | undefined => /index-writer (http:\/\/127\.0\.0\.1:\d+);/.exec(out)?.[1];

describe('npm run model (real stack)', () => {
  const topic = uniqueName('migration-int');
  let work: string;
  const children: Child[] = [];
  const start = (script: string, args: string[], env?: Record<string, string>): Child => {
    const child = new Child(script, args, env);
    children.push(child);
    return child;
  };

  beforeAll(() => {
    if (!existsSync(MODEL_CLI)) throw new Error(`${MODEL_CLI} is missing: run \`npm run build\` first (test/run.sh does)`);
    work = mkdtempSync(join(tmpdir(), 'migration-int-'));
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses an unknown version with a clear message and exit code 2', async () => {
    const cli = start(MODEL_CLI, ['--topic', topic, 'migrate', '--to', '9.9.9-nope']);
    expect(await cli.exited).toBe(2);
    expect(cli.out).toContain('unknown model version or id "9.9.9-nope"');
    expect(cli.out).toContain(`${NEW} (model mobilenet-v2-nsfwjs-h256)`);
  }, 60_000);

  it('migrates 1.0.0 → h256 by replay: both searchable meanwhile, progress to done, cutover, cleanup', async () => {
    const schemas = start(dist('libs', 'schemas', 'src', 'cli', 'schemas-cli.js'), ['register']);
    expect(await schemas.exited).toBe(0);
    const ingest = start(dist('apps', 'ingest', 'src', 'cli', 'ingest-cli.js'), ['--generate', String(IMAGES), '--duplicate-share', '0', '--seed', '11', '--out', join(work, 'images'), '--topic', topic]);
    expect({ code: await ingest.exited, out: ingest.code === 0 ? '' : ingest.out }).toEqual({ code: 0, out: '' });
    const indexDir = join(work, 'index');

    // Version 1.0.0 from an empty registry: replayed, made active, then served.
    const first = start(MODEL_CLI, ['--topic', topic, 'migrate', '--to', OLD, '--index-dir', indexDir, '--progress-every', '1']);
    await waitFor(() => first.out.includes(`serving ${OLD}`) || first.code !== undefined, { timeoutMs: 180_000, intervalMs: 250, what: `${OLD} serving` });
    expect(first.out).toContain(`cut over: the active version is ${OLD}`);
    process.stdout.write(`bootstrap replay (uncapped): ${/^replay done: .+$/m.exec(first.out)?.[0] ?? '?'}\n`);
    const oldOwner = ownerIn(first.out) ?? '';
    // Near-duplicates (similar generated patterns) are not indexed: the writer holds the UNIQUE images of the 30.
    const oldIds = await idsOf(oldOwner);
    expect(oldIds.length).toBeGreaterThan(2);
    expect(oldIds.length).toBeLessThanOrEqual(IMAGES);

    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    start(dist('apps', 'search-api', 'src', 'main.js'), [], {
      SEARCH_HTTP_PORT: String(apiPort),
      SEARCH_API_KEYS: KEY,
      SEARCH_SHARD_OWNERS: '',
      SEARCH_MODEL_REGISTRY_TOPIC: `${topic}.model-registry`,
      SEARCH_SHARD_DEADLINE_MS: '5000',
      SEARCH_DIM: '1280',
      MODEL_DIR: join(ROOT, 'models'),
      MODEL_ID: 'mobilenet-v2-nsfwjs',
      CATALOG_ALIAS: `${topic.toLowerCase()}-absent`,
      ELASTICSEARCH_URL: stack.elasticsearchUrl,
    });
    await waitFor(async () => (await fetch(`${api}/health`)).ok, { timeoutMs: 60_000, intervalMs: 250, what: 'search API healthy' });
    const before = await similar(api, oldIds[0] ?? '');
    expect(before.status).toBe(200);
    expect(before.body.modelVersion).toBe(OLD);

    // Version h256, throttled to 2 images/s so the replay lasts long enough to search both versions meanwhile.
    const second = start(MODEL_CLI, ['--topic', topic, 'migrate', '--to', NEW, '--rate', '2', '--index-dir', indexDir, '--progress-every', '1']);
    const newOwner = await waitFor(() => ownerIn(second.out.slice(second.out.indexOf('replay:'))), { timeoutMs: 60_000, intervalMs: 200, what: 'the new index-writer URL' });
    const during = await waitFor(
      async () => {
        if (second.out.includes('replay done')) throw new Error('the replay finished before the new version was searched');
        const ids = await idsOf(newOwner).catch(() => []);
        if (ids.length === 0) return undefined;
        const [oldAnswer, newAnswer] = await Promise.all([similar(api, oldIds[1] ?? '', OLD), similar(api, ids[0] ?? '', NEW)]);
        const stillReplaying = !second.out.includes('replay done');
        return oldAnswer.status === 200 && newAnswer.status === 200 && stillReplaying ? { oldAnswer, newAnswer, indexed: ids.length } : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 300, what: 'both versions answering during the replay' },
    );
    expect(during.oldAnswer.body.modelVersion).toBe(OLD);
    expect(during.oldAnswer.body.hits.length).toBeGreaterThan(0);
    expect(during.newAnswer.body.modelVersion).toBe(NEW);

    // Default still the old version while the new one builds.
    expect((await similar(api, oldIds[2] ?? '')).body.modelVersion).toBe(OLD);

    await waitFor(() => second.out.includes(`cut over: the active version is ${NEW}`) || second.code !== undefined, { timeoutMs: 180_000, intervalMs: 250, what: 'cutover' });
    expect(second.out).toContain(`cut over: the active version is ${NEW} (was ${OLD})`);
    const progress = [...second.out.matchAll(/^progress: (\d+)\/(\d+) done, (\d+) remaining, ([\d.]+) images\/s, ETA (.+?);/gm)];
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.some((m) => Number(m[3]) > 0)).toBe(true);
    expect(progress.at(-1)?.slice(1, 4).map(Number)).toEqual([IMAGES, IMAGES, 0]);
    const done = /^replay done: (\d+) images in .+ \(([\d.]+) images\/s overall\)$/m.exec(second.out);
    expect(Number(done?.[1])).toBe(IMAGES);
    process.stdout.write(`migration backfill: ${done?.[0] ?? '?'} (cap 2 images/s)\n`);
    const newIds = await idsOf(newOwner);
    expect(during.indexed).toBeLessThan(newIds.length); // the new version was searched while it was still filling up
    expect(newIds.length).toBeGreaterThan(2);
    const inBoth = oldIds.find((id) => newIds.includes(id)) ?? '';
    expect(inBoth).not.toBe('');

    // The search API follows the registry: the default version is the new one, for vectors and query images.
    const switched = await waitFor(async () => {
      const answer = await similar(api, inBoth);
      return answer.body.modelVersion === NEW ? answer : undefined;
    }, { timeoutMs: 20_000, intervalMs: 250, what: 'the default version switched' });
    expect(switched.body.hits.length).toBeGreaterThan(0);
    const form = new FormData();
    const queryImage = pickQueryImage(join(work, 'images')) ?? join(work, 'images', 'missing.png');
    form.append('image', new Blob([readFileSync(queryImage)], { type: 'image/png' }), 'q.png');
    const byImage = await fetch(`${api}/v1/search/image`, { method: 'POST', headers: { 'x-api-key': KEY }, body: form });
    const imageAnswer = (await byImage.json()) as SearchAnswer;
    expect({ status: byImage.status, version: imageAnswer.modelVersion }).toEqual({ status: 200, version: NEW });
    expect(imageAnswer.hits.length).toBeGreaterThan(0);

    // Cleanup of the old version: retired, its chain (the first migrate) stops, its shards and groups go.
    expect(existsSync(join(indexDir, OLD))).toBe(true);
    const cleanup = start(MODEL_CLI, ['--topic', topic, 'cleanup', '--version', OLD]);
    expect({ code: await cleanup.exited, out: cleanup.out }).toMatchObject({ code: 0 });
    expect(cleanup.out).toContain(`removed the shards: ${join(indexDir, OLD)}`);
    expect(await first.exited).toBe(0);
    expect(first.out).toContain('retired by cleanup');
    expect(existsSync(join(indexDir, OLD))).toBe(false);
    expect(existsSync(join(indexDir, NEW))).toBe(true);
    const gone = await waitFor(async () => {
      const answer = await similar(api, oldIds[0] ?? '', OLD);
      return answer.status === 404 ? answer : undefined;
    }, { timeoutMs: 20_000, intervalMs: 250, what: 'the old version no longer searchable' });
    expect(gone.status).toBe(404);
    expect((await similar(api, inBoth)).status).toBe(200);

    // The active version cannot be cleaned up.
    const refused = start(MODEL_CLI, ['--topic', topic, 'cleanup', '--version', NEW]);
    expect(await refused.exited).toBe(2);
    expect(refused.out).toContain('is the active version');
  }, 600_000);
});
