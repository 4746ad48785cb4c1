import { runReadinessProbes, type ReadinessProbe } from './health.controller';

const probe = (name: string, check: ReadinessProbe['check']): ReadinessProbe => ({ name, check });

describe('runReadinessProbes', () => {
  it('is ready when every probe passes, and with no probes', async () => {
    await expect(runReadinessProbes([])).resolves.toEqual({ status: 'ready', checks: [] });
    const report = await runReadinessProbes([probe('kafka', () => Promise.resolve({ ok: true }))]);
    expect(report).toEqual({ status: 'ready', checks: [{ name: 'kafka', ok: true }] });
  });

  it('names the failing probe and its reason, including a probe that throws', async () => {
    const report = await runReadinessProbes([
      probe('kafka', () => Promise.resolve({ ok: true })),
      probe('model', () => Promise.resolve({ ok: false, reason: 'model not loaded yet' })),
      probe('shards', () => Promise.reject(new Error('disk unreadable'))),
    ]);
    expect(report.status).toBe('not-ready');
    expect(report.checks).toEqual([
      { name: 'kafka', ok: true },
      { name: 'model', ok: false, reason: 'model not loaded yet' },
      { name: 'shards', ok: false, reason: 'disk unreadable' },
    ]);
  });
});
