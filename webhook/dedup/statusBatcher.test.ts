import { jest } from '@jest/globals';
import type { RemediationRequest, RemediationRequestStatus } from '../../operator/api/types.ts';
import type { RRCache } from '../../operator/cache/rrCache.ts';
import type { KubeClient } from '../../operator/kube/client.ts';
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
  const kube = {
    patchRRStatus: (_ns: string, _name: string, patch: { deduplication?: object }) =>
      new Promise<RemediationRequest>((resolve) => {
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
  } as unknown as RRCache;
  const batcher = new StatusBatcher(kube, cache, { lingerMs });
  return {
    batcher,
    name: rr.metadata.name,
    writes,
    hold: () => (manual = true),
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
});
