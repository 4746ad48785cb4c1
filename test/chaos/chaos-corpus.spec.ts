import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { buildCorpus, corpusShares } from './chaos-corpus';
import { formatTable, type ScenarioResult } from './chaos-run';

describe('chaos corpus', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chaos-corpus-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('splits a run into uniques, copies, tombstones and at least two bad files', () => {
    const shares = corpusShares(2000);
    expect(shares).toEqual({ unique: 1490, exact: 200, near: 200, tombstone: 100, bad: 10 });
    expect(Object.values(corpusShares(100)).reduce((a, b) => a + b, 0)).toBe(100);
    expect(corpusShares(100).bad).toBe(2);
    expect(() => corpusShares(5)).toThrow(/too few/);
  });

  // Slow under jest on a loaded 2-core machine (pixel loop in the vm context): its own timeout.
  it('derives what every store must hold from how the corpus was made', async () => {
    const corpus = await buildCorpus(dir, 200, 7, 'run');
    expect(corpus.events).toHaveLength(200);
    const byKind = (kind: string): typeof corpus.events => corpus.events.filter((e) => e.kind === kind);
    const tombstoned = new Set(byKind('tombstone').map((e) => e.id));
    expect(corpus.expectedIndexIds.size).toBe(corpus.counts.unique - corpus.counts.tombstone);
    for (const id of tombstoned) expect(corpus.expectedIndexIds.has(id)).toBe(false);
    expect(corpus.expectedLiveIds.size).toBe(200 - 2 * corpus.counts.tombstone);
    expect([...corpus.badIds].sort()).toEqual(byKind('bad').map((e) => e.id).sort());
    // Uniques come first, tombstones last.
    expect(corpus.events.slice(0, corpus.counts.unique).every((e) => e.kind === 'unique')).toBe(true);
    expect(corpus.events.slice(-corpus.counts.tombstone).every((e) => e.kind === 'tombstone' && e.value === null)).toBe(true);
    // Exact copies share bytes with a unique; near copies share none.
    const bytesOf = (e: (typeof corpus.events)[number]): string => readFileSync(fileURLToPath(e.value?.uri ?? '')).toString('base64');
    const uniqueBytes = new Set(byKind('unique').map(bytesOf));
    for (const e of byKind('exact')) expect(uniqueBytes.has(bytesOf(e))).toBe(true);
    for (const e of byKind('near')) expect(uniqueBytes.has(bytesOf(e))).toBe(false);
    // No copy is of a unique that gets taken down (its verdict would depend on the order).
    const tombstonedBytes = new Set(byKind('unique').filter((e) => tombstoned.has(e.id)).map(bytesOf));
    for (const e of byKind('exact')) expect(tombstonedBytes.has(bytesOf(e))).toBe(false);
  }, 120_000);

  it('makes each near copy differ from its PNG original in one pixel', async () => {
    const corpus = await buildCorpus(dir, 200, 11, 'run');
    const pixelsOf = async (e: (typeof corpus.events)[number]): Promise<Buffer> => sharp(fileURLToPath(e.value?.uri ?? '')).raw().toBuffer();
    const originals = await Promise.all(corpus.events.filter((e) => e.kind === 'unique').map(async (e) => ({ jpeg: (e.value?.uri ?? '').endsWith('.jpg'), pixels: await pixelsOf(e) })));
    const nears = corpus.events.filter((e) => e.kind === 'near');
    const closest = await Promise.all(
      nears.map(async (e) => {
        const near = await pixelsOf(e);
        const differing = (o: Buffer): number => Array.from({ length: near.length / 3 }, (_, p) => (o.compare(near, p * 3, p * 3 + 3, p * 3, p * 3 + 3) === 0 ? 0 : 1)).reduce<number>((a, b) => a + b, 0);
        return originals.map((o) => ({ jpeg: o.jpeg, pixels: differing(o.pixels) })).sort((a, b) => a.pixels - b.pixels)[0];
      }),
    );
    expect(closest.map((c) => [c?.pixels, c?.jpeg])).toEqual(nears.map(() => [1, false]));
  }, 120_000);

  it('prints one row per scenario, with the reason of one not run', () => {
    const row: ScenarioResult = {
      scenario: '1. kill -9 each app',
      ran: true,
      note: '',
      events: 300,
      lost: 1,
      duplicated: 0,
      catalog: { expected: 270, actual: 270 },
      analytics: { expected: 270, actual: 269 },
      dlq: { records: 3, distinct: 2, expected: 2, exact: true },
      maxLag: 223,
      recoveryMs: 1700,
      faults: [],
      search: { queries: 60, answered: 50, partial: 4, allLate: 3, ownersDown: 5, factsUnavailable: 0, failed: 2, slowestMs: 900, probeLoopStallMaxMs: 20 },
      ok: false,
    };
    const table = formatTable([row, { ...row, scenario: '5. slow shard owner', ran: false, note: 'not run: x' }]).split('\n');
    expect(table).toHaveLength(4);
    expect(table[2]).toMatch(/1\. kill -9 each app \| 300 +\| 1 +\| 0 +\| 3\/2\/2 .*\| 223 .*\| 1\.7 s .*\| 270\/270 .*\| 269\/270 .*\| 50\/4\/8\/2 .*\| FAIL/);
    expect(table[3]).toMatch(/not run: x$/);
  });
});
