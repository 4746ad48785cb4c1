import { decodeRecord, encodeRecord, RegistryRecord } from './registry-record';

describe('schemas log record codec', () => {
  const records: RegistryRecord[] = [
    { kind: 'SCHEMA_ID', id: 3, schemaType: 'AVRO', schema: '"string"' },
    { kind: 'SUBJECT_VERSION', subject: 'a-value', version: 2, id: 3, deleted: true },
    { kind: 'SUBJECT_VERSION_PURGED', subject: 'a-value', version: 2 },
    { kind: 'CONFIG', subject: null, compatibilityLevel: 'FULL' },
    { kind: 'CONFIG', subject: 'a-value', compatibilityLevel: 'NONE' },
    { kind: 'CONFIG_CLEARED', subject: 'a-value' },
  ];

  it.each(records)('round-trips $kind', (record) => {
    const { key, value } = encodeRecord(record);
    expect(decodeRecord(key, value)).toEqual(record);
  });

  it('gives a version and its purge the same compaction key, and each id its own', () => {
    expect(encodeRecord(records[1]).key).toBe(encodeRecord(records[2]).key);
    expect(encodeRecord(records[2]).value).toBeNull();
    expect(encodeRecord(records[0]).key).not.toBe(encodeRecord({ kind: 'SCHEMA_ID', id: 4, schemaType: 'AVRO', schema: '"int"' }).key);
  });

  it('ignores keys of unknown kinds (a newer format) and rejects malformed values', () => {
    expect(decodeRecord('{"keytype":"MODE","format":2}', '{"mode":"READONLY"}')).toBeUndefined();
    expect(() => decodeRecord('{"keytype":"SCHEMA_ID","format":1,"id":1}', '{"id":0,"schema":"x"}')).toThrow(/bad id/);
    expect(() => decodeRecord('{"keytype":"CONFIG","format":1,"subject":null}', '{"compatibilityLevel":"SOMETIMES"}')).toThrow();
    expect(() => decodeRecord('not json', null)).toThrow();
  });
});
