import type { Kafka, RecordMetadata } from 'kafkajs';
import pino from 'pino';
import type { AvroProducer } from '@stylestream/kafka';
import type { DedupeEntry } from './dedupe-state';
import { KafkaStateChangelog } from './kafka-state.changelog';

/** A broker in memory: per partition a log; a request appends each partition's records contiguously. */
class FakeBroker {
  readonly logs = new Map<number, { key: string; value: Buffer | null }[]>();
  readonly requests: number[][] = [];
  constructor(readonly partitions: number) {
    for (let p = 0; p < partitions; p++) this.logs.set(p, p === 1 ? [{ key: 'older', value: null }] : []);
  }
  sendRaw(_topic: string, messages: { key: string | Buffer | null; value: Buffer | null; partition?: number }[]): Promise<RecordMetadata[]> {
    this.requests.push(messages.map((m) => m.partition ?? -1));
    const base = new Map<number, number>();
    for (const m of messages) {
      const log = this.logs.get(m.partition ?? -1);
      if (log === undefined) throw new Error(`no partition ${String(m.partition)}`);
      if (!base.has(m.partition ?? -1)) base.set(m.partition ?? -1, log.length);
      log.push({ key: String(m.key), value: m.value });
    }
    return Promise.resolve([...base].map(([partition, baseOffset]) => ({ topicName: 't', partition, errorCode: 0, baseOffset: String(baseOffset) })));
  }
}

function changelogOn(broker: FakeBroker): KafkaStateChangelog {
  const admin = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    fetchTopicOffsets: () => Promise.resolve(Array.from({ length: broker.partitions }, (_, partition) => ({ partition, offset: '0', high: '0', low: '0' }))),
  };
  const kafka = { admin: () => admin } as unknown as Kafka;
  return new KafkaStateChangelog(kafka, broker as unknown as AvroProducer, { topic: 't', groupPrefix: 'g', restoreTimeoutMs: 1_000, maxWaitTimeMs: 100 }, pino({ level: 'silent' }));
}

const entry = (imageId: string, vectorLength = 4): DedupeEntry => ({
  imageId,
  contentSha256: 'a'.repeat(64),
  perceptualHash: '0123456789abcdef',
  modelVersion: '1.0.0',
  vector: new Float32Array(vectorLength).fill(0.5),
  status: 'UNIQUE',
  duplicateOf: null,
  similarity: null,
});

describe('KafkaStateChangelog.write', () => {
  it('returns the offset each record got in its partition, in the order of the changes, and keeps one key in one partition', async () => {
    const broker = new FakeBroker(4);
    const changelog = changelogOn(broker);
    const ids = Array.from({ length: 40 }, (_, i) => `img-${i % 25}`);
    const changes = ids.map((id, i) => ({ imageId: id, entry: i % 7 === 3 ? null : entry(id) }));
    const offsets = await changelog.write(changes);
    expect(offsets).toHaveLength(changes.length);
    const partitionOf = new Map<string, number>();
    changes.forEach((c, i) => {
      const [partition, log] = [...broker.logs].find(([, l]) => l[Number(offsets[i])]?.key === c.imageId && (l[Number(offsets[i])]?.value === null) === (c.entry === null)) ?? [];
      expect({ i, found: log !== undefined }).toEqual({ i, found: true });
      if (partitionOf.has(c.imageId)) expect(partition).toBe(partitionOf.get(c.imageId));
      partitionOf.set(c.imageId, partition ?? -1);
    });
    // Two changes of one id: the later one has the larger offset.
    const lastOf = new Map<string, bigint>();
    changes.forEach((c, i) => {
      const o = BigInt(offsets[i] ?? '-1');
      expect(o > (lastOf.get(c.imageId) ?? -1n)).toBe(true);
      lastOf.set(c.imageId, o);
    });
    // The keys spread over several partitions (the partitioner is used), and a second write agrees with the first.
    expect(new Set(partitionOf.values()).size).toBeGreaterThan(1);
    const again = await changelog.write([{ imageId: 'img-3', entry: null }]);
    const log = broker.logs.get(partitionOf.get('img-3') ?? -1);
    expect(log?.[Number(again[0])]?.key).toBe('img-3');
  });

  it('splits a large batch into sequential requests of at most ~512 KiB, offsets still exact', async () => {
    const broker = new FakeBroker(2);
    const changelog = changelogOn(broker);
    // ~14 KB per record (a 1280-d vector would be ~7 KB; these are bigger to force several requests)
    const changes = Array.from({ length: 100 }, (_, i) => ({ imageId: `big-${i}`, entry: entry(`big-${i}`, 2_560) }));
    const offsets = await changelog.write(changes);
    expect(broker.requests.length).toBeGreaterThan(1);
    expect(broker.requests.flat()).toHaveLength(100);
    changes.forEach((c, i) => {
      const hits = [...broker.logs.values()].filter((l) => l[Number(offsets[i])]?.key === c.imageId);
      expect({ i, hits: hits.length }).toEqual({ i, hits: 1 });
    });
  });
});
