import { RegistryService } from './registry.service';
import { RegistryState } from './registry-state';
import { RegistryError } from './registry-errors';
import { InMemorySchemaLog } from '../store/in-memory-schema-log';
import type { EncodedRecord } from '../store/registry-record';

const record = (fields: unknown[], name = 'Item') => ({ schema: JSON.stringify({ type: 'record', name, fields }) });
const v1 = record([{ name: 'id', type: 'string' }]);
const v2 = record([{ name: 'id', type: 'string' }, { name: 'size', type: 'int', default: 0 }]);
const breaking = record([{ name: 'id', type: 'int' }]);

async function open(entries: EncodedRecord[] = []): Promise<{ registry: RegistryService; log: InMemorySchemaLog }> {
  const state = new RegistryState();
  const log = new InMemorySchemaLog(entries);
  await log.open((r) => state.apply(r));
  return { registry: new RegistryService(state, log), log };
}

async function errorOf(promise: Promise<unknown> | (() => unknown)): Promise<RegistryError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    if (err instanceof RegistryError) return err;
    throw err;
  }
  throw new Error('expected a RegistryError');
}

/** What Kafka log compaction may leave: the last entry per key, tombstones dropped. */
function compact(entries: EncodedRecord[]): EncodedRecord[] {
  const last = new Map<string, EncodedRecord>();
  for (const entry of entries) {
    last.delete(entry.key);
    last.set(entry.key, entry);
  }
  return [...last.values()].filter((e) => e.value !== null);
}

