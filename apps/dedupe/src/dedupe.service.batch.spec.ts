import pino from 'pino';
import type { ConsumedMessage, HandlerOutcome } from '@stylestream/kafka';
import { sampleVectorExtracted, vectorToBytes, type VectorCleaned, type VectorExtracted } from '@stylestream/schemas';
import type { DedupeThresholds } from './dedupe.classifier';
import type { CleanedPublisher, CleanedRecord, StateChange, StateChangelogWriter } from './dedupe.ports';
import { DedupeService } from './dedupe.service';
import { DedupeState, type DedupeStateOptions } from './dedupe-state';
import { seededRandom } from '@stylestream/test-support';

/**
 * Batches decide exactly what one-at-a-time handling decides: the same
 * records, handled one by one and in batches of several sizes, give the same
 * outcomes, the same published decisions (verdict, canonical, similarity),
 * the same changelog records in the same order and the same final state —
 * with duplicates of records of the same batch, re-sends, updates, tombstones
 * (of ids of the same batch too) and bad input mixed in.
 */

const DIM = 8;

interface Content {
  readonly sha: string;
  readonly phash: string;
  readonly crops: string[];
  /** 256-bit hashes (the tiered rule's evidence); empty for some images. */
  readonly fine: string[];
  readonly vector: number[];
}

/** What a generated record is, for the coverage checks. */
type Kind = 'original' | 'exact' | 'near' | 'resend' | 'update' | 'tombstone' | 'tombstone-unknown' | 'tombstone-keyless' | 'bad';

interface Generated {
  readonly kinds: Kind[];
  readonly messages: ConsumedMessage<VectorExtracted>[];
}

