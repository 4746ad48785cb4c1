import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type HnswParams, ShardSet, ShardSnapshotStore, partitionScope } from '@stylestream/index';

const ROOT = join(__dirname, '..', '..');
/** The built entry of an app (dist keeps the source layout; this file runs from bench/ under jest and from dist/bench/). */
const built = (app: string): string => {
  const file = app.endsWith('.js') ? app : join('apps', app, 'src', 'main.js');
  return ROOT.endsWith('dist') ? join(ROOT, file) : join(ROOT, 'dist', file);
};

/**
 * Writes the shards of one input partition offline, in the index-writer's
 * snapshot format (`<dataDir>/<modelVersion>/<topic>-<partition>/`), so a
 * writer assigned that partition loads them instead of replaying Kafka. The
 * rows are `vectors[row*dim ..]` with ids `idOf(row)`.
 */
export async function writePartitionSnapshot(options: {
  dataDir: string;
  topic: string;
  partition: number;
  modelVersion: string;
  params: HnswParams;
  capacity: number;
  vectors: Float32Array;
  rows: readonly number[];
  idOf: (row: number) => string;
}): Promise<void> {
  const store = new ShardSnapshotStore(options.dataDir, partitionScope(options.topic, options.partition));
  const set = ShardSet.empty(options.modelVersion, options.params, options.capacity, store.shardPrefixOf(options.modelVersion));
  const { dim } = options.params;
  for (const row of options.rows) set.upsert(options.idOf(row), options.vectors.subarray(row * dim, (row + 1) * dim));
  await store.save(set);
}

/** A child process of a built app, started once it logs `startedMsg` (a JSON log line's `msg`); `url` is the last URL its log lines carried. */
export class AppProcess {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  private readonly lines: string[] = [];
  url = '';

  constructor(
    private readonly app: string,
    private readonly env: Record<string, string>,
    private readonly startedMsg: string,
    /** Node options before the entry (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
    private readonly nodeArgs: readonly string[] = [],
  ) {}

  /** Spawns and resolves with the URL once the start line is logged ('' when no line carried one); rejects with the output tail on exit or timeout. */
  async start(timeoutMs = 60_000): Promise<string> {
    const entry = built(this.app);
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
    const child = spawn(process.execPath, [...this.nodeArgs, entry], { env: { ...process.env, LOG_LEVEL: 'info', ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.app} did not start within ${timeoutMs} ms:\n${this.tail()}`)), timeoutMs);
      const keep = (chunk: Buffer): void => {
        for (const line of chunk.toString('utf8').split('\n').filter((l) => l.length > 0)) {
          this.lines.push(line);
          if (this.lines.length > 60) this.lines.shift();
          let parsed: { url?: unknown; msg?: unknown } | undefined;
          try {
            parsed = JSON.parse(line) as { url?: unknown; msg?: unknown };
          } catch {
            continue; // not a log line
          }
          // Stages without HTTP of their own log the ops URL on an earlier line; the start line may carry none.
          if (typeof parsed.url === 'string') this.url = parsed.url;
          if (typeof parsed.msg === 'string' && parsed.msg.includes(this.startedMsg)) {
            clearTimeout(timer);
            resolve(this.url);
          }
        }
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      void this.exited?.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${this.app} exited with ${code ?? 'a signal'}:\n${this.tail()}`));
      });
    });
  }

  /** SIGKILL: a dead owner. */
  async kill9(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
    this.child = undefined;
  }

  async stop(): Promise<void> {
    if (this.child === undefined || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  tail(): string {
    return this.lines.join('\n');
  }
}

/** A shard owner that accepts connections and answers after `sleepMs` (or never): a slow node. */
export async function startSlowOwner(sleepMs: number): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    count += 1;
    req.resume();
    const timer = setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/shards') res.end(JSON.stringify({ owner: 'slow', modelVersion: '1.0.0', partitions: [9], shards: [{ shardId: 'slow-s00000', modelVersion: '1.0.0', count: 1, deleted: 0, sealed: false, partitions: [9] }] }));
      else res.end(JSON.stringify({ owner: 'slow', modelVersion: '1.0.0', shards: [{ shardId: 'slow-s00000', count: 1 }], hits: [], tookMs: sleepMs }));
    }, req.url === '/v1/shards' ? 0 : sleepMs);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
