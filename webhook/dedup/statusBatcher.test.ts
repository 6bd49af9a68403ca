import { jest } from '@jest/globals';
import type { RemediationRequest, RemediationRequestStatus } from '../../operator/api/types.ts';
import type { RRCache } from '../../operator/cache/rrCache.ts';
import type { KubeClient } from '../../operator/kube/client.ts';
import { KubeError } from '../../operator/kube/errors.ts';
import { fixtureRR } from '../../operator/storm/testFixtures.ts';
import { StatusBatcher } from './statusBatcher.ts';
import type { StatusMutation } from './statusBatcher.ts';

// The batcher's timing logic (which write lingers) against an in-memory stand-in for the API
// server's status subresource; the real-server behaviour is covered by webhook/apiCost.int.test.ts.

const count: StatusMutation<number> = (status) => {
  const d = (status.deduplication ??= {});
  d.occurrenceCount = (d.occurrenceCount ?? 1) + 1;
  return d.occurrenceCount;
};

function harness(lingerMs: number) {
  let rr: RemediationRequest = fixtureRR({
    namespace: 'ns',
    pod: 'a',
    resourceVersion: '1',
    status: { overallPhase: 'Pending' },
  });
  const writes: { signals: number; at: number }[] = [];
  const pending: (() => void)[] = [];
  let manual = false;
  let interfere = false;
  const bump = (status: RemediationRequestStatus) => {
    rr = {
      ...rr,
      metadata: { ...rr.metadata, resourceVersion: String(Number(rr.metadata.resourceVersion) + 1) },
      status,
    };
  };
  const kube = {
    patchRRStatus: (_ns: string, _name: string, patch: { deduplication?: object }, rv?: string) =>
      new Promise<RemediationRequest>((resolve, reject) => {
        if (interfere) {
          // Another replica counts one occurrence first: this write's resourceVersion is stale.
          interfere = false;
          const d = rr.status?.deduplication?.occurrenceCount ?? 1;
          bump({ ...rr.status, deduplication: { occurrenceCount: d + 1 } });
        }
        if (rv !== rr.metadata.resourceVersion) {
          writes.push({ signals: 0, at: Date.now() });
          reject(new KubeError('conflict', 409, 'stale'));
          return;
        }
        const apply = () => {
          const status = { ...rr.status, ...patch } as RemediationRequestStatus;
          rr = {
            ...rr,
            metadata: { ...rr.metadata, resourceVersion: String(Number(rr.metadata.resourceVersion) + 1) },
            status,
          };
          resolve(rr);
        };
        writes.push({ signals: 0, at: Date.now() });
        if (manual) pending.push(apply);
        else apply();
      }),
    getRR: async () => rr,
  } as unknown as KubeClient;
  const cache = {
    namespace: 'ns',
    get: () => rr,
    recordLocal: () => undefined,
    forget: () => undefined,
    newerThan: async () => rr,
  } as unknown as RRCache;
  const batcher = new StatusBatcher(kube, cache, { lingerMs });
  return {
    batcher,
    name: rr.metadata.name,
    writes,
    hold: () => (manual = true),
    interfereOnce: () => (interfere = true),
    releaseWrite: () => pending.shift()?.(),
    stored: () => rr,
  };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('StatusBatcher linger', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('writes a duplicate to a recently written RR at once when nothing queues behind the write', async () => {
    const h = harness(1000);
    await h.batcher.submit(h.name, count);
    // A second signal soon after: the RR was written a moment ago, but no write is queueing.
    const second = h.batcher.submit(h.name, count);
    for (let i = 0; i < 5; i++) await turn();
    expect(h.writes).toHaveLength(2); // without advancing timers: no linger was paid
    await expect(second).resolves.toMatchObject({ result: 3 });
  });

  it('lingers once writes queue up, so a burst shares one write', async () => {
    const h = harness(100);
    h.hold();
    const first = h.batcher.submit(h.name, count);
    await turn();
    expect(h.writes).toHaveLength(1);
    // 50 more arrive while the first write is in flight.
    const burst = Array.from({ length: 50 }, () => h.batcher.submit(h.name, count));
    h.releaseWrite();
    await first;
    for (let i = 0; i < 5; i++) await turn();
    expect(h.writes).toHaveLength(1); // the next write lingers for more signals
    const late = Array.from({ length: 20 }, () => h.batcher.submit(h.name, count));
    await jest.advanceTimersByTimeAsync(100);
    for (let i = 0; i < 5; i++) await turn();
    expect(h.writes).toHaveLength(2); // one write carries all 70
    h.releaseWrite();
    const results = await Promise.all([...burst, ...late]);
    expect(results.map((r) => r.result).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 70 }, (_, i) => i + 3),
    );
    expect(h.stored().status?.deduplication?.occurrenceCount).toBe(72);
  });

  it('re-applies a write that lost to another replica together with the signals that came meanwhile', async () => {
    const h = harness(100);
    h.interfereOnce();
    const first = h.batcher.submit(h.name, count);
    for (let i = 0; i < 5; i++) await turn();
    expect(h.writes).toHaveLength(1); // lost (409): the signal waits for the next write
    const second = h.batcher.submit(h.name, count);
    await jest.advanceTimersByTimeAsync(150);
    const results = (await Promise.all([first, second])).map((r) => r.result);
    expect(h.writes).toHaveLength(2); // one more write carries both
    expect(results).toEqual([3, 4]); // counted on top of the other replica's occurrence
    expect(h.stored().status?.deduplication?.occurrenceCount).toBe(4);
  });
});
