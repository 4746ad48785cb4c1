import { join } from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { DemoAppProcess } from '../../deploy/local/demo-app.process';
import { APP_START_DEADLINE_MS, freePort } from './chaos-chain';
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
  /**
   * 503 because no owner answered for another reason (the only index-writer
   * killed and restarting, scenario 1): the API said so at once, with the
   * reason per owner. Counted apart, not a failure: with one writer there is
   * nothing left to answer from.
   */
  ownersDown: number;
  /** 200 answers whose hits carry no catalogue facts (Elasticsearch down, scenario 4): degraded, not failed. */
  factsUnavailable: number;
  /** Other non-200 answers, transport failures and answers slower than 10 s (a hang), with the first reason. */
  failed: number;
  firstFailure?: string;
  /** Slowest answer seen by the probe, ms (a query with no answer at all counts as the 60 s it waited). */
  slowestMs: number;
  /**
   * Longest stall of the probe's own event loop while querying, ms. A stall
   * near or above 10 s says the machine starved the run's processes (they
   * run at nice 19), which a slow answer then does not tell apart from a hang.
   */
  probeLoopStallMaxMs: number;
}

/** An answer slower than this is a failure (the API did not keep its per-owner deadline). */
const HANG_MS = 10_000;
/** How long a query waits for its answer at all, so a late answer is measured rather than cut off. */
const GIVE_UP_MS = 60_000;

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
  /** stop() was called: a later startQuerying (the first vector arrived late) starts nothing. */
  private stopped = false;
  private loop: Promise<void> | undefined;
  private loopDelay: IntervalHistogram | undefined;
  readonly tally: SearchTally = { queries: 0, answered: 0, partial: 0, allLate: 0, ownersDown: 0, factsUnavailable: 0, failed: 0, slowestMs: 0, probeLoopStallMaxMs: 0 };

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
      deadlineMs: APP_START_DEADLINE_MS,
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
    if (this.stopped) return;
    this.querying = true;
    this.loopDelay = monitorEventLoopDelay({ resolution: 50 });
    this.loopDelay.enable();
    this.loop = (async () => {
      while (this.querying) {
        await this.queryOnce();
        await sleep(250);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.querying = false;
    await this.loop;
    if (this.loopDelay !== undefined) {
      this.loopDelay.disable();
      this.tally.probeLoopStallMaxMs = Math.round(this.loopDelay.max / 1e6);
      this.loopDelay = undefined;
    }
    await this.app?.stop();
    await this.proxy.close();
  }

  private async queryOnce(): Promise<void> {
    const vector = Array.from({ length: this.input.dim }, () => Math.random() - 0.5);
    this.tally.queries += 1;
    const started = Date.now();
    try {
      const response = await fetch(`${this.url}/v1/search/vector`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({ vector, k: 10 }),
        signal: AbortSignal.timeout(GIVE_UP_MS),
      });
      const body = await response.text();
      const tookMs = Date.now() - started;
      this.tally.slowestMs = Math.max(this.tally.slowestMs, tookMs);
      if (tookMs > HANG_MS) {
        // Still a failure; the late answer's status and the server's own time say where the time went.
        const serverMs = response.status === 200 ? (JSON.parse(body) as { tookMs?: number }).tookMs : undefined;
        this.fail(`answer after ${tookMs} ms (over ${HANG_MS} ms): ${response.status}${serverMs === undefined ? '' : `, server-side tookMs ${serverMs}`} at ${new Date(started).toISOString()}`);
        return;
      }
      if (response.status === 503 && body.includes('owners answered')) {
        // The API's own verdict that no owner answered: late (the direct owner missed its deadline) or down.
        if (body.includes(`${this.input.indexUrl}: no answer within`)) this.tally.allLate += 1;
        else this.tally.ownersDown += 1;
        return;
      }
      if (response.status !== 200) {
        this.fail(`${response.status} ${body.slice(0, 200)}`);
        return;
      }
      this.tally.answered += 1;
      const answer = JSON.parse(body) as { partial?: boolean; factsUnavailable?: string };
      if (answer.partial === true) this.tally.partial += 1;
      if (answer.factsUnavailable !== undefined) this.tally.factsUnavailable += 1;
    } catch (err) {
      const tookMs = Date.now() - started;
      this.tally.slowestMs = Math.max(this.tally.slowestMs, tookMs);
      this.fail(`${err instanceof Error ? err.message : String(err)} after ${tookMs} ms at ${new Date(started).toISOString()}`);
    }
  }

  private fail(reason: string): void {
    this.tally.failed += 1;
    this.tally.firstFailure ??= reason;
  }
}
