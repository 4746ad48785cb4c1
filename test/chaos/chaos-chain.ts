import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { AvroProducer } from '@stylestream/kafka';
import { SchemaRegistryGateway, dlqTopicOf, imageArrivedContract } from '@stylestream/schemas';
import { DemoAppProcess, type DemoAppLaunch } from '../../deploy/local/demo-app.process';
import { chainAppLaunches, type DemoNaming } from '../../deploy/local/demo-apps';
import type { SourceEvent } from './chaos-corpus';
import type { ChaosModel } from './chaos-model';

/**
 * How long an app (re)start may take to report ready, ms: CHAOS_APP_START_DEADLINE_S, default 600 s.
 * The demo's 180-300 s were missed at load average 70-90 (an extractor loading the production model
 * wrote no log line within 180 s); a correctness run waits for a starved start rather than fail it.
 */
export const APP_START_DEADLINE_MS = Number(process.env.CHAOS_APP_START_DEADLINE_S ?? 600) * 1000;

/** The apps the chaos run starts, kills and restarts. */
export const CHAIN_APPS = ['extractor', 'dedupe', 'index-writer', 'catalog', 'analytics'] as const;
export type ChainApp = (typeof CHAIN_APPS)[number];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Pid of our child process running `entry` (found through /proc: DemoAppProcess does not expose its child). */
function childPidOf(entry: string): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes(entry)) return Number(name);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}

/**
 * The five chain apps of one scenario, launched with the demo's launch code
 * (`chainAppLaunches` + `DemoAppProcess`) on the scenario's isolated names,
 * plus the chaos run's own settings: free ports, the index-writer's HTTP
 * endpoint (GET /v1/ids), and dedupe's near rule on pHash only (the corpus's
 * random-noise uniques then can never match each other by chance, so what
 * the index must hold follows from the corpus alone).
 */
export class ChaosChain {
  private readonly apps = new Map<ChainApp, DemoAppProcess>();
  private readonly launches = new Map<ChainApp, DemoAppLaunch>();
  readonly indexUrl: string;
  readonly catalogUrl: string;
  readonly analyticsUrl: string;

  constructor(
    launches: DemoAppLaunch[],
    ports: { index: number; catalog: number; analytics: number },
    /** Vector dimension of the model (what the index holds). */
    readonly dim: number,
    private readonly say: (line: string) => void,
  ) {
    for (const launch of launches) if ((CHAIN_APPS as readonly string[]).includes(launch.name)) this.launches.set(launch.name as ChainApp, launch);
    this.indexUrl = `http://127.0.0.1:${ports.index}`;
    this.catalogUrl = `http://127.0.0.1:${ports.catalog}`;
    this.analyticsUrl = `http://127.0.0.1:${ports.analytics}`;
  }

  static async create(input: {
    repoDir: string;
    logDir: string;
    targetsDir: string;
    clientEnv: Record<string, string>;
    naming: DemoNaming;
    /** The embedding model (chaos-model.ts): the extractor loads it, dedupe and the index-writer take its version and dimension. */
    model: ChaosModel;
    extraEnv: Record<string, string>;
    say: (line: string) => void;
  }): Promise<ChaosChain> {
    const ports = { index: await freePort(), catalog: await freePort(), analytics: await freePort(), lagMonitor: await freePort(), ingest: await freePort(), search: await freePort() };
    const { model } = input;
    const launches = chainAppLaunches({
      dist: (...parts) => join(input.repoDir, 'dist', ...parts),
      logDir: input.logDir,
      targetsDir: input.targetsDir,
      clientEnv: { KAFKA_BROKERS: input.clientEnv.KAFKA_BROKERS ?? '', SCHEMA_REGISTRY_URL: input.clientEnv.SCHEMA_REGISTRY_URL ?? '', ELASTICSEARCH_URL: input.clientEnv.ELASTICSEARCH_URL ?? '' },
      naming: input.naming,
      ports,
      model,
      // The demo's search API launch is not one of CHAIN_APPS (scenario 5 starts its own, see search-probe.ts).
      apiKey: 'chaos-unused-search-key',
    }).map((launch) => ({
      ...launch,
      deadlineMs: APP_START_DEADLINE_MS,
      env: {
        ...launch.env,
        ...input.extraEnv,
        EXTRACTOR_HTTP_PORT: '0',
        DEDUPE_NEAR_RULE: 'phash',
        // The extractor emits the model's own dimension; dedupe dead-letters a version whose dimension it does not know.
        DEDUPE_MODELS: `${model.version}=${model.dim}`,
        INDEX_HTTP_PORT: String(ports.index),
      },
    }));
    return new ChaosChain(launches, { index: ports.index, catalog: ports.catalog, analytics: ports.analytics }, model.dim, input.say);
  }

  async startAll(): Promise<void> {
    await Promise.all(CHAIN_APPS.map((name) => this.start(name)));
  }

  async start(name: ChainApp): Promise<void> {
    const launch = this.launches.get(name);
    if (launch === undefined) throw new Error(`no launch for ${name}`);
    const app = new DemoAppProcess(launch);
    this.apps.set(name, app);
    await app.start();
  }

