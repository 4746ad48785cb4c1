import { clickHouseTime } from './clickhouse-time';
import type { IndexUpdated, VectorCleaned } from '@stylestream/schemas';

/** A row of image_dedup; version = the Kafka offset of the vector-cleaned event. */
export interface DedupRow {
  readonly image_id: string;
  readonly status: string;
  readonly duplicate_of: string | null;
  readonly similarity: number | null;
  readonly model_version: string;
  readonly cleaned_at: string;
  readonly cleaned_topic: string;
  readonly cleaned_partition: number;
  readonly cleaned_offset: number;
  readonly version: number;
  readonly is_deleted: 0 | 1;
}

/** A row of index_progress: one input partition of one shard; version = Kafka offset of the report. */
export interface IndexProgressRow {
  readonly shard_id: string;
  readonly topic: string;
  readonly partition: number;
  readonly applied_offset: number;
  readonly vector_count: number;
  readonly snapshot_version: number;
  readonly sealed: 0 | 1;
  readonly at: string;
  readonly version: number;
}

export interface KafkaPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export function dedupRowOf(event: VectorCleaned, at: KafkaPosition): DedupRow {
  return {
    image_id: event.imageId,
    status: event.status,
    duplicate_of: event.duplicateOf ?? null,
    similarity: event.similarity ?? null,
    model_version: event.modelVersion,
    cleaned_at: clickHouseTime(event.cleanedAt),
    cleaned_topic: at.topic,
    cleaned_partition: at.partition,
    cleaned_offset: at.offset,
    version: at.offset,
    is_deleted: 0,
  };
}

/** A vector-cleaned tombstone: the verdict is gone with the image. Key order makes no lookup necessary. */
export function dedupDeletionOf(imageId: string, at: KafkaPosition): DedupRow {
  return { ...dedupRowOf({ imageId, status: 'UNIQUE', modelVersion: '', cleanedAt: 0 } as VectorCleaned, at), status: '', is_deleted: 1 };
}

/**
 * One row per input partition of the report. A null topic means the
 * vector-cleaned topic (per the contract), written as `cleanedTopic` so it
 * joins image_dedup.cleaned_topic.
 */
export function indexProgressRowsOf(event: IndexUpdated, version: number, cleanedTopic: string): IndexProgressRow[] {
  return event.partitions.map((p) => ({
    shard_id: event.shardId,
    topic: p.topic ?? cleanedTopic,
    partition: p.partition,
    applied_offset: p.offset,
    vector_count: event.vectorCount,
    snapshot_version: event.snapshotVersion,
    sealed: event.sealed ? 1 : 0,
    at: clickHouseTime(event.at),
    version,
  }));
}
