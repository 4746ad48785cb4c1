import { RateThrottle } from './rate.throttle';

/** A fake clock: sleeping advances it, so the test measures the schedule, not the machine. */
function fakeTime() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: (ms: number) => {
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
    sleeps,
    at: () => t,
  };
}

describe('RateThrottle', () => {
  it('lets a burst through at once, then one token per 1/rate seconds', async () => {
    const time = fakeTime();
    const throttle = new RateThrottle(4, 2, time.now, time.sleep);
    await throttle.acquire();
    await throttle.acquire();
    expect(time.at()).toBe(0);
    await throttle.acquire();
    expect(time.at()).toBe(250);
    for (let i = 0; i < 8; i++) await throttle.acquire();
    expect(time.at()).toBe(250 + 8 * 250);
  });

  it('averages the rate over many concurrent waiters, served in order', async () => {
    const time = fakeTime();
    const throttle = new RateThrottle(10, 1, time.now, time.sleep);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 21 }, (_, i) => throttle.acquire().then(() => order.push(i))));
    expect(order).toEqual(Array.from({ length: 21 }, (_, i) => i));
    expect(time.at()).toBe(2_000);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new RateThrottle(0)).toThrow(RangeError);
  });
});
