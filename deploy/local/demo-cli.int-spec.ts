/**
 * Integration: the built demo CLI (`npm run demo` without the install/build
 * step) against the running local stack, on a unique topic (--topic) so other
 * writers of image-arrived do not change the counts. With --topic the demo
 * isolates the apps too (unique groups, ES alias and a temporary ClickHouse
 * folder), and the test gives them free ports. Real: stack CLI, schema
 * registry, Kafka, ingest CLI, extractor (ONNX model), dedupe, index-writer, catalog (Elasticsearch), analytics (chdb), lag
 * monitor, search API. Needs `npm run build` (test/run.sh does it).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, stack, uniqueName } from '@stylestream/test-support';

const ROOT = resolve(__dirname, '../..');
const CATEGORIES = ['dress', 'hat', 'longsleeve', 'outwear', 'pants', 'shirt', 'shoes', 'shorts', 'skirt', 't-shirt'];

const DEMO_CLI = join(ROOT, 'dist/deploy/local/demo-cli.js');

function runDemo(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [DEMO_CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

describe('demo CLI (real stack)', () => {
  let out: string;
  beforeAll(() => {
    if (!existsSync(DEMO_CLI)) throw new Error(`${DEMO_CLI} is missing: run \`npm run build\` first (test/run.sh does)`);
    out = mkdtempSync(join(tmpdir(), 'demo-int-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('--generate 40 --no-serve: 40 arrivals by category, 40 in the catalogue and in analytics, the apps stopped', async () => {
    const topic = uniqueName('demo-int');
    const ports = ['--catalog-port', String(await freePort()), '--analytics-port', String(await freePort()), '--lag-port', String(await freePort()), '--search-port', String(await freePort()), '--index-port', String(await freePort())];
    const { code, stdout, stderr } = await runDemo(['--generate', '40', '--no-serve', '--topic', topic, '--out', join(out, 'images'), ...ports], 600_000);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });

    expect(stdout).toContain(`arrivals: 40 this run, 40 on the topic (${topic})`);
    const categories = [...stdout.matchAll(/^([a-z-]+) +(\d+) +(\d+)$/gm)].filter((m) => CATEGORIES.includes(m[1] ?? ''));
    expect(categories).toHaveLength(10);
    expect(categories.reduce((sum, m) => sum + Number(m[2]), 0)).toBe(40);
    expect(stdout).toMatch(/sample event \(partition \d+, offset \d+, key img-[0-9a-f]{32}\):/);
    const phases = ['stack up', 'register schemas', `ingest into ${topic}`, `read ${topic} back`, 'provision the topics', 'start extractor, dedupe, index-writer, catalog, analytics, lag monitor, search API', 'wait for extraction, dedupe and indexing', 'wait for the catalogue and analytics', 'search by image', 'total'];
    for (const phase of phases) expect(stdout).toMatch(new RegExp(`^${phase}.* \\d+\\.\\d s$`, 'm'));

    // The chain: 40 vectors, each judged once; the generator makes ~10 % exact byte duplicates; every image indexed or dead-lettered.
    const chain = /^chain: (\d+) vector-extracted, (\d+) vector-cleaned \(UNIQUE (\d+), EXACT_DUPLICATE (\d+), NEAR_DUPLICATE (\d+)\), (\d+) index-updated$/m.exec(stdout);
    expect(chain).not.toBeNull();
    const [extracted, cleaned, unique, exact, near] = (chain ?? []).slice(1, 6).map(Number);
    expect(extracted).toBe(40);
    expect(cleaned).toBe(40);
    expect((unique ?? 0) + (exact ?? 0) + (near ?? 0)).toBe(40);
    expect(exact).toBeGreaterThanOrEqual(1);
    expect(Number(chain?.[6])).toBeGreaterThanOrEqual(1); // a snapshot of the index was published
    expect(stdout).toMatch(/^chain caught up, index snapshot written: /m);
    expect(stdout).toMatch(new RegExp(`^dead letters: ${topic}\\.dlq 0, ${topic}\\.vector-extracted\\.dlq 0, ${topic}\\.vector-cleaned\\.dlq 0$`, 'm'));

    // The catalogue: 40 live images, a category facet over all ten classes, and a label search page.
    expect(stdout).toMatch(/^catalogue: 40 live images /m);
    const top = /^category +([a-z-]+) \d+(?:, [a-z-]+ \d+)*(?:, \.\.\.)?$/m.exec(stdout)?.[1] ?? '';
    expect(CATEGORIES).toContain(top);
    expect(stdout).toMatch(new RegExp(`^label search: GET \\S+/v1/images\\?category=${top}&size=\\d+ -> [1-9]\\d* images`, 'm'));
    expect(stdout).toMatch(new RegExp(`^img-[0-9a-f]{32} +\\S*/${top}/\\S+ +category=${top}$`, 'm'));

    // Analytics: the current quarter holds the 40 images (the generated files are written now), shares sum to 100 %.
    const now = new Date();
    const quarter = `${now.getUTCFullYear()}Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
    expect(stdout).toContain(`analytics trends ${quarter} by category: 40 images`);
    const trend = [...stdout.matchAll(/^([a-z-]+) +(\d+) +(\d+\.\d) % +(\d+)$/gm)].filter((m) => CATEGORIES.includes(m[1] ?? ''));
    expect(trend).toHaveLength(10);
    expect(trend.reduce((sum, m) => sum + Number(m[2]), 0)).toBe(40);
    expect(Math.abs(trend.reduce((sum, m) => sum + Number(m[3]), 0) - 100)).toBeLessThan(0.6);
    // Search by image: a generated file as the query, answered by the index of this run with every shard. The first hit is the
    // query image itself, or its canonical when dedupe folded it into one (then near-identical, not necessarily the same id).
    expect(stdout).toMatch(/^search by image \(POST http:\/\/127\.0\.0\.1:\d+\/v1\/search\/image, k=5\): \S+\.png$/m);
    expect(stdout).toMatch(/^model version 1\.0\.0, (\d+)\/\1 shards answered, \d+(\.\d+)? ms$/m);
    const hits = [...stdout.matchAll(/^([1-5]) +(\d\.\d{4}) +(img-[0-9a-f]{32}) +(\S+)/gm)];
    expect(hits).toHaveLength(5);
    expect(Number(hits[0]?.[2])).toBeGreaterThan(0.95);
    expect(hits[0]?.[4]).toMatch(/^category=/);
    for (const url of ['/docs', '/v1/lag', '/dashboard', '/v1/search/image', '/v1/stats/trends', stack.prometheusUrl]) expect(stdout).toContain(url);

    // Nothing of this run is left behind: no scrape target files, no catalogue indices.
    const targets = join(ROOT, '.stack', 'conf', 'prometheus', 'targets');
    if (existsSync(targets)) expect(readdirSync(targets).filter((f) => f.includes(topic))).toEqual([]);
    const indices = await fetch(`${stack.elasticsearchUrl}/_cat/indices/${topic}*?format=json`).then((r) => r.json() as Promise<unknown[]>);
    expect(indices).toEqual([]);
    expect(existsSync(join(out, 'images', 'manifest.json'))).toBe(true);

    const admin = new Kafka({ clientId: 'demo-int-test', brokers: stack.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)).toBe(40);
    } finally {
      await admin.disconnect();
    }
  }, 660_000);
});
