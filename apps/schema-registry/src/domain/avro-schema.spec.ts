import { canonicalAvroSchema, parseAvroSchema } from './avro-schema';
import { RegistryError } from './registry-errors';

const canonical = (schema: unknown): string => parseAvroSchema(JSON.stringify(schema)).canonical;

describe('canonicalAvroSchema', () => {
  it('ignores whitespace and attribute order', () => {
    const a = '{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}';
    const b = '{ "fields" : [ { "type" : "int", "name" : "x" } ],\n "name": "A", "type": "record" }';
    expect(parseAvroSchema(a).canonical).toBe(parseAvroSchema(b).canonical);
    expect(parseAvroSchema(a).canonical).toBe(a);
  });

  it('writes names fully qualified, whichever way the namespace was given', () => {
    const viaNamespace = canonical({ type: 'record', name: 'A', namespace: 'com.x', fields: [{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['P'] } }] });
    const viaFullName = canonical({ type: 'record', name: 'com.x.A', fields: [{ name: 'e', type: { type: 'enum', name: 'com.x.E', symbols: ['P'] } }] });
    expect(viaNamespace).toBe(viaFullName);
    expect(viaNamespace).toContain('"name":"com.x.E"');
    expect(viaNamespace).not.toContain('namespace');
  });

  it('qualifies references to named types', () => {
    const schema = {
      type: 'record',
      name: 'A',
      namespace: 'n',
      fields: [
        { name: 'f', type: { type: 'fixed', name: 'F', size: 4 } },
        { name: 'g', type: 'F' },
      ],
    };
    expect(canonical(schema)).toContain('{"name":"g","type":"n.F"}');
  });

  it('writes {"type":"int"} as "int" but keeps logical types', () => {
    expect(canonical({ type: 'int' })).toBe('"int"');
    expect(canonical('int')).toBe('"int"');
    expect(canonical({ type: 'long', logicalType: 'timestamp-millis' })).toBe('{"type":"long","logicalType":"timestamp-millis"}');
  });

  it('keeps doc and default, so they change identity', () => {
    const base = { type: 'record', name: 'A', fields: [{ name: 'x', type: 'int', default: 1 }] };
    const otherDefault = { type: 'record', name: 'A', fields: [{ name: 'x', type: 'int', default: 2 }] };
    const withDoc = { type: 'record', name: 'A', doc: 'about A', fields: [{ name: 'x', type: 'int', default: 1 }] };
    expect(canonical(base)).not.toBe(canonical(otherDefault));
    expect(canonical(base)).not.toBe(canonical(withDoc));
  });

  it('omits the default field order and sorts custom attributes and default objects', () => {
    const a = { type: 'record', name: 'A', 'connect.name': 'A', fields: [{ name: 'm', type: { type: 'map', values: 'int' }, order: 'ascending', default: { b: 1, a: 2 } }] };
    const b = { 'connect.name': 'A', fields: [{ default: { a: 2, b: 1 }, type: { values: 'int', type: 'map' }, name: 'm' }], name: 'A', type: 'record' };
    expect(canonical(a)).toBe(canonical(b));
    expect(canonical(a)).toBe('{"type":"record","name":"A","fields":[{"name":"m","type":{"type":"map","values":"int"},"default":{"a":2,"b":1}}],"connect.name":"A"}');
  });

  it('canonicalises unions branch by branch', () => {
    expect(canonicalAvroSchema(['null', { type: 'string' }])).toBe('["null","string"]');
  });
});

describe('parseAvroSchema', () => {
  const invalid = (text: unknown): RegistryError => {
    try {
      parseAvroSchema(text);
    } catch (err) {
      return err as RegistryError;
    }
    throw new Error('expected a RegistryError');
  };

  it.each([
    ['not JSON', '{"type":'],
    ['unknown type', '{"type":"recrd","name":"A","fields":[]}'],
    ['missing fields', '{"type":"record","name":"A"}'],
    ['default of the wrong type', '{"type":"record","name":"A","fields":[{"name":"x","type":"int","default":"one"}]}'],
    ['undefined named type', '{"type":"record","name":"A","fields":[{"name":"x","type":"Missing"}]}'],
    ['empty text', ''],
    ['not a string', 42],
  ])('rejects %s with 42201', (_what, text) => {
    const err = invalid(text);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err.errorCode).toBe(42201);
    expect(err.httpStatus).toBe(422);
  });
});
