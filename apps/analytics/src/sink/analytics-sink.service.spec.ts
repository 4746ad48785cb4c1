import { DependencyUnavailableError } from '@stylestream/errors';
import type { ConsumedMessage } from '@stylestream/kafka';
import { emptyLabels, type ImageArrived, type IndexUpdated } from '@stylestream/schemas';
import type { DedupRow, IndexProgressRow } from '../domain/dedup-rows';
import type { FactRow, StoredFactKey } from '../domain/fact-rows';
import type { AnalyticsStore } from './analytics-store.port';
import { AnalyticsSinkService } from './analytics-sink.service';

class FakeStore implements AnalyticsStore {
  facts: FactRow[] = [];
  progress: IndexProgressRow[] = [];
  failNext = 0;
  storedFactKeys(ids: readonly string[]): Promise<Map<string, StoredFactKey>> {
    const out = new Map<string, StoredFactKey>();
    for (const r of this.facts) {
      const cur = out.get(r.image_id);
      if (ids.includes(r.image_id) && (cur === undefined || cur.version < r.version)) {
        out.set(r.image_id, { quarter: r.quarter, bloggerId: r.blogger_id, version: r.version, deleted: r.is_deleted === 1, content: r });
      }
    }
    return Promise.resolve(out);
  }
  insertFacts(rows: readonly FactRow[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.reject(new DependencyUnavailableError('clickhouse', 'insert failed'));
    }
    this.facts.push(...rows);
    return Promise.resolve();
  }
  insertDedup(_rows: readonly DedupRow[]): Promise<void> {
    return Promise.resolve();
  }
  insertIndexProgress(rows: readonly IndexProgressRow[]): Promise<void> {
    this.progress.push(...rows);
    return Promise.resolve();
  }
}

const base = { topic: 'image-arrived', partition: 0, headers: {}, timestamp: '0', attempt: 1 };
const arrived = (offset: number, imageId: string): ConsumedMessage<ImageArrived> => ({
  ...base,
  offset: String(offset),
  key: imageId,
  tombstone: false,
  value: { imageId, uri: 'file:///a', source: 'social', bloggerId: 'b', publishedAt: 0, crawledAt: 0, labels: emptyLabels(), attributes: {} },
});
const tombstone = (offset: number, imageId: string): ConsumedMessage<ImageArrived> => ({ ...base, offset: String(offset), key: imageId, tombstone: true, value: null });