describe('RegistryService', () => {
  it('gives the same schema the same id, in one subject and across subjects', async () => {
    const { registry } = await open();
    const a = await registry.register('a-value', v1);
    expect(await registry.register('a-value', { schema: `  ${v1.schema}  ` })).toEqual(a);
    expect(await registry.register('b-value', v1)).toEqual(a);
    expect(registry.versions('a-value', false)).toEqual([1]);
    expect(registry.subjectVersionsOfId(a.id, false)).toEqual([
      { subject: 'a-value', version: 1 },
      { subject: 'b-value', version: 1 },
    ]);
  });

  it('serialises concurrent registrations: one id for 50 identical requests', async () => {
    const { registry } = await open();
    const ids = await Promise.all(Array.from({ length: 50 }, () => registry.register('c-value', v1)));
    expect(new Set(ids.map((r) => r.id)).size).toBe(1);
    expect(registry.versions('c-value', false)).toEqual([1]);
  });

  it('rejects an incompatible version with 409 and accepts it under NONE', async () => {
    const { registry } = await open();
    await registry.register('s', v1);
    expect((await errorOf(registry.register('s', breaking))).errorCode).toBe(409);
    await registry.setLevel('s', 'none');
    expect(registry.subjectLevel('s', false)).toBe('NONE');
    const { id } = await registry.register('s', breaking);
    expect(registry.version('s', 'latest', false)).toMatchObject({ subject: 's', version: 2, id });
  });

  it('looks up a schema in a subject (40401, 40403)', async () => {
    const { registry } = await open();
    const { id } = await registry.register('s', v1);
    expect(registry.lookup('s', v1, false)).toMatchObject({ subject: 's', id, version: 1 });
    expect((await errorOf(() => registry.lookup('other', v1, false))).errorCode).toBe(40401);
    expect((await errorOf(() => registry.lookup('s', v2, false))).errorCode).toBe(40403);
  });

  it('rejects non-Avro schema types and references with 42201', async () => {
    const { registry } = await open();
    expect((await errorOf(registry.register('s', { schema: '{}', schemaType: 'PROTOBUF' }))).errorCode).toBe(42201);
    expect((await errorOf(registry.register('s', { ...v1, references: [{ name: 'x', subject: 'y', version: 1 }] }))).errorCode).toBe(42201);
    expect(await registry.register('s', { ...v1, references: [] })).toEqual({ id: 1 });
  });

  it('soft-deletes, then permanently deletes, as Confluent does', async () => {
    const { registry } = await open();
    await registry.register('s', v1);
    await registry.register('s', v2);
    expect((await errorOf(registry.deleteVersion('s', 1, true))).errorCode).toBe(40407);
    expect(await registry.deleteVersion('s', 1, false)).toBe(1);
    expect(registry.versions('s', false)).toEqual([2]);
    expect(registry.versions('s', true)).toEqual([1, 2]);
    expect((await errorOf(() => registry.version('s', 1, false))).errorCode).toBe(40402);
    expect(await registry.deleteVersion('s', 1, true)).toBe(1);
    expect((await errorOf(registry.deleteSubject('s', true))).errorCode).toBe(40405);
    expect(await registry.deleteSubject('s', false)).toEqual([2]);
    expect(registry.subjects(false)).toEqual([]);
    expect(registry.subjects(true)).toEqual(['s']);
    expect((await errorOf(registry.deleteSubject('s', false))).errorCode).toBe(40404);
    expect(await registry.deleteSubject('s', true)).toEqual([2]);
    expect(registry.subjects(true)).toEqual([]);
    // ids stay: the schema is still readable by id, and re-registering reuses it.
    expect(registry.schemaById(1).schema).toBe(v1.schema);
    expect(await registry.register('s', v1)).toEqual({ id: 1 });
  });

  it('numbers versions after soft-deleted ones', async () => {
    const { registry } = await open();
    await registry.register('s', v1);
    await registry.deleteSubject('s', false);
    await registry.register('s', v2);
    expect(registry.versions('s', false)).toEqual([2]);
  });

  it('rebuilds the same state after a restart and after log compaction', async () => {
    const { registry, log } = await open();
    const a = await registry.register('s', v1);
    const b = await registry.register('s', v2);
    await registry.register('t', record([{ name: 'x', type: 'long' }], 'T'));
    await registry.setLevel('s', 'FULL');
    await registry.deleteSubject('t', false);
    await registry.deleteSubject('t', true);

    for (const entries of [log.entries, compact(log.entries)]) {
      const { registry: restarted } = await open([...entries]);
      expect(restarted.version('s', 1, false).id).toBe(a.id);
      expect(restarted.version('s', 2, false).id).toBe(b.id);
      expect(restarted.subjects(true)).toEqual(['s']);
      expect(restarted.subjectLevel('s', false)).toBe('FULL');
      // the id of the purged subject's schema is never reused
      const next = await restarted.register('u', record([{ name: 'y', type: 'boolean' }], 'U'));
      expect(next.id).toBe(4);
    }
  });

  it('validates versions and compatibility levels (42202, 42203)', async () => {
    const { registry } = await open();
    expect((await errorOf(registry.setLevel(null, 'SIDEWAYS'))).errorCode).toBe(42203);
    const { parseVersion } = await import('./registry.service');
    expect(parseVersion('latest')).toBe('latest');
    expect(parseVersion('-1')).toBe('latest');
    expect(parseVersion('7')).toBe(7);
    for (const bad of ['0', 'abc', '1.5', '2147483648']) expect((await errorOf(() => parseVersion(bad))).errorCode).toBe(42202);
  });

  it('answers the global level, and subject levels only when set unless defaultToGlobal', async () => {
    const { registry } = await open();
    expect(registry.globalLevel()).toBe('BACKWARD');
    expect((await errorOf(() => registry.subjectLevel('s', false))).errorCode).toBe(40408);
    expect(registry.subjectLevel('s', true)).toBe('BACKWARD');
    await registry.setLevel(null, 'FORWARD');
    expect(registry.subjectLevel('s', true)).toBe('FORWARD');
    await registry.setLevel('s', 'FULL');
    expect(await registry.clearLevel('s')).toBe('FULL');
    expect((await errorOf(() => registry.subjectLevel('s', false))).errorCode).toBe(40408);
  });
});
