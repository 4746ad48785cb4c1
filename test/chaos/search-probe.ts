import { join } from 'node:path';
import { DemoAppProcess } from '../../deploy/local/demo-app.process';
import { freePort } from './chaos-chain';
import { DelayProxy } from './delay-proxy';
import { sleep } from './private-stack';

/** What the search API answered while it was queried. */
export interface SearchTally {
  queries: number;
  answered: number;
  partial: number;
  /**
   * 503 because every owner missed its deadline, the direct one (the
   * index-writer, not delayed) included: the machine was too loaded for the
   * deadline, which the slow owner did not cause. Counted apart, not a failure.
   */
  allLate: number;
  /** Other non-200 answers and transport failures (a hang ends at 10 s), with the first reason. */
  failed: number;
  firstFailure?: string;
}

const API_KEY = 'chaos-search-key-1';
/**
 * Per-owner deadline of the search API in the run (CHAOS_SEARCH_DEADLINE_MS,
 * default 2000 ms as in the demo; 300 and 1000 ms were too tight for the
 * index-writer under ingest on the loaded 2-core machine); the slow owner is
 * delayed three times that.
 */
export const SHARD_DEADLINE_MS = Number(process.env.CHAOS_SEARCH_DEADLINE_MS ?? 2000);

/**
 * The search API (apps/search-api) over two shard owners: the index-writer
 * directly, and the same writer behind a DelayProxy (a slow owner). Queries
 * POST /v1/search/vector with random vectors in a loop and tallies the
 * answers; a slow owner must give a partial answer, never an error or a hang.
 */
export class SearchProbe {
  readonly proxy: DelayProxy;
  private app: DemoAppProcess | undefined;
  private url = '';
  private querying = false;
  private loop: Promise<void> | undefined;
  readonly tally: SearchTally = { queries: 0, answered: 0, partial: 0, allLate: 0, failed: 0 };

  constructor(
    private readonly input: { repoDir: string; logDir: string; indexUrl: string; elasticsearchUrl: string; catalogAlias: string; dim: number },
  ) {
    const target = new URL(input.indexUrl);
    this.proxy = new DelayProxy({ host: target.hostname, port: Number(target.port) });
  }

  async start(): Promise<void> {
    const proxyPort = await this.proxy.listen();
    const port = await freePort();
    this.app = new DemoAppProcess({
      name: 'search-api',
      entry: join(this.input.repoDir, 'dist', 'apps', 'search-api', 'src', 'main.js'),
      port,
      logFile: join(this.input.logDir, 'search-api.log'),
      deadlineMs: 180_000,
      env: {
        SEARCH_HTTP_PORT: String(port),
        SEARCH_API_KEYS: API_KEY,
        SEARCH_RATE_LIMIT_PER_SEC: '1000',
        SEARCH_RATE_LIMIT_BURST: '1000',
        SEARCH_SHARD_OWNERS: `${this.input.indexUrl},http://127.0.0.1:${proxyPort}`,
        SEARCH_SHARD_DEADLINE_MS: String(SHARD_DEADLINE_MS),
        SEARCH_SHARDS_REFRESH_MS: '1000',
        SEARCH_DIM: String(this.input.dim),
        SEARCH_IMAGE_MODEL: 'false',
        ELASTICSEARCH_URL: this.input.elasticsearchUrl,
        CATALOG_ALIAS: this.input.catalogAlias,
      },
    });
    await this.app.start();
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Queries in a loop (every ~250 ms) until stop(). */
  startQuerying(): void {
    this.querying = true;
    this.loop = (async () => {
      while (this.querying) {
        await this.queryOnce();
        await sleep(250);
      }
    })();
  }

  async stop(): Promise<void> {
    this.querying = false;
    await this.loop;
    await this.app?.stop();
    await this.proxy.close();
  }

  private async queryOnce(): Promise<void> {
    const vector = Array.from({ length: this.input.dim }, () => Math.random() - 0.5);
    this.tally.queries += 1;
    try {
      const response = await fetch(`${this.url}/v1/search/vector`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({ vector, k: 10 }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = await response.text();
      if (response.status === 503 && body.includes(`${this.input.indexUrl}: no answer within`)) {
        this.tally.allLate += 1;
        return;
      }
      if (response.status !== 200) {
        this.fail(`${response.status} ${body.slice(0, 200)}`);
        return;
      }
      this.tally.answered += 1;
      if ((JSON.parse(body) as { partial?: boolean }).partial === true) this.tally.partial += 1;
    } catch (err) {
      this.fail(err instanceof Error ? err.message : String(err));
    }
  }

  private fail(reason: string): void {
    this.tally.failed += 1;
    this.tally.firstFailure ??= reason;
  }
}
