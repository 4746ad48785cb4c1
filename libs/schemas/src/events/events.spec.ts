import { readFileSync } from 'node:fs';
import * as avro from 'avsc';
import {
  DEDUP_STATUSES,
  IMAGE_SOURCES,
  LABEL_DIMENSIONS,
  bytesToVector,
  emptyLabels,
  sampleDeadLetter,
  sampleImageArrived,
  sampleIndexUpdated,
  sampleVectorCleaned,
  sampleVectorExtracted,
  vectorToBytes,
} from './index';
import { avroSchemasDir, avscPath } from '../contracts';

/** Parsed independently of the contracts code, so a bug there cannot hide drift. */
function typeOf(name: string): avro.Type {
  return avro.Type.forSchema(JSON.parse(readFileSync(avscPath(avroSchemasDir(), name), 'utf8')) as avro.Schema);
}

/** Plain JSON-comparable copy (avsc returns record class instances). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

describe('TS interfaces match the .avsc schemas (round-trip through avsc)', () => {
  const cases: [string, unknown][] = [
    ['image-arrived', sampleImageArrived()],
    ['vector-extracted', sampleVectorExtracted()],
    ['vector-cleaned', sampleVectorCleaned()],
    ['index-updated', sampleIndexUpdated()],
    ['dead-letter', sampleDeadLetter()],
  ];

  it.each(cases)('%s: a fully populated sample round-trips unchanged', (name, sample) => {
    const type = typeOf(name);
    expect(type.isValid(sample)).toBe(true);
    const decoded: unknown = type.fromBuffer(type.toBuffer(sample));
    expect(plain(decoded)).toEqual(plain(sample));
  });

  it('every field of every sample is a field of its schema and vice versa', () => {
    for (const [name, sample] of cases) {
      const schemaFields = (typeOf(name) as avro.types.RecordType).fields.map((f) => f.name).sort();
      expect([name, Object.keys(sample as object).sort()]).toEqual([name, schemaFields]);
    }
  });

  it('optional fields may be omitted: they take their null/[]/{} defaults', () => {
    const type = typeOf('image-arrived');
    const minimal = { imageId: 'i', uri: 'file:///i.jpg', source: 'street', publishedAt: 1, crawledAt: 2, labels: emptyLabels(), attributes: {} };
    expect(plain(type.fromBuffer(type.toBuffer(minimal)))).toEqual({ ...minimal, bloggerId: null, title: null, contentSha256: null });
    const cleaned = typeOf('vector-cleaned');
    const unique = { ...sampleVectorCleaned({ status: 'UNIQUE' }), duplicateOf: undefined, similarity: undefined };
    expect(cleaned.fromBuffer(cleaned.toBuffer(unique))).toMatchObject({ duplicateOf: null, similarity: null });
  });

  it('enum and label constants list the schema symbols/fields in order', () => {
    const arrived = typeOf('image-arrived') as avro.types.RecordType;
    const source = arrived.field('source').type as avro.types.EnumType;
    expect(source.symbols).toEqual([...IMAGE_SOURCES]);
    const labels = arrived.field('labels').type as avro.types.RecordType;
    expect(labels.fields.map((f) => f.name)).toEqual([...LABEL_DIMENSIONS]);
    const status = (typeOf('vector-cleaned') as avro.types.RecordType).field('status').type as avro.types.EnumType;
    expect(status.symbols).toEqual([...DEDUP_STATUSES]);
  });

  it('vectors are float32 little-endian without header', () => {
    const bytes = vectorToBytes([1, -2.5]);
    expect(bytes).toEqual(Buffer.from([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0]));
    expect(Array.from(bytesToVector(bytes))).toEqual([1, -2.5]);
    expect(() => bytesToVector(Buffer.alloc(3))).toThrow(RangeError);
  });
});
