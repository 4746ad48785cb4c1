import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as avro from 'avsc';
import { allContracts, imageArrivedContract } from '../contracts';
import { checkHistoryOffline, formatTable } from './compatibility-check';
import { loadReleasedHistory } from './released-history';
import { loadSchemaFixtures } from './schema-fixtures';
import { releaseContracts } from './schema-release';

describe('compatibility check (offline, avsc schema resolution)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'schemas-history-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the working copy of schemas/avro can read every released version (fails CI on an incompatible change)', () => {
    const rows = checkHistoryOffline(allContracts(), loadReleasedHistory());
    expect(rows.filter((r) => r.outcome !== 'COMPATIBLE')).toEqual([]);
    expect(new Set(rows.map((r) => r.subject))).toEqual(new Set(['image-arrived', 'vector-extracted', 'vector-cleaned', 'index-updated', 'dead-letter']));
  });

  it('reports a released version the working copy cannot read', () => {
    const v1 = JSON.parse(JSON.stringify(imageArrivedContract.schema)) as { fields: { name: string; type: unknown }[] };
    const source = v1.fields.find((f) => f.name === 'source') as { type: { symbols: string[] } };
    source.type.symbols.push('television');
    mkdirSync(join(dir, 'image-arrived'));
    writeFileSync(join(dir, 'image-arrived', 'v1.avsc'), JSON.stringify(v1));
    const rows = checkHistoryOffline([imageArrivedContract], loadReleasedHistory(dir));
    expect(rows).toEqual([expect.objectContaining({ subject: 'image-arrived', against: 'released v1', outcome: 'INCOMPATIBLE' })]);
  });

  it('marks contracts without history as NEW and rejects gaps in the history', () => {
    expect(checkHistoryOffline([imageArrivedContract], new Map())).toEqual([expect.objectContaining({ outcome: 'NEW' })]);
    mkdirSync(join(dir, 'image-arrived'));
    writeFileSync(join(dir, 'image-arrived', 'v2.avsc'), JSON.stringify(imageArrivedContract.schema));
    expect(() => loadReleasedHistory(dir)).toThrow(/gap: expected v1\.avsc/);
  });

  it('release freezes a changed contract as the next version and leaves unchanged ones alone', () => {
    const first = releaseContracts([imageArrivedContract], loadReleasedHistory(dir), dir);
    expect(first).toEqual([expect.objectContaining({ action: 'RELEASED', version: 1 })]);
    expect(JSON.parse(readFileSync(join(dir, 'image-arrived', 'v1.avsc'), 'utf8'))).toEqual(imageArrivedContract.schema);
    const again = releaseContracts([imageArrivedContract], loadReleasedHistory(dir), dir);
    expect(again).toEqual([expect.objectContaining({ action: 'UNCHANGED', version: 1 })]);
  });

  it.each(loadSchemaFixtures().map((c) => [`${c.expected}/${c.name}`, c] as const))('fixture %s: avsc agrees with the expected verdict', (_label, fixture) => {
    const reader = avro.Type.forSchema(JSON.parse(fixture.newSchema) as avro.Schema);
    const writer = avro.Type.forSchema(JSON.parse(fixture.oldSchema) as avro.Schema);
    const canRead = ((): boolean => {
      try {
        reader.createResolver(writer);
        return true;
      } catch {
        return false;
      }
    })();
    expect(canRead).toBe(fixture.expected === 'compatible');
  });

  it('formats a table', () => {
    expect(formatTable(['a', 'bb'], [['xxx', 'y']])).toBe('a    bb\n---  --\nxxx  y');
  });
});
