import pino from 'pino';
import type { ConsumedMessage } from '@stylestream/kafka';
import { sampleVectorExtracted, vectorToBytes, type VectorCleaned, type VectorExtracted } from '@stylestream/schemas';
import type { CleanedPublisher, CleanedRecord, StateChange, StateChangelogWriter } from './dedupe.ports';
import { DedupeService } from './dedupe.service';
import { DedupeState, type DedupeEntry } from './dedupe-state';

class FakeChangelog implements StateChangelogWriter {
  readonly records: { imageId: string; entry: DedupeEntry | null; offset: string }[] = [];
  failNext = false;
  write(changes: readonly StateChange[]): Promise<string[]> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('broker down'));
    }
    return Promise.resolve(
      changes.map(({ imageId, entry }) => {
        const offset = String(this.records.length);
        this.records.push({ imageId, entry, offset });
        return offset;
      }),
    );
  }
}

class FakeOutput implements CleanedPublisher {
  readonly published: { imageId: string; value: VectorCleaned | null }[] = [];
  constructor(private readonly changelog: FakeChangelog) {}
  publish(records: readonly CleanedRecord[]): Promise<void> {
    for (const { imageId, value } of records) {
      // The changelog record of a message is always written before its output.
      expect(this.changelog.records.filter((r) => r.imageId === imageId).length).toBeGreaterThan(0);
      this.published.push({ imageId, value });
    }
    return Promise.resolve();
  }
}

const v = (x: number): Buffer => vectorToBytes([x, Math.sqrt(1 - x * x), 0, 0]);
let offset = 0;
function msg(imageId: string, value: Partial<VectorExtracted> | null): ConsumedMessage<VectorExtracted> {
  const base = { topic: 'vector-extracted', partition: 0, offset: String(offset++), key: imageId, headers: {}, timestamp: '0', attempt: 1 };
  return value === null
    ? { ...base, tombstone: true, value: null }
    : { ...base, tombstone: false, value: sampleVectorExtracted({ imageId, contentSha256: 'a'.repeat(64), perceptualHash: '0123456789abcdef', vector: v(1), ...value }) };
}

function setup(otherModels?: 'dead-letter' | 'skip'): { service: DedupeService; changelog: FakeChangelog; output: FakeOutput; state: DedupeState } {
  const changelog = new FakeChangelog();
  const output = new FakeOutput(changelog);
  const state = new DedupeState();
  const service = new DedupeService({
    state,
    changelog,
    output,
    thresholds: { maxHammingDistance: 3, minCosine: 0.97, rule: 'phash-or-cosine' },
    input: { models: new Map<string, number | null>([['1.0.0', 4], ['0.9.0', null]]), normTolerance: 0.001 },
    logger: pino({ level: 'silent' }),
    clock: () => 1_000,
    ...(otherModels === undefined ? {} : { otherModels }),
  });
  return { service, changelog, output, state };
}

