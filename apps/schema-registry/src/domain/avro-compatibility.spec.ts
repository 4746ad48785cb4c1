import { parseAvroSchema } from './avro-schema';
import { compatibilityProblems, PreviousVersion } from './avro-compatibility';
import { COMPATIBILITY_LEVELS, CompatibilityLevel } from './compatibility-level';

const record = (fields: unknown[]): string => JSON.stringify({ type: 'record', name: 'Item', namespace: 't', fields });
const type = (text: string) => parseAvroSchema(text).type;
const history = (...texts: string[]): PreviousVersion[] => texts.map((text, i) => ({ version: i + 1, type: type(text) }));
const ok = (candidate: string, previous: PreviousVersion[], level: CompatibilityLevel): boolean =>
  compatibilityProblems(type(candidate), previous, level).length === 0;

// Concrete schema pairs (v1 is the previous version):
const v1 = record([{ name: 'id', type: 'string' }]);
/** adds a field with a default: readable both ways */
const addWithDefault = record([{ name: 'id', type: 'string' }, { name: 'size', type: 'int', default: 0 }]);
/** adds a field without a default: new cannot read old data (not BACKWARD); old can read new (FORWARD) */
const addRequired = record([{ name: 'id', type: 'string' }, { name: 'size', type: 'int' }]);
/** removes a field without default: new reads old (BACKWARD); old cannot read new (not FORWARD) */
const v1WithRequiredSize = addRequired;
const removeRequired = v1;
/** int → long promotion: long reader reads int data; int reader cannot read long data */
const intField = record([{ name: 'n', type: 'int' }]);
const longField = record([{ name: 'n', type: 'long' }]);
/** type change string → int: neither way */
const intId = record([{ name: 'id', type: 'int' }]);

describe('compatibilityProblems, one previous version', () => {
  it.each<[string, string, string, Record<CompatibilityLevel, boolean>]>([
    ['field added with default', v1, addWithDefault, { NONE: true, BACKWARD: true, BACKWARD_TRANSITIVE: true, FORWARD: true, FORWARD_TRANSITIVE: true, FULL: true, FULL_TRANSITIVE: true }],
    ['field added without default', v1, addRequired, { NONE: true, BACKWARD: false, BACKWARD_TRANSITIVE: false, FORWARD: true, FORWARD_TRANSITIVE: true, FULL: false, FULL_TRANSITIVE: false }],
    ['required field removed', v1WithRequiredSize, removeRequired, { NONE: true, BACKWARD: true, BACKWARD_TRANSITIVE: true, FORWARD: false, FORWARD_TRANSITIVE: false, FULL: false, FULL_TRANSITIVE: false }],
    ['int promoted to long', intField, longField, { NONE: true, BACKWARD: true, BACKWARD_TRANSITIVE: true, FORWARD: false, FORWARD_TRANSITIVE: false, FULL: false, FULL_TRANSITIVE: false }],
    ['long narrowed to int', longField, intField, { NONE: true, BACKWARD: false, BACKWARD_TRANSITIVE: false, FORWARD: true, FORWARD_TRANSITIVE: true, FULL: false, FULL_TRANSITIVE: false }],
    ['string changed to int', v1, intId, { NONE: true, BACKWARD: false, BACKWARD_TRANSITIVE: false, FORWARD: false, FORWARD_TRANSITIVE: false, FULL: false, FULL_TRANSITIVE: false }],
  ])('%s', (_what, previous, candidate, expected) => {
    for (const level of COMPATIBILITY_LEVELS) {
      expect({ level, compatible: ok(candidate, history(previous), level) }).toEqual({ level, compatible: expected[level] });
    }
  });

  it('enum: adding a symbol is BACKWARD but not FORWARD (old reader has no default symbol)', () => {
    const e = (symbols: string[]) => JSON.stringify({ type: 'enum', name: 'Colour', symbols });
    expect(ok(e(['RED', 'BLUE']), history(e(['RED'])), 'BACKWARD')).toBe(true);
    expect(ok(e(['RED', 'BLUE']), history(e(['RED'])), 'FORWARD')).toBe(false);
  });

  it('a renamed record is incompatible unless the new one aliases the old name', () => {
    const renamed = JSON.stringify({ type: 'record', name: 'Thing', namespace: 't', fields: [{ name: 'id', type: 'string' }] });
    const aliased = JSON.stringify({ type: 'record', name: 'Thing', namespace: 't', aliases: ['Item'], fields: [{ name: 'id', type: 'string' }] });
    expect(ok(renamed, history(v1), 'BACKWARD')).toBe(false);
    expect(ok(aliased, history(v1), 'BACKWARD')).toBe(true);
  });
});

describe('compatibilityProblems, transitive levels', () => {
  // v1 {id}, v2 {id, size default 0}, candidate {id, size required}:
  // the candidate reads v2 data (size present) but not v1 data (no size, no default).
  const v2 = addWithDefault;
  const candidate = addRequired;

  it('BACKWARD checks only the latest version', () => {
    expect(ok(candidate, history(v1, v2), 'BACKWARD')).toBe(true);
  });

  it('BACKWARD_TRANSITIVE checks every version', () => {
    const problems = compatibilityProblems(type(candidate), history(v1, v2), 'BACKWARD_TRANSITIVE');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('version 1');
  });

  it('FORWARD vs FORWARD_TRANSITIVE: old readers of every version must read the candidate', () => {
    // v1 {n:int} then v2 {n:long}; candidate {n:long}. v2 reads it; v1 (int) cannot read long data.
    expect(ok(longField, history(intField, longField), 'FORWARD')).toBe(true);
    expect(ok(longField, history(intField, longField), 'FORWARD_TRANSITIVE')).toBe(false);
  });

  it('FULL vs FULL_TRANSITIVE', () => {
    // v1 {id}, v2 {id, size default 0}, candidate {id, size default 0, colour default ""}: fine both ways with all.
    const fuller = record([{ name: 'id', type: 'string' }, { name: 'size', type: 'int', default: 0 }, { name: 'colour', type: 'string', default: '' }]);
    expect(ok(fuller, history(v1, v2), 'FULL_TRANSITIVE')).toBe(true);
    // The candidate {id, size required} is FULL with v2 (size has a default there) but cannot read v1 data.
    expect(ok(candidate, history(v1, v2), 'FULL')).toBe(true);
    expect(ok(candidate, history(v1, v2), 'FULL_TRANSITIVE')).toBe(false);
  });

  it('NONE accepts anything and an empty history accepts anything', () => {
    expect(ok(intId, history(v1), 'NONE')).toBe(true);
    expect(ok(intId, [], 'FULL_TRANSITIVE')).toBe(true);
  });
});
