import type { RemediationRequest, StormAggregationStatus } from '../api/types.ts';
import { planStormGroup } from './plan.ts';
import { resourceKey, stormIdFor } from './policy.ts';
import type { StormConfig } from './policy.ts';
import { fixtureRR } from './testFixtures.ts';
import { defaultConfig } from '../config/schema.ts';

/** The product's defaults (contract §4): the tests below are written against them. */
const cfg: StormConfig = defaultConfig().storm;
const T0 = Date.parse('2026-11-26T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function rr(i: number, atMs: number, storm?: StormAggregationStatus, phase = 'Pending'): RemediationRequest {
  return fixtureRR({
    namespace: 'ops',
    pod: `pod-${String(i).padStart(3, '0')}`,
    createdAt: new Date(atMs),
    resourceVersion: String(100 + i),
    status: { overallPhase: phase, ...(storm ? { stormAggregation: storm } : {}) },
  });
}

/** Applies a plan's writes to the RRs, as the API server would. */
function applyPlan(group: RemediationRequest[], nowMs: number): RemediationRequest[] {
  const plan = planStormGroup(group, cfg, nowMs);
  const patches = new Map<string, Record<string, unknown>>();
  for (const l of plan.leaders) {
    if (l.patch) patches.set(l.leader.metadata.name, l.patch);
    for (const w of l.memberWrites) patches.set(w.rr.metadata.name, w.patch);
  }
  return group.map((r) => {
    const p = patches.get(r.metadata.name);
    if (!p) return r;
    const merged: Record<string, unknown> = { ...r.status?.stormAggregation, ...p };
    for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
    return { ...r, status: { ...r.status, stormAggregation: merged as StormAggregationStatus } };
  });
}

const writesOf = (group: RemediationRequest[], nowMs: number) => {
  const plan = planStormGroup(group, cfg, nowMs);
  return (
    plan.leaders.filter((l) => l.patch).length + plan.leaders.reduce((n, l) => n + l.memberWrites.length, 0)
  );
};

