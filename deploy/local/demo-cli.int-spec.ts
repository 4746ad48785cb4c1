/**
 * Integration: the built demo CLI (`npm run demo` without the install/build
 * step) against the running local stack, on a unique topic (--topic) so other
 * writers of image-arrived do not change the counts. Real: stack CLI, schema
 * registry, Kafka, ingest CLI. Needs `npm run build` (test/run.sh does it).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { stack, uniqueName } from '@stylestream/test-support';

const ROOT = resolve(__dirname, '../..');
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

  it('--generate 40 --no-serve: exits 0, reports 40 arrivals by category, and the topic holds 40 records', async () => {
    const topic = uniqueName('demo-int');
    const { code, stdout, stderr } = await runDemo(['--generate', '40', '--no-serve', '--topic', topic, '--out', join(out, 'images')], 150_000);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });

    expect(stdout).toContain(`arrivals: 40 this run, 40 on the topic (${topic})`);
    const categories = [...stdout.matchAll(/^([a-z-]+) +(\d+) +(\d+)$/gm)].filter((m) => ['dress', 'hat', 'longsleeve', 'outwear', 'pants', 'shirt', 'shoes', 'shorts', 'skirt', 't-shirt'].includes(m[1] ?? ''));
    expect(categories).toHaveLength(10);
    expect(categories.reduce((sum, m) => sum + Number(m[2]), 0)).toBe(40);
    expect(stdout).toMatch(/sample event \(partition \d+, offset \d+, key img-[0-9a-f]{32}\):/);
    for (const phase of ['stack up', 'register schemas', `ingest into ${topic}`, `read ${topic} back`, 'total']) expect(stdout).toMatch(new RegExp(`^${phase}.* \\d+\\.\\d s$`, 'm'));
    expect(existsSync(join(out, 'images', 'manifest.json'))).toBe(true);

    const admin = new Kafka({ clientId: 'demo-int-test', brokers: stack.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0)).toBe(40);
    } finally {
      await admin.disconnect();
    }
  }, 180_000);
});
