import { WorkQueue } from './workqueue.ts';
import type { WorkHandler, WorkResult } from './workqueue.ts';

const FAST = { initialMs: 5, maxMs: 40, jitter: 0 };
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await tick(2);
  }
}

/** A handler that records every call and can be held per key. */
function recorder(
  result: (key: string, n: number) => WorkResult | void | Promise<WorkResult | void> = () => {},
) {
  const calls: string[] = [];
  const active = new Map<string, number>();
  let overlap = false;
  let maxRunning = 0;
  let running = 0;
  const handler: WorkHandler = async (key) => {
    calls.push(key);
    const n = (active.get(key) ?? 0) + 1;
    if (n > 1) overlap = true;
    active.set(key, n);
    running++;
    maxRunning = Math.max(maxRunning, running);
    try {
      return await result(key, calls.filter((k) => k === key).length);
    } finally {
      running--;
      active.set(key, (active.get(key) ?? 1) - 1);
    }
  };
  return { handler, calls, overlap: () => overlap, maxRunning: () => maxRunning };
}

describe('WorkQueue', () => {
  it('handles an added key once', async () => {
    const r = recorder();
    const q = new WorkQueue(r.handler);
    q.add('a');
    await q.whenIdle();
    expect(r.calls).toEqual(['a']);
    await q.shutdown();
  });

  it('holds a pending key once however often it is added', async () => {
    const gate = deferred();
    const r = recorder((key) => (key === 'block' ? gate.promise : undefined));
    const q = new WorkQueue(r.handler, { concurrency: 1 });
    q.add('block');
    q.add('b');
    q.add('b');
    q.add('b');
    expect(q.stats()).toEqual({ ready: 1, processing: 1, scheduled: 0 });
    gate.resolve();
    await q.whenIdle();
    expect(r.calls).toEqual(['block', 'b']);
    await q.shutdown();
  });

  it('runs keys in the order they became ready', async () => {
    const gate = deferred();
    const r = recorder((key) => (key === 'first' ? gate.promise : undefined));
    const q = new WorkQueue(r.handler);
    for (const k of ['first', 'c', 'a', 'b', 'a']) q.add(k);
    gate.resolve();
    await q.whenIdle();
    expect(r.calls).toEqual(['first', 'c', 'a', 'b']);
    await q.shutdown();
  });

  it('never runs one key twice at once, and runs a key added mid-run once more afterwards', async () => {
    const gate = deferred();
    const r = recorder((_key, n) => (n === 1 ? gate.promise : undefined));
    const q = new WorkQueue(r.handler, { concurrency: 4 });
    q.add('a');
    await tick();
    q.add('a');
    q.add('a');
    await tick(10);
    expect(r.calls).toEqual(['a']); // not started again while the first run is going
    expect(q.stats()).toEqual({ ready: 0, processing: 1, scheduled: 0 });
    gate.resolve();
    await q.whenIdle();
    expect(r.calls).toEqual(['a', 'a']);
    expect(r.overlap()).toBe(false);
    await q.shutdown();
  });

  it('runs up to `concurrency` different keys at the same time', async () => {
    const gate = deferred();
    const r = recorder(() => gate.promise);
    const q = new WorkQueue(r.handler, { concurrency: 3 });
    for (const k of ['a', 'b', 'c', 'd', 'e']) q.add(k);
    await tick(5);
    expect(r.calls).toEqual(['a', 'b', 'c']);
    expect(q.stats()).toEqual({ ready: 2, processing: 3, scheduled: 0 });
    gate.resolve();
    await q.whenIdle();
    expect(r.calls.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(r.maxRunning()).toBe(3);
    await q.shutdown();
  });

  it('retries a failing key with a growing per-key backoff and resets it on success', async () => {
    const times: number[] = [];
    const q = new WorkQueue(
      () => {
        times.push(Date.now());
        if (times.length <= 3) throw new Error('boom');
      },
      { backoff: { initialMs: 20, maxMs: 1000, jitter: 0 } },
    );
    q.add('a');
    await waitFor(() => times.length === 1);
    expect(q.failureCount('a')).toBe(1);
    await waitFor(() => times.length === 4);
    await q.whenIdle();
    expect(q.failureCount('a')).toBe(0);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // nominal delays 20, 40, 80 ms (timers may fire a millisecond early)
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
    await q.shutdown();
  });

  it('counts failures per key', async () => {
    const q = new WorkQueue(
      (key) => {
        if (key === 'bad') throw new Error('x');
      },
      { backoff: { initialMs: 10_000, maxMs: 10_000 } },
    );
    q.add('bad');
    q.add('good');
    await q.whenIdle();
    expect(q.failureCount('bad')).toBe(1);
    expect(q.failureCount('good')).toBe(0);
    expect(q.stats().scheduled).toBe(1);
    q.forget('bad');
    expect(q.failureCount('bad')).toBe(0);
    await q.shutdown();
    expect(q.stats().scheduled).toBe(0);
  });

  it('treats a synchronous throw as a failure', async () => {
    let n = 0;
    const q = new WorkQueue(
      () => {
        n++;
        if (n === 1) throw new Error('sync');
      },
      { backoff: FAST },
    );
    q.add('a');
    await waitFor(() => n === 2);
    await q.whenIdle();
    expect(q.failureCount('a')).toBe(0);
    await q.shutdown();
  });

  it('requeues after requeueAfterMs and counts that as a success', async () => {
    const times: number[] = [];
    let failFirst = true;
    const q = new WorkQueue(
      () => {
        times.push(Date.now());
        if (failFirst) {
          failFirst = false;
          throw new Error('first');
        }
        return times.length < 3 ? { requeueAfterMs: 30 } : undefined;
      },
      { backoff: FAST },
    );
    q.add('a');
    await waitFor(() => times.length === 2);
    expect(q.failureCount('a')).toBe(0);
    await waitFor(() => times.length === 3);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(28);
    await tick(50);
    expect(times).toHaveLength(3);
    await q.shutdown();
  });

  it('requeue: true backs off like a failure', async () => {
    let n = 0;
    const q = new WorkQueue(() => (++n < 3 ? { requeue: true } : undefined), { backoff: FAST });
    q.add('a');
    await waitFor(() => n === 1);
    expect(q.failureCount('a')).toBe(1);
    await waitFor(() => n === 3);
    await q.whenIdle();
    expect(q.failureCount('a')).toBe(0);
    await q.shutdown();
  });

  it('addAfter delays a key, keeps the earliest time, and adds at once for 0', async () => {
    const r = recorder();
    const q = new WorkQueue(r.handler);
    const start = Date.now();
    q.addAfter('a', 40);
    q.addAfter('a', 500); // later: ignored
    expect(q.stats().scheduled).toBe(1);
    await waitFor(() => r.calls.length === 1);
    expect(Date.now() - start).toBeGreaterThanOrEqual(38);
    expect(Date.now() - start).toBeLessThan(400);

    q.addAfter('b', 500);
    q.addAfter('b', 20); // earlier: replaces
    await waitFor(() => r.calls.length === 2, 300);
    q.addAfter('c', 0);
    q.addAfter('d', -5);
    await q.whenIdle();
    expect(r.calls).toEqual(['a', 'b', 'c', 'd']);
    expect(q.stats().scheduled).toBe(0);
    await q.shutdown();
  });

  it('a delayed key that is already pending is not duplicated', async () => {
    const gate = deferred();
    const r = recorder((key) => (key === 'block' ? gate.promise : undefined));
    const q = new WorkQueue(r.handler);
    q.add('block');
    q.add('a');
    q.addAfter('a', 5);
    await tick(20);
    gate.resolve();
    await q.whenIdle();
    expect(r.calls).toEqual(['block', 'a']);
    await q.shutdown();
  });

  it('shutdown waits for running handlers, drops waiting keys and refuses new ones', async () => {
    const gate = deferred();
    let aborted = false;
    const calls: string[] = [];
    const q = new WorkQueue(async (key, signal) => {
      calls.push(key);
      signal.addEventListener('abort', () => (aborted = true));
      await gate.promise;
    });
    q.add('a');
    q.add('b');
    q.addAfter('c', 10);
    await tick();
    let done = false;
    const stopped = q.shutdown().then(() => (done = true));
    await tick(20);
    expect(done).toBe(false);
    expect(aborted).toBe(true);
    expect(q.add('d')).toBe(false);
    expect(q.addAfter('e', 1)).toBe(false);
    gate.resolve();
    await stopped;
    await tick(20);
    expect(calls).toEqual(['a']);
  });

  it('shutdown with drain runs the waiting keys first, without aborting', async () => {
    const gate = deferred();
    let aborted = false;
    const calls: string[] = [];
    const q = new WorkQueue(async (key, signal) => {
      calls.push(key);
      if (signal.aborted) aborted = true;
      if (key === 'a') await gate.promise;
    });
    q.add('a');
    q.add('b');
    await tick();
    q.add('a'); // re-added mid-run: still runs during the drain
    const stopped = q.shutdown({ drain: true });
    gate.resolve();
    await stopped;
    expect(calls).toEqual(['a', 'b', 'a']);
    expect(aborted).toBe(false);
  });

  it('loses no key under concurrent adds: every add is followed by a run that starts after it', async () => {
    let clock = 0;
    const lastAdd = new Map<string, number>();
    const lastStart = new Map<string, number>();
    const r = recorder(async (key) => {
      lastStart.set(key, ++clock);
      await tick(Math.floor(Math.random() * 3));
      if (Math.random() < 0.1) throw new Error('flaky');
      return Math.random() < 0.1 ? { requeueAfterMs: 1 } : undefined;
    });
    const q = new WorkQueue(r.handler, { concurrency: 4, backoff: { initialMs: 1, maxMs: 4 } });
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'];
    const producers = Array.from({ length: 6 }, async () => {
      for (let i = 0; i < 60; i++) {
        const key = keys[Math.floor(Math.random() * keys.length)]!;
        lastAdd.set(key, ++clock);
        if (Math.random() < 0.2) q.addAfter(key, 2);
        else q.add(key);
        await tick(Math.floor(Math.random() * 2));
      }
    });
    await Promise.all(producers);
    await waitFor(
      () => q.stats().scheduled === 0 && q.stats().processing === 0 && q.stats().ready === 0,
      5000,
    );
    for (const [key, added] of lastAdd) expect(lastStart.get(key)).toBeGreaterThan(added);
    expect(r.overlap()).toBe(false);
    expect(r.maxRunning()).toBeLessThanOrEqual(4);
    await q.shutdown();
  });
});
