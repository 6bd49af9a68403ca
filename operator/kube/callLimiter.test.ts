// The per-process bound on concurrent Kubernetes API calls: at most N open, the rest wait in
// arrival order, and a waiter that gets no slot in time fails as `unavailable` (-> 503).
import { createMetrics } from '../observability/metrics.ts';
import { CallLimiter } from './callLimiter.ts';
import { KubeError } from './errors.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const gauge = async (m: ReturnType<typeof createMetrics>, name: string) => {
  const line = (await m.registry.metrics()).split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ').pop());
};

describe('CallLimiter', () => {
  it('keeps at most maxConcurrentRequests calls open and starts waiters in arrival order', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const limiter = new CallLimiter({ maxConcurrentRequests: 2, maxWaitMs: 60_000 }, metrics);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let open = 0;
    let maxOpen = 0;
    const calls = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        maxOpen = Math.max(maxOpen, ++open);
        await g.promise;
        open--;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(limiter.state()).toEqual({ active: 2, waiting: 3 });
    expect(await gauge(metrics, 'gateway_k8s_api_waiting_requests')).toBe(3);
    expect(await gauge(metrics, 'gateway_k8s_api_inflight_requests')).toBe(2);
    for (const g of [gates[1]!, gates[0]!, gates[2]!, gates[3]!, gates[4]!]) {
      g.resolve();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(maxOpen).toBe(2);
    expect(limiter.state()).toEqual({ active: 0, waiting: 0 });
  });

  it('fails a call that cannot get a slot in time as unavailable, and frees its place', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const limiter = new CallLimiter({ maxConcurrentRequests: 1, maxWaitMs: 50 }, metrics);
    const gate = deferred();
    const holder = limiter.run(() => gate.promise);
    const err = await limiter.run(() => Promise.resolve('never')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as KubeError).kind).toBe('unavailable');
    expect((err as KubeError).message).toMatch(/no slot of 1 free within 50 ms/);
    expect(limiter.state()).toEqual({ active: 1, waiting: 0 });
    expect(await gauge(metrics, 'gateway_k8s_api_throttled_total')).toBe(1);
    gate.resolve();
    await holder;
    await expect(limiter.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('frees the slot of a call that throws', async () => {
    const limiter = new CallLimiter({ maxConcurrentRequests: 1, maxWaitMs: 1000 });
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limiter.state()).toEqual({ active: 0, waiting: 0 });
    await expect(limiter.run(() => Promise.resolve(1))).resolves.toBe(1);
  });
});