describe('AnalyticsSinkService', () => {
  const batch = { maxRows: 100, maxDelayMs: 20, lingerMs: 1 };

  it('settles messages as processed once their batch is written, one insert for concurrent messages', async () => {
    const store = new FakeStore();
    const insert = jest.spyOn(store, 'insertFacts');
    const sink = new AnalyticsSinkService(store, { batch, cleanedTopic: 'vector-cleaned' });
    const outcomes = await Promise.all([sink.imageArrived(arrived(0, 'a')), sink.imageArrived(arrived(0, 'b')), sink.imageArrived(arrived(1, 'c'))]);
    expect(outcomes.map((o) => o.kind)).toEqual(['processed', 'processed', 'processed']);
    expect(insert).toHaveBeenCalledTimes(1);
    expect(store.facts.map((r) => r.image_id)).toEqual(['a', 'b', 'c']);
  });

  it('a partition batch (several messages, also of one image) becomes a single insert with one outcome per message', async () => {
    const store = new FakeStore();
    const lookup = jest.spyOn(store, 'storedFactKeys');
    const insert = jest.spyOn(store, 'insertFacts');
    const sink = new AnalyticsSinkService(store, { batch, cleanedTopic: 'vector-cleaned' });
    const noKey: ConsumedMessage<ImageArrived> = { ...tombstone(4, 'x'), key: null };
    const outcomes = await sink.imageArrivedBatch([arrived(0, 'a'), arrived(1, 'b'), arrived(2, 'a'), tombstone(3, 'b'), noKey, arrived(5, 'c')]);
    expect(outcomes.map((o) => o.kind)).toEqual(['processed', 'processed', 'processed', 'processed', 'skipped', 'processed']);
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(insert).toHaveBeenCalledTimes(1);
    // b's tombstone deletes the row written earlier in the same insert; a's update takes its first row back.
    expect(store.facts.map((r) => [r.image_id, r.version, r.is_deleted, r.retracts])).toEqual([
      ['a', 0, 0, 0],
      ['b', 1, 0, 0],
      ['a', 0, 1, 1],
      ['a', 2, 0, 0],
      ['b', 3, 1, 1],
      ['c', 5, 0, 0],
    ]);
  });

  it('a failed insert fails every message of the partition batch with DependencyUnavailableError; the redelivery writes it', async () => {
    const store = new FakeStore();
    store.failNext = 1;
    const sink = new AnalyticsSinkService(store, { batch, cleanedTopic: 'vector-cleaned' });
    const messages = [arrived(0, 'a'), arrived(1, 'b'), arrived(2, 'c')];
    const failed = await sink.imageArrivedBatch(messages);
    expect(failed).toHaveLength(3);
    for (const o of failed) expect(o.kind === 'failed' && o.error).toBeInstanceOf(DependencyUnavailableError);
    expect(store.facts).toEqual([]);
    expect((await sink.imageArrivedBatch(messages)).map((o) => o.kind)).toEqual(['processed', 'processed', 'processed']);
    expect(store.facts).toHaveLength(3);
  });

  it('reports a failed insert as failed(DependencyUnavailableError) for every message of the batch; the redelivery succeeds', async () => {
    const store = new FakeStore();
    store.failNext = 1;
    const sink = new AnalyticsSinkService(store, { batch, cleanedTopic: 'vector-cleaned' });
    const [a, b] = await Promise.all([sink.imageArrived(arrived(0, 'a')), sink.imageArrived(arrived(0, 'b'))]);
    for (const o of [a, b]) {
      expect(o.kind).toBe('failed');
      expect(o.kind === 'failed' && o.error).toBeInstanceOf(DependencyUnavailableError);
    }
    expect(store.facts).toEqual([]);
    expect((await sink.imageArrived(arrived(0, 'a'))).kind).toBe('processed');
    expect(store.facts).toHaveLength(1);
  });

  it('replays change nothing; a tombstone writes a deletion row', async () => {
    const store = new FakeStore();
    const sink = new AnalyticsSinkService(store, { batch, cleanedTopic: 'vector-cleaned' });
    await sink.imageArrived(arrived(3, 'a'));
    await sink.imageArrived(arrived(3, 'a'));
    expect(store.facts).toHaveLength(1);
    await sink.imageArrived(tombstone(4, 'a'));
    expect(store.facts.map((r) => [r.version, r.is_deleted])).toEqual([
      [3, 0],
      [4, 1],
    ]);
  });

  it('index-updated: one progress row per partition, null topic = the vector-cleaned topic', async () => {
    const store = new FakeStore();
    const sink = new AnalyticsSinkService(store, { batch, cleanedTopic: 'vc' });
    const value: IndexUpdated = {
      shardId: 's1',
      partitions: [{ topic: null, partition: 0, offset: 10 }, { topic: 'other', partition: 1, offset: 3 }],
      ops: { added: 1, replaced: 0, deleted: 0, skipped: 0 },
      vectorCount: 5,
      snapshotVersion: 2,
      sealed: false,
      at: 0,
    };
    const outcome = await sink.indexUpdated({ ...base, topic: 'index-updated', offset: '7', key: 's1', tombstone: false, value });
    expect(outcome.kind).toBe('processed');
    expect(store.progress.map((r) => [r.topic, r.partition, r.applied_offset, r.version])).toEqual([
      ['vc', 0, 10, 7],
      ['other', 1, 3, 7],
    ]);
  });
});
