import type { EventsV1Event } from '@kubernetes/client-node';
import type { RemediationRequest } from '../api/types.ts';
import type { RRCache } from '../cache/rrCache.ts';
import { creationMs, groupKeyOf } from '../cache/rrCache.ts';
import { defaultConfig } from '../config/schema.ts';
import type { KubeClient } from '../kube/client.ts';
import { KubeError } from '../kube/errors.ts';
import { silentLogger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { fixtureRR } from '../storm/testFixtures.ts';
import type { ControllerContext } from './context.ts';
import { stormController, stormRelevantChange } from './storm.ts';

const T0 = Date.parse('2026-11-26T10:00:00Z');

/** An in-memory API server for status patches and events, and a cache that mirrors it. */
function fakeCluster(rrs: RemediationRequest[]) {
  const store = new Map(rrs.map((r) => [r.metadata.name, r]));
  const events = new Map<string, EventsV1Event>();
  const calls = { patches: 0, events: 0 };
  const failNext = new Map<string, KubeError>();
  let rv = 1000;
  const kube = {
    async patchRRStatus(
      _ns: string,
      name: string,
      status: Record<string, unknown>,
      resourceVersion?: string,
    ) {
      calls.patches++;
      const current = store.get(name)!;
      const injected = failNext.get(name);
      failNext.delete(name);
      if (injected) throw injected;
      if (resourceVersion && resourceVersion !== current.metadata.resourceVersion)
        throw new KubeError('conflict', 409, 'stale');
      const storm: Record<string, unknown> = {
        ...current.status?.stormAggregation,
        ...(status.stormAggregation as object),
      };
      for (const [k, v] of Object.entries(storm)) if (v === null) delete storm[k];
      const next = {
        ...current,
        metadata: { ...current.metadata, resourceVersion: String(++rv) },
        status: { ...current.status, stormAggregation: storm },
      } as RemediationRequest;
      store.set(name, next);
      return next;
    },
    async patchRRLabels(_ns: string, name: string, labels: Record<string, string>) {
      const current = store.get(name)!;
      const next = {
        ...current,
        metadata: {
          ...current.metadata,
          labels: { ...current.metadata.labels, ...labels },
          resourceVersion: String(++rv),
        },
      } as RemediationRequest;
      store.set(name, next);
      return next;
    },
    async createEvent(_ns: string, body: EventsV1Event) {
      calls.events++;
      const name = body.metadata!.name!;
      if (events.has(name)) throw new KubeError('alreadyExists', 409, 'exists', 'AlreadyExists');
      events.set(name, body);
      return body;
    },
  };
  const cache = {
    byGroup: (key: string) =>
      [...store.values()].filter((r) => groupKeyOf(r) === key).sort((a, b) => creationMs(a) - creationMs(b)),
    recordLocal: () => undefined,
  };
  const config = { ...defaultConfig(), podName: 'unit-pod', namespace: 'ops' };
  const ctx: ControllerContext = {
    config,
    kube: kube as unknown as KubeClient,
    cache: cache as unknown as RRCache,
    metrics: createMetrics({ defaultMetrics: false }),
    logger: silentLogger(),
  };
  return { ctx, store, events, calls, failNext };
}

const group = () =>
  Array.from({ length: 12 }, (_, i) =>
    fixtureRR({
      namespace: 'ops',
      pod: `pod-${String(i).padStart(2, '0')}`,
      createdAt: new Date(T0 + i * 1000),
      resourceVersion: String(i + 1),
      status: { overallPhase: 'Pending' },
    }),
  );

describe('storm controller reconcile', () => {
  const now = () => T0 + 15_000;

  it('opens the storm, marks members, announces once and then does nothing more', async () => {
    const rrs = group();
    const c = fakeCluster(rrs);
    const controller = stormController(c.ctx, now);
    const key = groupKeyOf(rrs[0]!);

    const result = await controller.reconcile(key, new AbortController().signal);
    expect(result.requeueAfterMs).toBe(60_000 + 50);
    const leader = c.store.get(rrs[0]!.metadata.name)!;
    expect(leader.status?.stormAggregation).toMatchObject({ aggregatedCount: 1, isPartOfStorm: true });
    expect(leader.status?.stormAggregation?.affectedResources).toHaveLength(12);
    const members = rrs.slice(1).map((r) => c.store.get(r.metadata.name)!.status?.stormAggregation);
    expect(members.every((m) => m?.stormId === leader.status?.stormAggregation?.stormId)).toBe(true);
    expect([...c.events.values()].map((e) => e.reason)).toEqual(['StormDetected']);
    expect((await c.ctx.metrics.stormsDetected.get()).values.map((v) => v.value)).toEqual([1]);

    const before = { ...c.calls };
    await controller.reconcile(key, new AbortController().signal);
    expect(c.calls).toEqual(before);
  });

  it('takes an Event that already exists (a previous leader announced it) as announced', async () => {
    const rrs = group();
    const c = fakeCluster(rrs);
    await stormController(c.ctx, now).reconcile(groupKeyOf(rrs[0]!), new AbortController().signal);
    const successor = stormController(c.ctx, now);
    await expect(
      successor.reconcile(groupKeyOf(rrs[0]!), new AbortController().signal),
    ).resolves.toBeDefined();
    expect(c.events.size).toBe(1);
    expect((await c.ctx.metrics.stormsDetected.get()).values.map((v) => v.value)).toEqual([1]);
  });

  it('marks the other members when one write conflicts, and asks to be run again', async () => {
    const rrs = group();
    const c = fakeCluster(rrs);
    c.failNext.set(rrs[3]!.metadata.name, new KubeError('conflict', 409, 'stale'));
    const controller = stormController(c.ctx, now);
    await expect(
      controller.reconcile(groupKeyOf(rrs[0]!), new AbortController().signal),
    ).rejects.toMatchObject({
      kind: 'conflict',
    });
    const unmarked = rrs.filter((r) => !c.store.get(r.metadata.name)!.status?.stormAggregation?.stormId);
    expect(unmarked.map((r) => r.metadata.name)).toEqual([rrs[3]!.metadata.name]);
    await controller.reconcile(groupKeyOf(rrs[0]!), new AbortController().signal);
    expect(c.store.get(rrs[3]!.metadata.name)!.status?.stormAggregation?.isPartOfStorm).toBe(true);
  });
});

describe('stormRelevantChange', () => {
  const base = fixtureRR({ namespace: 'ns', pod: 'p', status: { overallPhase: 'Pending' } });
  const withStatus = (status: RemediationRequest['status']) => ({ ...base, status });

  it('ignores a duplicate: only the count and the occurrence record changed', () => {
    const after = withStatus({
      ...base.status,
      deduplication: { occurrenceCount: 2 },
      recentOccurrences: ['abc'],
    });
    expect(stormRelevantChange(base, after)).toBe(false);
  });

  it('wakes on the phase, the storm record (by content) and the storm label', () => {
    expect(stormRelevantChange(base, withStatus({ overallPhase: 'Completed' }))).toBe(true);
    const pending = withStatus({ ...base.status, stormAggregation: { aggregatedCount: 1 } });
    expect(stormRelevantChange(base, pending)).toBe(true);
    const same = withStatus({ ...base.status, stormAggregation: { aggregatedCount: 1 } });
    expect(stormRelevantChange(pending, same)).toBe(false);
    const labelled = { ...base, metadata: { ...base.metadata, labels: { 'kubernaut.ai/storm': 's' } } };
    expect(stormRelevantChange(base, labelled)).toBe(true);
  });
});
