import { AbortedError, INFORMER_BACKOFF, backoffDelay, raceAbort, sleep } from './backoff.ts';

describe('backoffDelay', () => {
  const noJitter = { initialMs: 200, maxMs: 30_000, jitter: 0 };

  it('doubles from the initial delay and stops at the cap', () => {
    const delays = Array.from({ length: 10 }, (_, i) => backoffDelay(i, noJitter));
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  });

  it('stays finite and capped for huge attempt numbers', () => {
    expect(backoffDelay(10_000, noJitter)).toBe(30_000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, INFORMER_BACKOFF, () => 0)).toBe(30_000);
  });

  it('treats negative and fractional attempts as whole attempts from 0', () => {
    expect(backoffDelay(-3, noJitter)).toBe(200);
    expect(backoffDelay(1.7, noJitter)).toBe(400);
  });

  it('only shortens the delay by up to the jitter fraction', () => {
    const policy = { initialMs: 1000, maxMs: 1000, jitter: 0.2 };
    expect(backoffDelay(0, policy, () => 0)).toBe(1000);
    expect(backoffDelay(0, policy, () => 0.5)).toBe(900);
    expect(backoffDelay(0, policy, () => 0.999999)).toBe(800);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(5, INFORMER_BACKOFF);
      expect(d).toBeGreaterThanOrEqual(0.8 * 6400);
      expect(d).toBeLessThanOrEqual(6400);
    }
  });

  it('honours a custom factor', () => {
    expect(backoffDelay(2, { initialMs: 10, maxMs: 1000, factor: 3, jitter: 0 })).toBe(90);
  });
});

describe('sleep', () => {
  it('resolves true after the delay', async () => {
    const start = Date.now();
    await expect(sleep(20)).resolves.toBe(true);
    expect(Date.now() - start).toBeGreaterThanOrEqual(18);
  });

  it('resolves false at once when aborted before or during the wait', async () => {
    const pre = new AbortController();
    pre.abort();
    await expect(sleep(10_000, pre.signal)).resolves.toBe(false);
    const during = new AbortController();
    const start = Date.now();
    const p = sleep(10_000, during.signal);
    setTimeout(() => during.abort(), 5);
    await expect(p).resolves.toBe(false);
    expect(Date.now() - start).toBeLessThan(1000);
  });
});

describe('raceAbort', () => {
  it('passes through a value or an error', async () => {
    const c = new AbortController();
    await expect(raceAbort(Promise.resolve(7), c.signal)).resolves.toBe(7);
    await expect(raceAbort(Promise.reject(new Error('x')), c.signal)).rejects.toThrow('x');
  });

  it('rejects with AbortedError when the signal wins', async () => {
    const c = new AbortController();
    const p = raceAbort(new Promise(() => {}), c.signal);
    c.abort();
    await expect(p).rejects.toBeInstanceOf(AbortedError);
    await expect(raceAbort(Promise.reject(new Error('late')), c.signal)).rejects.toBeInstanceOf(AbortedError);
  });
});
