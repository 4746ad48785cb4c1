import { healthy, unhealthy, waitHealthy } from './health-wait';

function fakeClock() {
  let t = 0;
  return { now: () => t, sleep: (ms: number) => Promise.resolve(void (t += ms)) };
}

describe('waitHealthy', () => {
  it('returns once the probe is healthy', async () => {
    let calls = 0;
    const result = await waitHealthy(() => Promise.resolve(++calls < 3 ? unhealthy('starting') : healthy('ok')), { what: 'x', deadlineMs: 10_000, ...fakeClock() });
    expect(result).toEqual({ healthy: true, detail: 'ok' });
    expect(calls).toBe(3);
  });

  it('fails at the deadline naming the component, the last probe and the last log lines', async () => {
    await expect(
      waitHealthy(() => Promise.resolve(unhealthy('connection refused')), { what: 'elasticsearch', deadlineMs: 90_000, logTail: () => 'line 1\nline 2', ...fakeClock() }),
    ).rejects.toThrow('elasticsearch did not become healthy within 90 s (last probe: connection refused); last log lines:\nline 1\nline 2');
  });

  it('stops at once when the process has exited', async () => {
    let probes = 0;
    await expect(
      waitHealthy(
        () => {
          probes++;
          return Promise.resolve(unhealthy('no'));
        },
        { what: 'kafka-1', deadlineMs: 90_000, exited: () => (probes >= 1 ? 'exit code 1' : undefined), ...fakeClock() },
      ),
    ).rejects.toThrow('kafka-1 exited (exit code 1) during startup');
    expect(probes).toBe(1);
  });
});