describe('planStormGroup', () => {
  it('plans nothing for a group below the thresholds', () => {
    const group = Array.from({ length: 5 }, (_, i) => rr(i, T0 + i * 1000));
    expect(planStormGroup(group, cfg, T0 + 10_000)).toEqual({
      leaders: [],
      buffers: [],
      recheckAfterMs: undefined,
    });
  });

  it('opens a detected storm on the oldest RR and marks every other RR as a member', () => {
    const group = Array.from({ length: 12 }, (_, i) => rr(i, T0 + i * 1000));
    const now = T0 + 15_000;
    const plan = planStormGroup(group, cfg, now);
    expect(plan.leaders).toHaveLength(1);
    const [leader] = plan.leaders;
    const stormId = stormIdFor(group[0]!);
    expect(leader!.leader).toBe(group[0]);
    expect(leader!.opens).toBe('rate');
    expect(leader!.patch).toEqual({
      stormId,
      stormType: 'rate',
      stormDetectedAt: iso(now),
      isPartOfStorm: true,
      aggregatedCount: 1,
      affectedResources: group.map((r) => resourceKey(r.spec.targetResource)),
      aggregatedFingerprints: group.map((r) => r.spec.signalFingerprint),
    });
    expect(leader!.memberWrites.map((w) => w.rr)).toEqual(group.slice(1));
    expect(leader!.memberWrites[0]!.patch).toEqual({ isPartOfStorm: true, stormId });
    expect(plan.recheckAfterMs).toBe(60_000);
  });

  it('is idempotent: a converged group plans no writes', () => {
    const group = Array.from({ length: 12 }, (_, i) => rr(i, T0 + i * 1000));
    const converged = applyPlan(group, T0 + 15_000);
    expect(writesOf(converged, T0 + 16_000)).toBe(0);
    expect(planStormGroup(converged, cfg, T0 + 16_000).leaders[0]!.open).toBe(true);
  });

  it('merges members into what the intake folded without dropping, duplicating or counting', () => {
    const folded = ['Pod/shop/folded-a', 'Pod/shop/folded-b'];
    const group = Array.from({ length: 10 }, (_, i) => rr(i, T0 + i * 1000));
    const leaderStorm: StormAggregationStatus = {
      stormId: stormIdFor(group[0]!),
      stormType: 'rate',
      stormDetectedAt: iso(T0 + 11_000),
      lastAggregatedAt: iso(T0 + 12_000),
      isPartOfStorm: true,
      aggregatedCount: 2,
      affectedResources: [resourceKey(group[0]!.spec.targetResource), ...folded, folded[0]!],
      aggregatedFingerprints: [group[0]!.spec.signalFingerprint, 'a'.repeat(64), 'b'.repeat(64)],
    };
    group[0] = rr(0, T0, leaderStorm);
    const plan = planStormGroup(group, cfg, T0 + 13_000);
    const patch = plan.leaders[0]!.patch!;
    expect(patch).not.toHaveProperty('aggregatedCount');
    expect(patch).not.toHaveProperty('stormDetectedAt');
    expect(patch.affectedResources).toEqual([
      resourceKey(group[0]!.spec.targetResource),
      ...folded,
      ...group.slice(1).map((r) => resourceKey(r.spec.targetResource)),
    ]);
    expect(patch.aggregatedFingerprints).toEqual([
      group[0]!.spec.signalFingerprint,
      'a'.repeat(64),
      'b'.repeat(64),
      ...group.slice(1).map((r) => r.spec.signalFingerprint),
    ]);
    expect(plan.leaders[0]!.memberWrites).toHaveLength(9);
  });

  it('does not open a second storm while one is open', () => {
    const group = Array.from({ length: 12 }, (_, i) => rr(i, T0 + i * 1000));
    const converged = applyPlan(group, T0 + 15_000);
    const more = [...converged, rr(50, T0 + 20_000), rr(51, T0 + 21_000)];
    const plan = planStormGroup(more, cfg, T0 + 22_000);
    expect(plan.leaders).toHaveLength(1);
    expect(plan.leaders[0]!.opens).toBeUndefined();
    expect(plan.leaders[0]!.memberWrites.map((w) => w.rr.metadata.name)).toEqual(
      more.slice(12).map((r) => r.metadata.name),
    );
  });

  it('closes a quiet storm at the time it went quiet, then leaves later RRs alone', () => {
    const group = Array.from({ length: 12 }, (_, i) => rr(i, T0 + i * 1000));
    const converged = applyPlan(group, T0 + 15_000);
    const later = T0 + 15_000 + 61_000;
    const plan = planStormGroup(converged, cfg, later);
    expect(plan.leaders[0]!.closes).toBe(true);
    expect(plan.leaders[0]!.patch).toEqual({ closedAt: iso(T0 + 75_000) });
    const closed = applyPlan(converged, later);
    const after = [...closed, rr(60, T0 + 80_000)];
    expect(writesOf(after, T0 + 81_000)).toBe(0);
    expect(planStormGroup(after, cfg, T0 + 81_000).recheckAfterMs).toBeUndefined();
  });

  it('closes at the maximum duration even while signals keep coming', () => {
    const group = Array.from({ length: 12 }, (_, i) => rr(i, T0 + i * 1000));
    const open = applyPlan(group, T0 + 15_000);
    const busy = open.map((r, i) =>
      i === 0 ? rr(0, T0, { ...r.status!.stormAggregation!, lastAggregatedAt: iso(T0 + 300_000) }) : r,
    );
    const plan = planStormGroup(busy, cfg, T0 + 316_000);
    expect(plan.leaders[0]!.patch).toEqual({ closedAt: iso(T0 + 315_000) });
  });

  it('leaves RRs of another storm and later leaders to themselves', () => {
    const group = Array.from({ length: 12 }, (_, i) => rr(i, T0 + i * 1000));
    const other = { stormId: 'storm-other', isPartOfStorm: true };
    group[5] = rr(5, T0 + 5000, other);
    const plan = planStormGroup(group, cfg, T0 + 15_000);
    const names = plan.leaders[0]!.memberWrites.map((w) => w.rr.metadata.name);
    expect(names).not.toContain(group[5]!.metadata.name);
    expect(names).toHaveLength(10);
  });

  it('does not pick a terminal RR as the leader, but counts it as a member', () => {
    const group = Array.from({ length: 12 }, (_, i) =>
      rr(i, T0 + i * 1000, undefined, i === 0 ? 'Completed' : 'Pending'),
    );
    const plan = planStormGroup(group, cfg, T0 + 15_000);
    expect(plan.leaders[0]!.leader).toBe(group[1]);
    expect(plan.leaders[0]!.members.map((m) => m.metadata.name)).toContain(group[0]!.metadata.name);
  });

  it('finds members by creation time, also one sorting before the leader within its second', () => {
    const group = Array.from({ length: 12 }, (_, i) => rr(i, T0 + i * 1000));
    const storm = { stormId: stormIdFor(group[0]!), stormDetectedAt: iso(T0 + 14_000), isPartOfStorm: true };
    const leader = rr(0, T0, { ...storm, stormType: 'pattern', aggregatedCount: 1 });
    const sameSecond = rr(99, T0);
    const plan = planStormGroup([sameSecond, leader, ...group.slice(1)], cfg, T0 + 15_000);
    expect(plan.leaders).toHaveLength(1);
    expect(plan.leaders[0]!.leader).toBe(leader);
    expect(plan.leaders[0]!.members).toContain(sameSecond);
    expect(plan.leaders[0]!.storm.affectedResources).toHaveLength(13);
  });

  it('leaves RRs from before the detection window out', () => {
    const old = rr(98, T0 - 200_000);
    const group = [old, ...Array.from({ length: 12 }, (_, i) => rr(i, T0 + i * 1000))];
    const plan = planStormGroup(group, cfg, T0 + 15_000);
    expect(plan.leaders[0]!.leader).toBe(group[1]);
    expect(plan.leaders[0]!.members.map((m) => m.metadata.name)).not.toContain(old.metadata.name);
  });

  it('gives a second storm a new leader once the first is closed, keeping the first one whole', () => {
    const group = Array.from({ length: 12 }, (_, i) => rr(i, T0 + i * 1000));
    const open = applyPlan(group, T0 + 15_000);
    const burst = Array.from({ length: 11 }, (_, i) => rr(100 + i, T0 + 80_000 + i * 100));
    const quiet = [...open, ...burst];
    const first = planStormGroup(quiet, cfg, T0 + 82_000);
    expect(first.leaders.map((l) => [l.closes, l.opens])).toEqual([[true, undefined]]);
    const closed = applyPlan(quiet, T0 + 82_000);
    const firstStorm = closed[0]!.status!.stormAggregation!;
    const second = planStormGroup(closed, cfg, T0 + 82_000);
    const opening = second.leaders.filter((l) => l.opens);
    expect(opening).toHaveLength(1);
    expect(opening[0]!.leader.metadata.name).toBe(burst[0]!.metadata.name);
    expect(opening[0]!.opens).toBe('rate');
    expect(opening[0]!.memberWrites.map((w) => w.rr.metadata.name)).toEqual(
      burst.slice(1).map((r) => r.metadata.name),
    );
    const after = applyPlan(closed, T0 + 82_000);
    expect(after[0]!.status!.stormAggregation).toEqual(firstStorm);
  });

  it('closes a storm at once when its leader turns terminal', () => {
    const group = Array.from({ length: 12 }, (_, i) => rr(i, T0 + i * 1000));
    const open = applyPlan(group, T0 + 15_000);
    const done = [
      { ...open[0]!, status: { ...open[0]!.status, overallPhase: 'Completed' } },
      ...open.slice(1),
    ];
    const plan = planStormGroup(done, cfg, T0 + 20_000);
    const leader = plan.leaders.find((l) => l.leader === done[0]);
    expect(leader).toMatchObject({ closes: true, open: false });
    expect(leader!.patch).toEqual({ closedAt: iso(T0 + 20_000) });
  });

  it('gives buffered members their own RRs once the window ends without a storm', () => {
    const pending = {
      fingerprint: 'a'.repeat(64),
      resource: 'Pod/shop/late',
      receivedTime: iso(T0 + 500),
      lastSeenAt: iso(T0 + 500),
      occurrences: 1,
      severity: 'critical',
      priority: 'P0' as const,
      environment: 'production',
      signalType: 'prometheus-alert' as const,
      signalSource: 'alertmanager',
      firingTime: iso(T0),
      targetResource: { kind: 'Pod', name: 'late', namespace: 'shop' },
    };
    const holder = rr(0, T0, { pendingMembers: [pending] });
    holder.spec.receivedTime = iso(T0);
    expect(planStormGroup([holder], cfg, T0 + 1000)).toMatchObject({ buffers: [], recheckAfterMs: 4000 });
    expect(planStormGroup([holder], cfg, T0 + 5000).buffers).toEqual([{ holder, due: [pending] }]);
  });

  it('does not take the next storm’s first RR, created in the second of the close, for a member', () => {
    const group = Array.from({ length: 12 }, (_, i) => rr(i, T0 + i * 1000));
    const closedAtMs = T0 + 80_500;
    const closed = applyPlan(group, T0 + 15_000).map((r, i) =>
      i === 0
        ? {
            ...r,
            status: {
              ...r.status,
              stormAggregation: { ...r.status!.stormAggregation, closedAt: iso(closedAtMs) },
            },
          }
        : r,
    );
    const next = rr(200, T0 + 80_000); // creationTimestamp truncated to the second of the close
    next.spec.receivedTime = iso(closedAtMs + 300);
    const plan = planStormGroup([...closed, next], cfg, T0 + 81_000);
    const first = plan.leaders.find((l) => l.leader === closed[0])!;
    expect(first.members.map((m) => m.metadata.name)).not.toContain(next.metadata.name);
  });
});