function generate(seed: number, count: number): Generated {
  const random = seededRandom(seed);
  const hex = (digits: number): string => Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');
  const unit = (): number[] => {
    const v = Array.from({ length: DIM }, () => random() - 0.5);
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const perturb = (v: readonly number[]): number[] => {
    const w = v.map((x) => x + (random() - 0.5) * 0.02);
    const n = Math.hypot(...w);
    return w.map((x) => x / n);
  };
  const flipBit = (phash: string): string => {
    const bit = Math.floor(random() * 64);
    const digit = 15 - Math.floor(bit / 4);
    const flipped = (parseInt(phash[digit] ?? '0', 16) ^ (1 << (bit % 4))).toString(16);
    return `${phash.slice(0, digit)}${flipped}${phash.slice(digit + 1)}`;
  };
  const fresh = (): Content => ({ sha: hex(64), phash: hex(16), crops: random() < 0.5 ? [hex(16), hex(16)] : [], fine: random() < 0.7 ? [hex(64)] : [], vector: unit() });
  const sent: { id: string; content: Content }[] = [];
  /** Mostly recent ids, so that duplicates and tombstones often hit records of the same batch. */
  const recent = (): { id: string; content: Content } | undefined => sent[sent.length - 1 - Math.floor(random() * Math.min(sent.length, random() < 0.8 ? 8 : sent.length))];
  const kinds: Kind[] = [];
  const messages: ConsumedMessage<VectorExtracted>[] = [];
  const push = (kind: Kind, id: string | null, content: Content | null, override: Partial<VectorExtracted> = {}): void => {
    const base = { topic: 'vector-extracted', partition: 0, offset: String(messages.length), key: id, headers: {}, timestamp: '0', attempt: 1 };
    kinds.push(kind);
    if (content === null || id === null) {
      messages.push({ ...base, tombstone: true, value: null });
      return;
    }
    messages.push({
      ...base,
      tombstone: false,
      value: sampleVectorExtracted({
        imageId: id,
        contentSha256: content.sha,
        perceptualHash: content.phash,
        cropHashes: content.crops,
        fineHashes: content.fine,
        modelVersion: '1.0.0',
        dim: DIM,
        vector: vectorToBytes(content.vector),
        ...override,
      }),
    });
    sent.push({ id, content });
  };
  for (let i = 0; i < count; i++) {
    const r = random();
    const previous = recent();
    if (previous === undefined || r < 0.3) push('original', `img-${i}`, fresh());
    else if (r < 0.45) push('exact', `img-${i}`, previous.content);
    else if (r < 0.6) {
      const c = previous.content;
      const fine = c.fine.map((f) => `${f.slice(0, 60)}${hex(4)}`);
      push('near', `img-${i}`, { sha: hex(64), phash: flipBit(c.phash), crops: [], fine, vector: random() < 0.5 ? perturb(c.vector) : unit() });
    } else if (r < 0.68) push('resend', previous.id, previous.content);
    else if (r < 0.74) push('update', previous.id, fresh());
    else if (r < 0.86) push('tombstone', previous.id, null);
    else if (r < 0.9) push('tombstone-unknown', `never-${i}`, null);
    else if (r < 0.93) push('tombstone-keyless', null, null);
    else if (r < 0.96) push('bad', `img-${i}`, fresh(), { vector: vectorToBytes([Number.NaN, ...Array.from({ length: DIM - 1 }, () => 0)]) });
    else push('bad', `img-${i}`, fresh(), { modelVersion: '9.9.9' });
  }
  return { kinds, messages };
}

class RecordingChangelog implements StateChangelogWriter {
  readonly records: { imageId: string; entry: string; offset: string }[] = [];
  write(changes: readonly StateChange[]): Promise<string[]> {
    return Promise.resolve(
      changes.map(({ imageId, entry }) => {
        const offset = String(this.records.length);
        const described = entry === null ? 'tombstone' : `${entry.status} ${entry.duplicateOf ?? '-'} ${entry.similarity ?? '-'} ${entry.vector === null ? 'no-vector' : 'vector'}`;
        this.records.push({ imageId, entry: described, offset });
        return offset;
      }),
    );
  }
}

class RecordingOutput implements CleanedPublisher {
  readonly published: string[] = [];
  publish(records: readonly CleanedRecord[]): Promise<void> {
    for (const r of records) this.published.push(r.value === null ? `${r.imageId} tombstone` : describeCleaned(r.imageId, r.value));
    return Promise.resolve();
  }
}

function describeCleaned(imageId: string, v: VectorCleaned): string {
  return `${imageId} ${v.status} ${v.duplicateOf ?? '-'} ${v.similarity ?? '-'}`;
}

function outcomeOf(o: HandlerOutcome): string {
  switch (o.kind) {
    case 'processed':
      return 'processed';
    case 'skipped':
      return `skipped: ${o.reason}`;
    case 'failed':
      return `failed: ${(o.error as { code?: string }).code ?? String(o.error)}`;
  }
}

interface Run {
  readonly outcomes: string[];
  readonly published: string[];
  readonly changelog: { imageId: string; entry: string; offset: string }[];
  readonly finalState: string[];
}

/** The service under test over the given state and recording ports (the one model of the fixtures). */
function newService(state: DedupeState, changelog: StateChangelogWriter, output: CleanedPublisher, thresholds: DedupeThresholds, sliceMs?: number): DedupeService {
  return new DedupeService({
    sliceMs,
    state,
    changelog,
    output,
    thresholds,
    input: { models: new Map<string, number | null>([['1.0.0', DIM]]), normTolerance: 0.001 },
    logger: pino({ level: 'silent' }),
    clock: () => 1_000,
  });
}

async function run(messages: readonly ConsumedMessage<VectorExtracted>[], batchSize: number, thresholds: DedupeThresholds, stateOptions: DedupeStateOptions): Promise<Run> {
  const changelog = new RecordingChangelog();
  const output = new RecordingOutput();
  const state = new DedupeState(stateOptions);
  const service = newService(state, changelog, output, thresholds);
  const outcomes: string[] = [];
  for (let start = 0; start < messages.length; start += batchSize) {
    const batch = messages.slice(start, start + batchSize);
    const results = batchSize === 1 ? [await service.handle(batch[0])] : await service.handleBatch(batch);
    expect(results).toHaveLength(batch.length);
    outcomes.push(...results.map(outcomeOf));
  }
  const ids = [...new Set(messages.flatMap((m) => (m.key === null ? [] : [m.key])))].sort();
  const finalState = ids.map((id) => {
    const e = state.get(id);
    return e === undefined ? `${id} absent` : `${id} ${e.status} ${e.duplicateOf ?? '-'} ${e.contentSha256.slice(0, 8)}`;
  });
  return { outcomes, published: output.published, changelog: changelog.records, finalState };
}

const SETUPS: { name: string; thresholds: DedupeThresholds; state: DedupeStateOptions }[] = [
  { name: 'phash-or-cosine, band candidates only', thresholds: { maxHammingDistance: 3, minCosine: 0.97, rule: 'phash-or-cosine' }, state: { vectorCandidates: 0 } },
  {
    name: 'tiered, band and vector candidates (HNSW)',
    thresholds: { maxHammingDistance: 2, minCosine: 0.98, minCosineWithPhash: 0.5, maxFineDistance: 20, rule: 'tiered' },
    state: { vectorCandidates: 4, vectorIndex: { m: 8, efConstruction: 40, ef: 16 } },
  },
];

describe('DedupeService batches decide exactly as one record at a time', () => {
  it.each(SETUPS)('$name: 1,500 mixed records, batches of 1, 7, 64 and all', async ({ thresholds, state }) => {
    const { kinds, messages } = generate(20261127, 1_500);
    const sequential = await run(messages, 1, thresholds, state);
    for (const size of [7, 64, messages.length]) {
      const batched = await run(messages, size, thresholds, state);
      expect({ size, ...batched }).toEqual({ size, ...sequential });
    }

    // The sequence really exercises what batching could get wrong.
    const count = (k: Kind): number => kinds.filter((x) => x === k).length;
    for (const k of ['original', 'exact', 'near', 'resend', 'update', 'tombstone', 'tombstone-unknown', 'tombstone-keyless', 'bad'] as const) expect({ k, n: count(k) > 10 }).toEqual({ k, n: true });
    const verdicts = (status: string): number => sequential.published.filter((p) => p.split(' ')[1] === status).length;
    expect(verdicts('EXACT_DUPLICATE')).toBeGreaterThan(50);
    expect(verdicts('NEAR_DUPLICATE')).toBeGreaterThan(50);
    // Duplicates whose canonical was first seen in the same batch of 64.
    const firstSeen = new Map<string, number>();
    messages.forEach((m, i) => {
      if (m.key !== null && !firstSeen.has(m.key)) firstSeen.set(m.key, i);
    });
    let sameBatch = 0;
    let outputIndex = 0;
    messages.forEach((m, i) => {
      if (sequential.outcomes[i] !== 'processed') return;
      const [, status, canonical] = (sequential.published[outputIndex++] ?? '').split(' ');
      if (m.tombstone || status === 'UNIQUE' || canonical === undefined) return;
      if (Math.floor((firstSeen.get(canonical) ?? -64) / 64) === Math.floor(i / 64)) sameBatch++;
    });
    expect(sameBatch).toBeGreaterThan(20);
    expect(sequential.published.filter((p) => p.endsWith(' tombstone')).length).toBeGreaterThan(100);
  });

  it('gives the event loop back and heartbeats inside a long batch, deciding the same', async () => {
    const { messages } = generate(11, 400);
    const { thresholds, state } = SETUPS[1] ?? SETUPS[0];
    const sequential = await run(messages, 1, thresholds, state);
    const changelog = new RecordingChangelog();
    const output = new RecordingOutput();
    const dedupeState = new DedupeState(state);
    // sliceMs 0: a pause before every record; a timer proves the loop ran in between.
    const service = newService(dedupeState, changelog, output, thresholds, 0);
    let heartbeats = 0;
    let timerFired = false;
    setTimeout(() => {
      timerFired = true;
    }, 0);
    const outcomes = await service.handleBatch(messages, { heartbeat: () => Promise.resolve(void heartbeats++) });
    expect(heartbeats).toBe(messages.length);
    expect(timerFired).toBe(true);
    expect(outcomes.map(outcomeOf)).toEqual(sequential.outcomes);
    expect(output.published).toEqual(sequential.published);
    expect(changelog.records).toEqual(sequential.changelog);
  });

  it('a batch with a copy of its own first record, a tombstone of it and a later copy', async () => {
    const content: Content = { sha: 'a'.repeat(64), phash: '0123456789abcdef', crops: [], fine: [], vector: [1, 0, 0, 0, 0, 0, 0, 0] };
    const m = (id: string, c: Content | null, offset: number): ConsumedMessage<VectorExtracted> => {
      const base = { topic: 'vector-extracted', partition: 0, offset: String(offset), key: id, headers: {}, timestamp: '0', attempt: 1 };
      return c === null
        ? { ...base, tombstone: true, value: null }
        : { ...base, tombstone: false, value: sampleVectorExtracted({ imageId: id, contentSha256: c.sha, perceptualHash: c.phash, cropHashes: [], fineHashes: [], modelVersion: '1.0.0', dim: DIM, vector: vectorToBytes(c.vector) }) };
    };
    const messages = [m('a', content, 0), m('b', content, 1), m('c', { ...content, sha: 'c'.repeat(64), phash: '0123456789abcdee' }, 2), m('a', null, 3), m('d', content, 4), m('e', content, 5)];
    const thresholds: DedupeThresholds = { maxHammingDistance: 3, minCosine: 0.97, rule: 'phash-or-cosine' };
    const batched = await run(messages, messages.length, thresholds, { vectorCandidates: 0 });
    expect(batched.published).toEqual(['a UNIQUE - -', 'b EXACT_DUPLICATE a 1', 'c NEAR_DUPLICATE a 1', 'a tombstone', 'd UNIQUE - -', 'e EXACT_DUPLICATE d 1']);
    expect(batched).toEqual(await run(messages, 1, thresholds, { vectorCandidates: 0 }));
  });

  it('a batch whose changelog write fails is re-handled exactly as a one-at-a-time redelivery of the same records', async () => {
    const { messages } = generate(7, 300);
    const thresholds: DedupeThresholds = { maxHammingDistance: 3, minCosine: 0.97, rule: 'phash-or-cosine' };
    const service = (changelog: StateChangelogWriter, output: CleanedPublisher): DedupeService => newService(new DedupeState(), changelog, output, thresholds);
    // One at a time: every record handled, then (crash before the commit) all of them redelivered.
    const sequentialOut = new RecordingOutput();
    const sequential = service(new RecordingChangelog(), sequentialOut);
    for (const m of messages) await sequential.handle(m);
    sequentialOut.published.length = 0;
    const sequentialOutcomes: string[] = [];
    for (const m of messages) sequentialOutcomes.push(outcomeOf(await sequential.handle(m)));
    // One batch whose changelog write fails after the state was applied, then the same batch again.
    let fail = true;
    const changelog = new RecordingChangelog();
    const flaky: StateChangelogWriter = {
      write: (changes) => {
        if (!fail) return changelog.write(changes);
        fail = false;
        return Promise.reject(new Error('broker down'));
      },
    };
    const batchOut = new RecordingOutput();
    const batched = service(flaky, batchOut);
    await expect(batched.handleBatch(messages)).rejects.toThrow('broker down');
    expect(batchOut.published).toEqual([]);
    expect((await batched.handleBatch(messages)).map(outcomeOf)).toEqual(sequentialOutcomes);
    expect(batchOut.published).toEqual(sequentialOut.published);
    expect(batchOut.published.length).toBeGreaterThan(200);
  });
});
