import { parsePerceptualHash } from '@stylestream/schemas';
import { DedupeState, type DedupeEntry } from './dedupe-state';
import { decodeStateRecord, encodeStateRecord } from './state-record.codec';

const canonical: DedupeEntry = {
  imageId: 'orig',
  contentSha256: 'a'.repeat(64),
  perceptualHash: '0123456789abcdef',
  cropHashes: ['fedcba9876543210', '1111222233334444'],
  fineHashes: ['0123456789abcdef'.repeat(4)],
  modelVersion: '1.0.0',
  vector: Float32Array.from([0.6, 0.8]),
  status: 'UNIQUE',
  duplicateOf: null,
  similarity: null,
};

describe('state record codec', () => {
  it('round-trips an entry with its crop and fine hashes and vector', () => {
    expect(decodeStateRecord(encodeStateRecord(canonical))).toEqual(canonical);
  });

  it('reads records written before crop hashes existed as having none', () => {
    const old = JSON.parse(encodeStateRecord(canonical).toString('utf8')) as Record<string, unknown>;
    delete old.cropHashes;
    delete old.fineHashes;
    expect(decodeStateRecord(Buffer.from(JSON.stringify(old)))).toMatchObject({ cropHashes: [], fineHashes: [] });
  });

  it('rejects records that are not version-1 state records', () => {
    expect(() => decodeStateRecord(Buffer.from('{"v":2}'))).toThrow(/invalid/);
    expect(() => decodeStateRecord(Buffer.from('nope'))).toThrow(/not JSON/);
  });

  it('rebuilds every derived index from restored records (crop bands, vector graph)', () => {
    const restored = new DedupeState({ vectorCandidates: 3 });
    restored.put(decodeStateRecord(encodeStateRecord(canonical)));
    expect(restored.nearCandidates({ hash: parsePerceptualHash('fedcba9876543211') }).map((e) => e.imageId)).toEqual(['orig']);
    const byVector = { hash: parsePerceptualHash('5a5a5a5a5a5a5a5a'), vector: { modelVersion: '1.0.0', values: Float32Array.from([0.8, 0.6]) } };
    expect(restored.nearCandidates(byVector).map((e) => e.imageId)).toEqual(['orig']);
  });
});
