import { ReplayRate, formatEstimate, replayPosition } from './replay-progress';

describe('replayPosition', () => {
  const ends = [
    { partition: 0, low: 0, high: 10 },
    { partition: 1, low: 5, high: 25 },
  ];

  it('counts a partition without a commit as not started, from its low watermark', () => {
    expect(replayPosition(ends, new Map())).toEqual({ done: 0, remaining: 30 });
  });

  it('counts committed records as done, the rest as remaining', () => {
    expect(replayPosition(ends, new Map([[0, 10], [1, 15]]))).toEqual({ done: 20, remaining: 10 });
    expect(replayPosition(ends, new Map([[0, 10], [1, 25]]))).toEqual({ done: 30, remaining: 0 });
  });
});

describe('ReplayRate', () => {
  it('derives the rate from the recent window and the ETA from it', () => {
    const rate = new ReplayRate(10_000);
    expect(rate.add(0, { done: 0, remaining: 100 })).toMatchObject({ rate: 0, etaSeconds: undefined });
    const e = rate.add(5_000, { done: 20, remaining: 80 });
    expect(e.rate).toBeCloseTo(4);
    expect(e.etaSeconds).toBeCloseTo(20);
    // Old samples leave the window: a stall shows as a falling rate.
    rate.add(15_000, { done: 60, remaining: 40 });
    const later = rate.add(30_000, { done: 60, remaining: 40 });
    expect(later.rate).toBe(0);
    expect(later.etaSeconds).toBeUndefined();
  });

  it('reports an ETA of 0 once nothing remains', () => {
    const rate = new ReplayRate();
    rate.add(0, { done: 0, remaining: 3 });
    expect(rate.add(1_000, { done: 3, remaining: 0 })).toMatchObject({ done: 3, remaining: 0, etaSeconds: 0 });
  });

  it('formats the progress line', () => {
    expect(formatEstimate({ done: 12, remaining: 18, rate: 4.06, etaSeconds: 4.4 })).toBe('12/30 done, 18 remaining, 4.1 images/s, ETA 4 s');
    expect(formatEstimate({ done: 0, remaining: 5000, rate: 0, etaSeconds: undefined })).toContain('ETA ?');
  });
});
