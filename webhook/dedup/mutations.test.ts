import { applyMergePatch, mergePatchDiff } from '../../operator/api/mergePatch.ts';
import type { RemediationRequest, RemediationRequestStatus } from '../../operator/api/types.ts';
import type { StormConfig } from '../../operator/storm/policy.ts';
import { fixtureRR } from '../../operator/storm/testFixtures.ts';
import { foldIntoStorm, pendOnHolder } from './mutations.ts';
import type { NewPendingMember } from './mutations.ts';
import type { StatusMutation } from './statusBatcher.ts';

const cfg: StormConfig = {
  rate: { threshold: 10, windowSeconds: 60 },
  pattern: { threshold: 5, windowSeconds: 120 },
  quietSeconds: 60,
  maxDurationSeconds: 300,
  bufferSeconds: 5,
  maxListedMembers: 3,
};
const T0 = Date.parse('2026-11-26T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const member = (i: number) => ({ fingerprint: String(i).padStart(64, '0'), resource: `Pod/shop/p${i}` });

/** Applies mutations as the StatusBatcher does: to a copy, then stored as a merge patch. */
function write<R>(rr: RemediationRequest, atMs: number, ...mutations: StatusMutation<R>[]) {
  const status = structuredClone(rr.status ?? {}) as RemediationRequestStatus;
  const results = mutations.map((m) => m(status, iso(atMs), rr));
  const patch = mergePatchDiff(rr.status as Record<string, unknown>, status as Record<string, unknown>);
  const stored = { ...rr, status: applyMergePatch(rr.status, patch) as RemediationRequestStatus };
  return { stored, results };
}

function leader(status: RemediationRequestStatus = { overallPhase: 'Pending' }): RemediationRequest {
  const rr = fixtureRR({ namespace: 'ops', pod: 'lead', createdAt: new Date(T0), status });
  rr.spec.receivedTime = iso(T0);
  return rr;
}

describe('storm mutations', () => {
  it('never reopens a closed storm: folds after the close change nothing and ask to look again', () => {
    const closed = leader({
      overallPhase: 'Pending',
      stormAggregation: {
        stormId: 'storm-lead',
        stormType: 'pattern',
        stormDetectedAt: iso(T0),
        isPartOfStorm: true,
        aggregatedCount: 40,
        closedAt: iso(T0 + 60_000),
      },
    });
    const once = write(closed, T0 + 61_000, foldIntoStorm('pattern', member(1), cfg));
    const twice = write(once.stored, T0 + 62_000, foldIntoStorm('pattern', member(2), cfg));
    expect([...once.results, ...twice.results]).toEqual([{ kind: 'retry' }, { kind: 'retry' }]);
    expect(twice.stored.status).toEqual(closed.status);
  });

  it('opens a storm on a fresh leader, counts every signal and lists members up to the cap', () => {
    const folds = [1, 2, 3, 4, 2].map((i) => foldIntoStorm('pattern', member(i), cfg));
    const { stored, results } = write(leader(), T0 + 1000, ...folds);
    expect(results[0]).toMatchObject({ kind: 'aggregated', opened: true });
    expect(results[1]).toMatchObject({ kind: 'aggregated', opened: false });
    const s = stored.status!.stormAggregation!;
    expect(s.aggregatedCount).toBe(6); // the leader's own signal and five folds
    expect(s.aggregatedFingerprints).toHaveLength(3);
    expect(s.unlistedMembers).toBe(2); // p3 and p4 did not fit; the repeat of p2 is listed
  });

  it('counts Alertmanager truncatedAlerts as unlisted members', () => {
    const { stored } = write(leader(), T0, foldIntoStorm('pattern', { ...member(1), truncated: 7 }, cfg));
    expect(stored.status!.stormAggregation).toMatchObject({ aggregatedCount: 9, unlistedMembers: 7 });
  });

  it('buffers new fingerprints on the holder, counts repeats, and opens the storm past the threshold', () => {
    const pending = (i: number): NewPendingMember => ({
      ...member(i),
      receivedTime: iso(T0 + i * 100),
      severity: 'critical',
      priority: 'P0',
      environment: 'production',
      signalType: 'prometheus-alert',
      signalSource: 'alertmanager',
      firingTime: iso(T0),
      targetResource: { kind: 'Pod', name: `p${i}`, namespace: 'shop' },
    });
    let holder = leader();
    const first = write(
      holder,
      T0 + 200,
      pendOnHolder(pending(1), cfg, []),
      pendOnHolder(pending(1), cfg, []),
    );
    expect(first.results).toEqual([{ kind: 'buffered' }, { kind: 'buffered' }]);
    expect(first.stored.status!.stormAggregation!.pendingMembers).toMatchObject([{ occurrences: 2 }]);
    holder = first.stored;
    const more = [2, 3, 4, 5].map((i) => pendOnHolder(pending(i), cfg, []));
    const { stored, results } = write(holder, T0 + 600, ...more);
    expect(results.slice(0, 3)).toEqual([{ kind: 'buffered' }, { kind: 'buffered' }, { kind: 'buffered' }]);
    expect(results[3]).toMatchObject({ kind: 'aggregated', opened: true }); // 6 resources > 5
    const s = stored.status!.stormAggregation!;
    expect(s.pendingMembers).toBeUndefined();
    expect(s.aggregatedCount).toBe(7); // holder 1 + p1 twice + p2..p5
    expect(write(holder, T0 + 5000, pendOnHolder(pending(6), cfg, [])).results).toEqual([{ kind: 'retry' }]);
  });
});