describe('DedupeService', () => {
  it('a record of another model version is dead-lettered by default, skipped (not classified, not logged) when told to', async () => {
    const strict = setup();
    const outcome = await strict.service.handle(msg('a', { modelVersion: '2.0.0' }));
    expect(outcome.kind).toBe('failed');
    const lenient = setup('skip');
    expect((await lenient.service.handle(msg('a', { modelVersion: '2.0.0' }))).kind).toBe('skipped');
    expect(lenient.changelog.records).toEqual([]);
    expect(lenient.output.published).toEqual([]);
    expect((await lenient.service.handle(msg('b', {}))).kind).toBe('processed');
  });

  it('publishes UNIQUE, EXACT and NEAR decisions after logging the state change', async () => {
    const { service, output, changelog } = setup();
    expect((await service.handle(msg('a', {}))).kind).toBe('processed');
    await service.handle(msg('b', {}));
    await service.handle(msg('c', { contentSha256: 'c'.repeat(64), perceptualHash: '0123456789abcdee' }));
    expect(output.published.map((p) => [p.imageId, p.value?.status, p.value?.duplicateOf, p.value?.similarity])).toEqual([
      ['a', 'UNIQUE', null, null],
      ['b', 'EXACT_DUPLICATE', 'a', 1],
      ['c', 'NEAR_DUPLICATE', 'a', 1],
    ]);
    expect(changelog.records.map((r) => [r.imageId, r.entry?.status, r.entry?.vector === null])).toEqual([
      ['a', 'UNIQUE', false],
      ['b', 'EXACT_DUPLICATE', true],
      ['c', 'NEAR_DUPLICATE', true],
    ]);
  });

  it('re-handling a message (redelivery) yields the same decision', async () => {
    const { service, output, changelog } = setup();
    await service.handle(msg('a', {}));
    await service.handle(msg('b', {}));
    changelog.failNext = true;
    await expect(service.handle(msg('a', {}))).rejects.toThrow('broker down');
    await service.handle(msg('a', {}));
    await service.handle(msg('b', {}));
    expect(output.published.map((p) => p.value?.status)).toEqual(['UNIQUE', 'EXACT_DUPLICATE', 'UNIQUE', 'EXACT_DUPLICATE']);
  });

  it('a crash after the changelog write and before the output: a new instance restored from the changelog re-publishes the same decision', async () => {
    const first = setup();
    await first.service.handle(msg('a', {}));
    await first.service.handle(msg('b', { perceptualHash: '0123456789abcdee', contentSha256: 'b'.repeat(64) }));
    // "kill -9": the process dies; only the changelog survives. A new instance restores it and gets the record again.
    const second = setup();
    for (const r of first.changelog.records) second.service.applyChangelog(r);
    await second.service.handle(msg('b', { perceptualHash: '0123456789abcdee', contentSha256: 'b'.repeat(64) }));
    await second.service.handle(msg('c', { contentSha256: 'c'.repeat(64), perceptualHash: 'fedcba9876543210' }));
    expect(second.output.published.map((p) => [p.imageId, p.value?.status, p.value?.duplicateOf])).toEqual([
      ['b', 'NEAR_DUPLICATE', 'a'],
      ['c', 'UNIQUE', null],
    ]);
  });

  it('a tombstone removes the image from state, is logged and passed on; a later copy is UNIQUE', async () => {
    const { service, output, changelog, state } = setup();
    await service.handle(msg('a', {}));
    await service.handle(msg('a', null));
    expect(state.get('a')).toBeUndefined();
    expect(changelog.records.at(-1)).toEqual({ imageId: 'a', entry: null, offset: '1' });
    expect(output.published.at(-1)).toEqual({ imageId: 'a', value: null });
    await service.handle(msg('z', {}));
    expect(output.published.at(-1)?.value?.status).toBe('UNIQUE');
  });

  it('dead-letters bad input with a reason: NaN, infinity, wrong dim, unknown model version, not normalised, bad pHash or crop hashes, key mismatch; the stream goes on', async () => {
    const { service, output } = setup();
    const cases: [string, ConsumedMessage<VectorExtracted>, string][] = [
      ['nan', msg('n', { vector: vectorToBytes([Number.NaN, 0, 0, 0]) }), 'VECTOR_NOT_FINITE'],
      ['infinity', msg('i', { vector: vectorToBytes([Number.POSITIVE_INFINITY, 0, 0, 0]) }), 'VECTOR_NOT_FINITE'],
      ['bytes differ from dim', msg('d', { dim: 8 }), 'VECTOR_DIM_MISMATCH'],
      ['dim differs from the model', msg('m', { dim: 6, vector: vectorToBytes([1, 0, 0, 0, 0, 0]) }), 'VECTOR_DIM_MISMATCH'],
      ['unknown model version', msg('u', { modelVersion: '9.9.9' }), 'MODEL_VERSION_UNKNOWN'],
      ['not normalised', msg('s', { vector: vectorToBytes([0.5, -1.25, 3, 0]) }), 'VECTOR_NOT_NORMALISED'],
      ['zero vector', msg('z', { vector: vectorToBytes([0, 0, 0, 0]) }), 'VECTOR_NOT_NORMALISED'],
      ['bad pHash', msg('p', { perceptualHash: 'xyz' }), 'PHASH_INVALID'],
      ['bad crop hash', msg('q', { cropHashes: ['0123456789abcdef', 'XYZ'] }), 'PHASH_INVALID'],
      ['too many crop hashes', msg('r', { cropHashes: Array.from({ length: 17 }, () => '0123456789abcdef') }), 'PHASH_INVALID'],
      ['key mismatch', { ...msg('k', {}), key: 'other' }, 'KEY_MISMATCH'],
    ];
    for (const [what, message, code] of cases) {
      const outcome = await service.handle(message);
      expect({ what, kind: outcome.kind }).toEqual({ what, kind: 'failed' });
      const error = outcome.kind === 'failed' ? outcome.error : undefined;
      expect({ what, code: (error as { code?: string } | undefined)?.code, retriable: (error as { retriable?: boolean } | undefined)?.retriable }).toEqual({ what, code, retriable: false });
    }
    expect(output.published).toEqual([]);
    // Still running: the next good record, of a version without a fixed dim and within tolerance, is classified.
    await service.handle(msg('ok', { modelVersion: '0.9.0', dim: 2, vector: vectorToBytes([0.6, 0.8000001]) }));
    expect(output.published.map((p) => [p.imageId, p.value?.status])).toEqual([['ok', 'UNIQUE']]);
  });

  it('applies changelog records from other instances, skipping stale ones and ids it is writing', async () => {
    const { service, state } = setup();
    const remote: DedupeEntry = { imageId: 'r', contentSha256: 'r'.repeat(64).replace(/r/g, 'e'), perceptualHash: 'fedcba9876543210', modelVersion: '1.0.0', vector: null, status: 'UNIQUE', duplicateOf: null, similarity: null };
    service.applyChangelog({ imageId: 'r', entry: remote, offset: '10' });
    expect(state.get('r')?.status).toBe('UNIQUE');
    service.applyChangelog({ imageId: 'r', entry: null, offset: '9' });
    expect(state.get('r')).toBeDefined();
    service.applyChangelog({ imageId: 'r', entry: null, offset: '11' });
    expect(state.get('r')).toBeUndefined();
    // Own write at offset 0 is known; replaying it from the tail changes nothing after a later tombstone at 1.
    await service.handle(msg('a', {}));
    await service.handle(msg('a', null));
    service.applyChangelog({ imageId: 'a', entry: { ...remote, imageId: 'a' }, offset: '0' });
    expect(state.get('a')).toBeUndefined();
  });
});
