import type { RecordMetadata } from 'kafkajs';
import { partitionOfKey, receiptsFor } from './publish-receipts';

const meta = (partition: number, baseOffset: string): RecordMetadata => ({ topicName: 't', partition, errorCode: 0, baseOffset });

describe('receiptsFor', () => {
  it('gives the i-th record of a partition baseOffset + i, in input order', () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const parts = keys.map((k) => partitionOfKey('t', k, 3));
    const used = [...new Set(parts)];
    const receipts = receiptsFor('t', keys, 3, used.map((p) => meta(p, String(100 * (p + 1)))));
    expect(receipts?.map((r) => r.imageId)).toEqual(keys);
    for (const p of used) {
      const offsets = receipts?.filter((r) => r.partition === p).map((r) => Number(r.offset));
      expect(offsets).toEqual(offsets?.map((_, i) => 100 * (p + 1) + i));
    }
  });

  it('keeps int64 offsets exact', () => {
    const p = partitionOfKey('t', 'k', 1);
    expect(receiptsFor('t', ['k', 'k'], 1, [meta(p, '9007199254740993')])?.map((r) => r.offset)).toEqual(['9007199254740993', '9007199254740994']);
  });

  it('returns undefined when the broker answered for other partitions (partition count changed)', () => {
    const p = partitionOfKey('t', 'k', 4);
    expect(receiptsFor('t', ['k'], 4, [meta((p + 1) % 4, '0')])).toBeUndefined();
    expect(receiptsFor('t', ['k'], 4, [meta(p, '0'), meta((p + 1) % 4, '0')])).toBeUndefined();
  });

  it('matches the Java client partitioner for keyed records (murmur2)', () => {
    // Same keys always land on the same partition: replay touches the same partitions.
    expect(partitionOfKey('x', 'img-1', 6)).toBe(partitionOfKey('y', 'img-1', 6));
    expect(new Set(Array.from({ length: 200 }, (_, i) => partitionOfKey('t', `img-${i}`, 6))).size).toBe(6);
  });
});