  /** SIGKILL to the app's process; resolves once it has ended. */
  async kill9(name: ChainApp): Promise<void> {
    const app = this.apps.get(name);
    if (app === undefined) return;
    const pid = childPidOf(app.launch.entry);
    if (pid === undefined) throw new Error(`${name} is not running (no child runs ${app.launch.entry})`);
    process.kill(pid, 'SIGKILL');
    this.say(`  kill -9 ${name} (pid ${pid})`);
    await app.ended;
    this.apps.delete(name);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.apps.values()].map((app) => app.stop()));
    this.apps.clear();
  }

  logFile(name: ChainApp): string {
    return this.launches.get(name)?.logFile ?? '';
  }
}

/** Publishes the source records on image-arrived (idempotent producer, acks=all), in batches. */
export async function publish(brokers: string[], registryUrl: string, topic: string, events: readonly SourceEvent[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'stylestream-chaos-source', brokers, logLevel: logLevel.NOTHING, retry: { retries: 20, maxRetryTime: 10_000 } });
  const producer = new AvroProducer(kafka, SchemaRegistryGateway.connect({ url: registryUrl }), { retries: 20 });
  const contract = imageArrivedContract.onTopic(topic);
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += 500) {
      const batch = events.slice(i, i + 500).map((e) => ({ key: e.id, value: e.value }));
      // A broker restart fails a send for a while: the idempotent producer's retry resends without duplicates.
      for (let attempt = 1; ; attempt++) {
        try {
          await producer.sendBatch(contract, batch);
          break;
        } catch (err) {
          if (attempt >= 30) throw err;
          await new Promise((resolve) => setTimeout(resolve, 2000));
        }
      }
    }
  } finally {
    await producer.disconnect();
  }
}

/** Consumer-group backlogs of the chain, read through one admin connection. */
export class LagProbe {
  private readonly admin: Admin;
  private connected = false;

  constructor(
    brokers: string[],
    private readonly pairs: readonly { group: string; topic: string }[],
  ) {
    this.admin = new Kafka({ clientId: 'stylestream-chaos-lag', brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  }

  /** group → records not yet committed on its input topic. */
  async backlogs(): Promise<Map<string, number>> {
    if (!this.connected) {
      await this.admin.connect();
      this.connected = true;
    }
    const result = new Map<string, number>();
    const ends = new Map<string, Map<number, number>>();
    for (const { topic } of this.pairs) {
      if (ends.has(topic)) continue;
      const offsets = await this.admin.fetchTopicOffsets(topic);
      ends.set(topic, new Map(offsets.map((o) => [o.partition, Number(o.high)])));
    }
    for (const { group, topic } of this.pairs) {
      const [committed] = await this.admin.fetchOffsets({ groupId: group, topics: [topic] });
      const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      let behind = 0;
      for (const [partition, high] of ends.get(topic) ?? new Map<number, number>()) behind += Math.max(0, high - Math.max(0, at.get(partition) ?? 0));
      result.set(group, behind);
    }
    return result;
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect();
    this.connected = false;
  }
}

/**
 * Every record of the dead-letter topics of the chain's inputs: count and distinct keys (image ids).
 * Waits up to `waitMs` for at least `expectAtLeast` records first: the stores can converge before
 * the extractor has reached a bad input (the bad inputs change no store), so their dead letters may
 * still be on their way. Fewer after the wait is reported as it is.
 */
export async function readDeadLetters(brokers: string[], naming: DemoNaming, expectAtLeast = 0, waitMs = 60_000): Promise<{ records: number; keys: Set<string> }> {
  const topics = [naming.topics.imageArrived, naming.topics.vectorExtracted, naming.topics.vectorCleaned, naming.topics.indexUpdated].map(dlqTopicOf);
  const kafka = new Kafka({ clientId: 'stylestream-chaos-dlq', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const pending = new Map<string, number>();
  let records: number;
  let existing: Set<string>;
  const waitUntil = Date.now() + waitMs;
  for (;;) {
    existing = new Set(await admin.listTopics());
    pending.clear();
    records = 0;
    for (const topic of topics.filter((t) => existing.has(t))) {
      for (const o of await admin.fetchTopicOffsets(topic)) {
        records += Number(o.high) - Number(o.low);
        if (Number(o.high) > Number(o.low)) pending.set(`${topic}/${o.partition}`, Number(o.high));
      }
    }
    if (records >= expectAtLeast || Date.now() > waitUntil) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await admin.disconnect();
  const keys = new Set<string>();
  if (pending.size === 0) return { records, keys };
  const consumer = kafka.consumer({ groupId: `chaos-dlq-reader-${Date.now().toString(36)}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    for (const topic of topics.filter((t) => existing.has(t))) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        if (message.key !== null) keys.add(message.key.toString('utf8'));
        const end = pending.get(`${topic}/${partition}`);
        if (end !== undefined && Number(message.offset) >= end - 1) pending.delete(`${topic}/${partition}`);
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + 60_000;
    while (pending.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    await consumer.disconnect();
  }
  return { records, keys };
}
