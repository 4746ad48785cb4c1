import { Counter, Gauge, Histogram } from 'prom-client';
import type { ApplyResult, PartitionStats, SnapshotReport } from '@stylestream/index';
import { metricsRegistry } from '@stylestream/metrics';

/** Something whose shard statistics the gauges read at scrape time (one per running writer). */
export interface ShardStatsSource {
  readonly owner: string;
  stats(): Promise<PartitionStats[]>;
}

const sources = new Set<ShardStatsSource>();

async function collectShardGauges(): Promise<void> {
  shardVectors.reset();
  shardDeleted.reset();
  snapshotAge.reset();
  pendingOps.reset();
  ownedPartitions.reset();
  for (const source of sources) {
    const stats = await source.stats().catch(() => [] as PartitionStats[]);
    ownedPartitions.set({ owner: source.owner }, stats.length);
    for (const p of stats) {
      snapshotAge.set({ owner: source.owner, partition: String(p.partition) }, p.snapshotAgeSeconds);
      pendingOps.set({ owner: source.owner, partition: String(p.partition) }, p.pendingOps);
      for (const s of p.shards) {
        const labels = { owner: source.owner, partition: String(p.partition), shard: s.shardId, sealed: String(s.sealed) };
        shardVectors.set(labels, s.count);
        shardDeleted.set(labels, s.deleted);
      }
    }
  }
}

let collecting: Promise<void> | undefined;
/** Every shard gauge awaits one shared read per scrape (the registry reads the gauges concurrently). */
function collectOnce(): Promise<void> {
  collecting ??= collectShardGauges().finally(() => {
    collecting = undefined;
  });
  return collecting;
}

const shardLabels = ['owner', 'partition', 'shard', 'sealed'] as const;
const shardVectors = new Gauge({ name: 'index_shard_vectors', help: 'Live vectors per shard.', labelNames: shardLabels, registers: [metricsRegistry], collect: collectOnce });
const shardDeleted = new Gauge({ name: 'index_shard_deleted', help: 'Deleted (tombstoned, not yet reclaimed) slots per shard.', labelNames: shardLabels, registers: [metricsRegistry], collect: collectOnce });
const snapshotAge = new Gauge({ name: 'index_snapshot_age_seconds', help: 'Seconds since the partition’s last snapshot was written or loaded.', labelNames: ['owner', 'partition'] as const, registers: [metricsRegistry], collect: collectOnce });
const pendingOps = new Gauge({
  name: 'index_pending_ops',
  help: 'Ops searchable but queued for the graphs behind a background snapshot or compaction.',
  labelNames: ['owner', 'partition'] as const,
  registers: [metricsRegistry],
  collect: collectOnce,
});
const ownedPartitions = new Gauge({ name: 'index_owned_partitions', help: 'Input partitions whose shards this writer holds.', labelNames: ['owner'] as const, registers: [metricsRegistry], collect: collectOnce });
const ops = new Counter({ name: 'index_ops_total', help: 'Index operations by input topic and result (added, replaced, deleted, absent, skipped, already-applied, failed).', labelNames: ['topic', 'op'] as const, registers: [metricsRegistry] });
const insertSeconds = new Histogram({
  name: 'index_insert_seconds',
  help: 'Mean time of one vector insert (hnswlib addPoint with its bookkeeping), observed once per batch.',
  buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05],
  registers: [metricsRegistry],
});
const freshness = new Histogram({
  name: 'index_freshness_seconds',
  help: 'Time from a vector-cleaned record’s timestamp to the vector being searchable on its owner.',
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [metricsRegistry],
});
const snapshotSeconds = new Histogram({ name: 'index_snapshot_duration_seconds', help: 'Time to write one partition snapshot.', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [metricsRegistry] });
const compactions = new Counter({ name: 'index_shard_compactions_total', help: 'Shards rebuilt because their deleted share passed the ratio.', registers: [metricsRegistry] });
const knnSeconds = new Histogram({
  name: 'index_knn_request_seconds',
  help: 'k-NN requests served, by strategy (plain; exact: small id filter scored exactly; filtered: HNSW filtered traversal).',
  labelNames: ['strategy'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [metricsRegistry],
});

/** The index-writer's metrics (process-wide registry; one set of series per process, labelled by owner where it matters). */
export class IndexWriterMetrics {
  watch(source: ShardStatsSource): () => void {
    sources.add(source);
    return () => sources.delete(source);
  }

  batchApplied(topic: string, result: ApplyResult, failed: number): void {
    for (const r of result.results) ops.inc({ topic, op: r });
    if (failed > 0) ops.inc({ topic, op: 'failed' }, failed);
    if (result.inserts > 0) insertSeconds.observe(result.opsMs / 1000 / result.inserts);
    if (result.compacted.length > 0) compactions.inc(result.compacted.length);
  }

  /** A vector from a record stamped `recordTimestampMs` became searchable at `appliedAtMs`. */
  searchable(recordTimestampMs: number, appliedAtMs: number): void {
    if (Number.isFinite(recordTimestampMs) && recordTimestampMs > 0) freshness.observe(Math.max(0, appliedAtMs - recordTimestampMs) / 1000);
  }

  snapshotWritten(report: SnapshotReport): void {
    snapshotSeconds.observe(report.durationMs / 1000);
  }

  knnServed(strategy: 'plain' | 'exact' | 'filtered', seconds: number): void {
    knnSeconds.observe({ strategy }, seconds);
  }
}
