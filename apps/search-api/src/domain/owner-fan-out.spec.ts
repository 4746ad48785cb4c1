import pino from 'pino';
import { FakeShardOwners } from '../../test/fake-shard-owners';
import { OwnerDirectory } from './owner-directory';
import { coverageOf, fanOut } from './owner-fan-out';

const logger = pino({ level: 'silent' });

describe('fanOut with per-owner deadlines', () => {
  it('settles at the deadline with the slow owner aborted and named, the others answered', async () => {
    const owners = new FakeShardOwners().add('http://a', { a1: [1, 0] }).add('http://b', { b1: [0, 1] }, ['b-s0', 'b-s1']).add('http://c', { c1: [1, 0] });
    const directory = new OwnerDirectory(['http://a', 'http://b', 'http://c'], owners, { refreshMs: 60_000, timeoutMs: 100, logger });
    await directory.refresh();
    owners.mode('http://b', 'hang');
    owners.mode('http://c', 'ignore-abort');
    const outcomes = await fanOut(owners, ['http://a', 'http://b', 'http://c'], { vector: [1, 0], k: 5 }, 30);
    expect(outcomes.map((o) => o.kind)).toEqual(['answered', 'deadline', 'deadline']);
    expect(owners.requests.filter((r) => r.owner !== 'http://a').every((r) => r.signal.aborted)).toBe(true);
    const coverage = coverageOf(outcomes, directory, undefined);
    expect(coverage).toMatchObject({ shards: 4, answered: 1, timedOut: 3, failed: 0, owners: { total: 3, answered: 1 } });
    expect(coverage.missing).toEqual([
      expect.objectContaining({ owner: 'http://b', shards: ['b-s0', 'b-s1'], reason: 'deadline' }),
      expect.objectContaining({ owner: 'http://c', shards: ['http://c-s0'], reason: 'deadline' }),
    ]);
  });

  it('counts a refused connection as failed, a 404 as rejected (not missing), an unlisted owner as one shard', async () => {
    const owners = new FakeShardOwners().add('http://a', { a1: [1, 0] }).add('http://b', {}).add('http://d', {});
    owners.mode('http://b', 'down');
    owners.mode('http://d', 'reject404');
    const directory = new OwnerDirectory(['http://a', 'http://b', 'http://d'], owners, { refreshMs: 60_000, timeoutMs: 100, logger });
    const outcomes = await fanOut(owners, ['http://a', 'http://b', 'http://d'], { vector: [1, 0], k: 5 }, 1_000);
    expect(outcomes.map((o) => o.kind)).toEqual(['answered', 'error', 'rejected']);
    expect(coverageOf(outcomes, directory, undefined)).toMatchObject({ shards: 2, answered: 1, timedOut: 0, failed: 1, missing: [{ owner: 'http://b', shards: [], reason: 'error' }] });
  });
});
