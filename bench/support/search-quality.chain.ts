import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { reasonOf } from '@stylestream/errors';
import { SchemaRegistryGateway, dlqTopicOf, vectorCleanedContract, type DedupStatus } from '@stylestream/schemas';
import { createTopics, freePort, stack, uniqueName } from '@stylestream/test-support';
import { AppProcess } from './search-cluster';

/** What the bench keeps of one vector-cleaned record. */
export interface CleanedImage {
  readonly imageId: string;
  /** Absolute path of the file the image came from (its file:// URI). */
  readonly path: string;
  readonly category: string;
  readonly status: DedupStatus;
  readonly duplicateOf: string | null;
  readonly vector: Float32Array;
}

/** The unique names of one run: topics, groups, the index-writer's folder, the catalogue alias. */
export interface ChainNaming {
  readonly imageArrived: string;
  readonly vectorExtracted: string;
  readonly vectorCleaned: string;
  readonly indexUpdated: string;
  readonly dedupeState: string;
  readonly catalogAlias: string;
  readonly indexDataDir: string;
}

export function chainNaming(): ChainNaming {
  const base = uniqueName('bench-sq');
  return {
    imageArrived: `${base}.image-arrived`,
    vectorExtracted: `${base}.vector-extracted`,
    vectorCleaned: `${base}.vector-cleaned`,
    indexUpdated: `${base}.index-updated`,
    dedupeState: `${base}.dedupe-state`,
    catalogAlias: `${base}-catalog`,
    indexDataDir: mkdtempSync(join(tmpdir(), 'bench-sq-index-')),
  };
}

/**
 * The chain of one run as child processes of the built apps, each on the run's
 * unique topics and groups: extractor, dedupe, index-writer (k-NN HTTP on a
 * free port) and the catalogue sink (Elasticsearch alias of the run).
 */
export class QualityChain {
  readonly apps: Map<'extractor' | 'dedupe' | 'index-writer' | 'catalog', AppProcess>;

  private constructor(
    readonly naming: ChainNaming,
    readonly model: { id: string; dir: string; version: string; dim: number },
    catalogPort: number,
    private readonly partitions: number,
  ) {
    const kafka = { KAFKA_BROKERS: stack.brokers.join(','), SCHEMA_REGISTRY_URL: stack.registryUrl, KAFKAJS_NO_PARTITIONER_WARNING: '1' };
    const group = (app: string) => uniqueName(`bench-sq-${app}`);
    this.apps = new Map([
      ['extractor', new AppProcess('extractor', { ...kafka, KAFKA_GROUP_ID: group('extractor'), EXTRACTOR_HTTP_PORT: '0', MODEL_DIR: model.dir, MODEL_ID: model.id, EXTRACTOR_TOPIC_IMAGE_ARRIVED: naming.imageArrived, EXTRACTOR_TOPIC_VECTOR_EXTRACTED: naming.vectorExtracted }, 'extractor running')],
      ['dedupe', new AppProcess('dedupe', { ...kafka, KAFKA_GROUP_ID: group('dedupe'), DEDUPE_HTTP_PORT: '0', DEDUPE_MODELS: `${model.version}=${model.dim}`, DEDUPE_STATE_TOPIC: naming.dedupeState, DEDUPE_TOPIC_VECTOR_EXTRACTED: naming.vectorExtracted, DEDUPE_TOPIC_VECTOR_CLEANED: naming.vectorCleaned }, 'stage consumer started')],
      ['index-writer', new AppProcess('index-writer', { ...kafka, KAFKA_GROUP_ID: group('writer'), INDEX_DATA_DIR: naming.indexDataDir, INDEX_MODEL_VERSION: model.version, INDEX_DIM: String(model.dim), INDEX_HTTP_PORT: '0', INDEX_TOPIC_VECTOR_CLEANED: naming.vectorCleaned, INDEX_TOPIC_INDEX_UPDATED: naming.indexUpdated }, 'index-writer started')],
      ['catalog', new AppProcess('catalog', { ...kafka, ELASTICSEARCH_URL: stack.elasticsearchUrl, KAFKA_GROUP_ID: group('catalog'), CATALOG_ALIAS: naming.catalogAlias, CATALOG_SHARDS_INDEX: `${naming.catalogAlias}-shards`, CATALOG_TOPIC_IMAGE_ARRIVED: naming.imageArrived, CATALOG_TOPIC_VECTOR_CLEANED: naming.vectorCleaned, CATALOG_TOPIC_INDEX_UPDATED: naming.indexUpdated, PORT: String(catalogPort) }, 'catalog listening')],
    ]);
  }

  /** Creates the run's topics (with their .dlq) and starts the four apps in parallel. */
  static async start(model: { id: string; dir: string; version: string; dim: number }, partitions: number): Promise<QualityChain> {
    const naming = chainNaming();
    const topics = [naming.imageArrived, naming.vectorExtracted, naming.vectorCleaned, naming.indexUpdated];
    await createTopics([...topics, ...topics.map(dlqTopicOf)], partitions);
    const chain = new QualityChain(naming, model, await freePort(), partitions);
    await Promise.all([...chain.apps.values()].map((app) => app.start(180_000)));
    return chain;
  }

  get writerUrl(): string {
    return this.apps.get('index-writer')?.url ?? '';
  }

