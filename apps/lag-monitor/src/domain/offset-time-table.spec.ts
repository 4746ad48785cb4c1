import { GroupFilter } from './group-filter';
import { OffsetTimeTable } from './offset-time-table';

const T0 = 1_700_000_000_000;

describe('OffsetTimeTable', () => {
  it('estimates the append time of an offset by interpolating between observed end offsets', () => {
    const table = new OffsetTimeTable(100);
    table.record(0, T0);
    table.record(100, T0 + 10_000); // offsets 0..99 appended in (T0, T0+10s]
    table.record(200, T0 + 20_000);
    // offset 49 → 50 % of the way from T0 to T0+10s → appended at T0+5s; now is T0+30s.
    expect(table.ageOf(49, T0 + 30_000)).toEqual({ seconds: 25, lowerBound: false });
    expect(table.ageOf(150, T0 + 30_000).seconds).toBeCloseTo(14.9, 5);
  });

  it('gives 0 for an offset at or past the end', () => {
    const table = new OffsetTimeTable(100);
    table.record(10, T0);
    expect(table.ageOf(10, T0 + 5000)).toEqual({ seconds: 0, lowerBound: false });
  });

  it('gives a lower bound for a message older than the first observation', () => {
    const table = new OffsetTimeTable(100);
    table.record(500, T0);
    expect(table.ageOf(3, T0 + 60_000)).toEqual({ seconds: 60, lowerBound: true });
  });

  it('keeps at most maxPoints points, turning older offsets into lower bounds', () => {
    const table = new OffsetTimeTable(2);
    table.record(0, T0);
    table.record(10, T0 + 1000);
    table.record(20, T0 + 2000); // drops the point at offset 0
    expect(table.ageOf(5, T0 + 10_000)).toEqual({ seconds: 9, lowerBound: true });
  });

  it('tracks when the end last advanced, not when it was first seen', () => {
    const table = new OffsetTimeTable(10);
    table.record(5, T0);
    expect(table.lastAdvancedAtMs()).toBeUndefined();
    table.record(5, T0 + 1000);
    table.record(7, T0 + 2000);
    table.record(7, T0 + 3000);
    expect(table.lastAdvancedAtMs()).toBe(T0 + 2000);
  });

  it('starts over when the end offset shrinks (topic recreated)', () => {
    const table = new OffsetTimeTable(10);
    table.record(100, T0);
    table.record(200, T0 + 1000);
    table.record(3, T0 + 2000);
    expect(table.ageOf(1, T0 + 4000)).toEqual({ seconds: 2, lowerBound: true });
  });
});

describe('GroupFilter', () => {
  it('accepts every group when no allowlist or prefix is configured, minus exclusions', () => {
    const filter = new GroupFilter([], [], ['self']);
    expect(filter.accepts('extractor')).toBe(true);
    expect(filter.accepts('self')).toBe(false);
  });

  it('accepts listed groups and prefixes only', () => {
    const filter = new GroupFilter(['dedupe'], ['stylestream-']);
    expect(filter.accepts('dedupe')).toBe(true);
    expect(filter.accepts('stylestream-extractor')).toBe(true);
    expect(filter.accepts('other')).toBe(false);
  });
});
