import { Partitioners, type PartitionMetadata, type RecordMetadata } from 'kafkajs';
import type { PublishReceipt } from '../domain/image-arrived-publisher.port';

const keyedPartitioner = Partitioners.DefaultPartitioner();

/** The partition kafkajs' default (Java-compatible, murmur2) partitioner picks for a keyed record. */
export function partitionOfKey(topic: string, key: string, partitionCount: number): number {
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionId, leader: 0 }) as PartitionMetadata);
  return keyedPartitioner({ topic, partitionMetadata, message: { key, value: null } });
}

/**
 * Per-record receipts from one produce call. kafkajs reports one base offset
 * per partition; records of one partition are appended in send order, so the
 * i-th record of partition p sits at baseOffset(p) + i. Returns undefined
 * when the broker's answer does not match the computed partitions (the
 * partition count changed), so the caller can refresh metadata and retry the
 * mapping — never the send.
 */
export function receiptsFor(topic: string, keys: readonly string[], partitionCount: number, metadata: readonly RecordMetadata[]): PublishReceipt[] | undefined {
  const base = new Map<number, bigint>();
  for (const m of metadata) {
    if (m.topicName === topic && m.baseOffset !== undefined) base.set(m.partition, BigInt(m.baseOffset));
  }
  const nextIndex = new Map<number, bigint>();
  const receipts: PublishReceipt[] = [];
  for (const key of keys) {
    const partition = partitionOfKey(topic, key, partitionCount);
    const baseOffset = base.get(partition);
    if (baseOffset === undefined) return undefined;
    const index = nextIndex.get(partition) ?? 0n;
    nextIndex.set(partition, index + 1n);
    receipts.push({ imageId: key, topic, partition, offset: (baseOffset + index).toString() });
  }
  return nextIndex.size === base.size ? receipts : undefined;
}