  /** Publishes `image-arrived` for every image under `folder` with the ingest CLI (`<class>/` = category label); resolves with the number sent. */
  async ingest(distRoot: string, folder: string): Promise<{ sent: number; rejected: number }> {
    const cli = join(distRoot, 'apps', 'ingest', 'src', 'cli', 'ingest-cli.js');
    const args = [cli, '--dir', folder, '--topic', this.naming.imageArrived, '--brokers', stack.brokers.join(','), '--registry', stack.registryUrl, '--json'];
    return new Promise((done, fail) => {
      // The CLI provisions its topic to KAFKA_TOPIC_PARTITIONS: left at the default it would add
      // partitions under the already-joined extractor, which sees them only at its next metadata refresh.
      const env = { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', KAFKA_TOPIC_PARTITIONS: String(this.partitions) };
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => void (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => void (err = (err + c.toString()).slice(-4000)));
      child.once('exit', (code) => {
        if (code !== 0 && code !== 2) return fail(new Error(`ingest exited with ${code}: ${err}`));
        try {
          const summary = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { sent?: number; rejected?: number };
          done({ sent: summary.sent ?? 0, rejected: summary.rejected ?? 0 });
        } catch (e) {
          fail(new Error(`ingest printed no JSON summary: ${reasonOf(e)}: ${out.slice(-500)}`));
        }
      });
    });
  }

  /** Records in the `.dlq` of the three stage inputs (all dead letters of the run). */
  async deadLetters(): Promise<number> {
    const admin = new Kafka({ brokers: stack.brokers, clientId: 'bench-sq', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      let total = 0;
      for (const topic of [this.naming.imageArrived, this.naming.vectorExtracted, this.naming.vectorCleaned].map(dlqTopicOf)) {
        for (const p of await admin.fetchTopicOffsets(topic)) total += Number(p.high) - Number(p.low);
      }
      return total;
    } finally {
      await admin.disconnect();
    }
  }

  /** Vectors the index-writer serves now (sum over its shards' live counts). */
  async indexedCount(): Promise<number> {
    const res = await fetch(`${this.writerUrl}/v1/shards`);
    if (res.status !== 200) return 0;
    const body = (await res.json()) as { shards: { count: number }[] };
    return body.shards.reduce((sum, s) => sum + s.count, 0);
  }

  /** Live documents behind the run's catalogue alias (0 while it does not exist). */
  async catalogued(es: Client): Promise<number> {
    try {
      return (await es.count({ index: this.naming.catalogAlias })).count;
    } catch {
      return 0;
    }
  }

  /** Stops every app, deletes the run's indices, topics and index folder. Never throws. */
  async stop(es: Client): Promise<void> {
    await Promise.all([...this.apps.values()].map((app) => app.stop().catch(() => undefined)));
    const alias = this.naming.catalogAlias;
    try {
      const aliased = Object.keys(await es.indices.getAlias({ name: alias }));
      await es.indices.delete({ index: [...aliased, `${alias}-shards`], ignore_unavailable: true });
      await es.indices.deleteIndexTemplate({ name: `${alias}-template` });
    } catch (err) {
      process.stderr.write(`could not remove the catalogue indices of ${alias}: ${reasonOf(err)}\n`);
    }
    const admin = new Kafka({ brokers: stack.brokers, clientId: 'bench-sq', logLevel: logLevel.NOTHING }).admin();
    try {
      await admin.connect();
      const n = this.naming;
      const topics = [n.imageArrived, n.vectorExtracted, n.vectorCleaned, n.indexUpdated];
      await admin.deleteTopics({ topics: [...topics, ...topics.map(dlqTopicOf), n.dedupeState] });
    } catch (err) {
      process.stderr.write(`could not delete the bench topics: ${reasonOf(err)}\n`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    rmSync(this.naming.indexDataDir, { recursive: true, force: true });
  }
}

/**
 * Reads `vector-cleaned` of the run from the start into `into` (by image id),
 * decoded through the schema registry, until stopped: what the chain decided
 * for each image (status, canonical, category label, vector).
 */
export async function followCleaned(topic: string, into: Map<string, CleanedImage>): Promise<{ stop: () => Promise<void>; failure: () => unknown }> {
  const kafka = new Kafka({ brokers: stack.brokers, clientId: 'bench-sq-reader', logLevel: logLevel.NOTHING });
  const consumer: Consumer = kafka.consumer({ groupId: uniqueName('bench-sq-reader'), maxWaitTimeInMs: 100 });
  const gateway = SchemaRegistryGateway.connect({ url: stack.registryUrl });
  const contract = vectorCleanedContract.onTopic(topic);
  let failure: unknown;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value === null) return;
      try {
        const v = (await gateway.decode(message.value, contract)).value;
        const bytes = Buffer.from(v.vector);
        const vector = new Float32Array(v.dim);
        for (let i = 0; i < v.dim; i++) vector[i] = bytes.readFloatLE(i * 4);
        into.set(v.imageId, { imageId: v.imageId, path: resolve(fileURLToPath(v.uri)), category: v.labels.category[0] ?? '', status: v.status, duplicateOf: v.duplicateOf ?? null, vector });
      } catch (err) {
        failure ??= err;
      }
    },
  });
  return { stop: () => consumer.disconnect(), failure: () => failure };
}

/** The id an image's search should find: itself when indexed (UNIQUE), else the canonical its duplicate chain ends at. */
export function canonicalOf(id: string, cleaned: ReadonlyMap<string, CleanedImage>): string {
  let current = id;
  for (let hops = 0; hops < 16; hops++) {
    const c = cleaned.get(current);
    if (c === undefined || c.status === 'UNIQUE' || c.duplicateOf === null) return current;
    current = c.duplicateOf;
  }
  return current;
}

export function esClient(): Client {
  return new Client({ node: stack.elasticsearchUrl });
}
