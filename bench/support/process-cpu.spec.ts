import { median, metricsCost, processCpuSeconds } from './process-cpu';

describe('processCpuSeconds', () => {
  it('reads a growing CPU time of this process', () => {
    const before = processCpuSeconds(process.pid);
    const until = Date.now() + 80;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    const after = processCpuSeconds(process.pid);
    expect(before).toBeGreaterThanOrEqual(0);
    expect(after).toBeGreaterThan(before);
  });

  it('names the process it cannot read', () => {
    expect(() => processCpuSeconds(2 ** 30)).toThrow();
  });
});

describe('metricsCost', () => {
  it('compares medians of CPU per item and of throughput', () => {
    const on = [{ perSecond: 90, cpuPerItem: 1.1 }, { perSecond: 50, cpuPerItem: 5 }, { perSecond: 95, cpuPerItem: 1.05 }];
    const off = [{ perSecond: 100, cpuPerItem: 1 }, { perSecond: 100, cpuPerItem: 1 }];
    const cost = metricsCost(on, off);
    expect(cost.cpuPct).toBeCloseTo(10, 5);
    expect(cost.throughputPct).toBeCloseTo(10, 5);
  });

  it('takes the middle of an odd list and the mean of the middle two of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
