/**
 * Integration: compatibility fixtures and the released-history check against
 * the real registry at stack.registryUrl. Real: registry. Unique subjects per case.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stack, uniqueName } from '@stylestream/test-support';
import { allContracts, imageArrivedContract } from '../contracts';
import { RegistryResponseError, RegistryRestClient } from '../registry/registry-rest-client';
import { checkHistoryWithRegistry, checkLiveRegistry } from './compatibility-check';
import { loadReleasedHistory } from './released-history';
import { loadSchemaFixtures } from './schema-fixtures';

const rest = new RegistryRestClient(stack.registryUrl);

describe('compatibility fixtures against the real registry (BACKWARD)', () => {
  it.each(loadSchemaFixtures().map((c) => [`${c.expected}/${c.name}`, c] as const))('%s', async (_label, fixture) => {
    const subject = `${uniqueName(`fixture-${fixture.name}`)}-value`;
    await rest.setCompatibility(subject, 'BACKWARD');
    const oldId = await rest.register(subject, fixture.oldSchema);
    const verdict = await rest.testCompatibility(subject, fixture.newSchema);
    if (fixture.expected === 'compatible') {
      expect(verdict).toEqual(expect.objectContaining({ compatible: true }));
      const newId = await rest.register(subject, fixture.newSchema);
      expect(newId).not.toBe(oldId);
      expect(await rest.versions(subject)).toEqual([1, 2]);
    } else {
      expect(verdict).toEqual(expect.objectContaining({ compatible: false }));
      let rejected: unknown;
      try {
        await rest.register(subject, fixture.newSchema);
      } catch (err) {
        rejected = err;
      }
      expect(rejected).toBeInstanceOf(RegistryResponseError);
      expect(rejected).toMatchObject({ status: 409, errorCode: 409, code: 'SCHEMA_INCOMPATIBLE' });
      expect(await rest.versions(subject)).toEqual([1]);
    }
    await rest.deleteSubject(subject);
  });

  it('rejects an invalid Avro schema with 42201', async () => {
    const subject = `${uniqueName('fixture-invalid')}-value`;
    await expect(rest.register(subject, '{"type":"record","name":"X","fields":[{"name":"a","type":"nosuchtype"}]}')).rejects.toMatchObject({
      status: 422,
      errorCode: 42201,
    });
  });
});

describe('released history check against the real registry', () => {
  it('the working copy of schemas/avro is BACKWARD compatible with every released version (fails CI otherwise)', async () => {
    const rows = await checkHistoryWithRegistry(rest, allContracts(), loadReleasedHistory(), uniqueName('_history'));
    expect(rows.filter((r) => r.outcome !== 'COMPATIBLE')).toEqual([]);
    expect(rows).toHaveLength(5);
  });

  it('catches an incompatible change on a fresh registry and cleans its scratch subjects up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'schemas-history-'));
    try {
      const v1 = JSON.parse(JSON.stringify(imageArrivedContract.schema)) as { fields: { name: string; type: unknown }[] };
      (v1.fields.find((f) => f.name === 'source') as { type: { symbols: string[] } }).type.symbols.push('television');
      mkdirSync(join(dir, 'image-arrived'));
      writeFileSync(join(dir, 'image-arrived', 'v1.avsc'), JSON.stringify(v1));
      const prefix = uniqueName('_history');
      const rows = await checkHistoryWithRegistry(rest, [imageArrivedContract], loadReleasedHistory(dir), prefix);
      expect(rows).toEqual([expect.objectContaining({ subject: 'image-arrived', against: 'released v1', outcome: 'INCOMPATIBLE' })]);
      expect(await rest.versions(`${prefix}-image-arrived-value`)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('treats subjects unknown to a live registry as NEW', async () => {
    const rows = await checkLiveRegistry(rest, [imageArrivedContract.onTopic(uniqueName('schemas-new'))]);
    expect(rows).toEqual([expect.objectContaining({ outcome: 'NEW' })]);
  });
});
