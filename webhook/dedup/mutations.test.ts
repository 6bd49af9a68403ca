import { applyMergePatch, mergePatchDiff } from '../../operator/api/mergePatch.ts';
import type { RemediationRequest, RemediationRequestStatus } from '../../operator/api/types.ts';
import type { StormConfig } from '../../operator/storm/policy.ts';
import { fixtureRR } from '../../operator/storm/testFixtures.ts';
import { occurrenceId } from './occurrences.ts';
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

const pending = (i: number, occurrenceKey?: string): NewPendingMember => ({
  ...member(i),
  receivedTime: iso(T0 + i * 100),
  severity: 'critical',
  priority: 'P0',
  environment: 'production',
  signalType: 'prometheus-alert',
  signalSource: 'alertmanager',
  firingTime: iso(T0),
  targetResource: { kind: 'Pod', name: `p${i}`, namespace: 'shop' },
  ...(occurrenceKey === undefined ? {} : { occurrenceKey }),
});

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

  describe('redelivered storm signals (the same occurrence key again)', () => {
    const keyed = (i: number, key = `am:f:${i}:${iso(T0)}:firing`) => ({ ...member(i), occurrenceKey: key });

    it('a fold already on the leader record is answered redelivered and counts nothing', () => {
      const folds = [1, 2, 3].map((i) => foldIntoStorm('pattern', keyed(i), cfg));
      const once = write(leader(), T0 + 1000, ...folds);
      const again = write(once.stored, T0 + 2000, foldIntoStorm('pattern', keyed(2), cfg));
      const stormId = once.stored.status!.stormAggregation!.stormId;
      expect(again.results).toEqual([{ kind: 'aggregated', stormId, opened: false, redelivered: true }]);
      expect(again.stored.status).toEqual(once.stored.status);
      expect(once.stored.status!.recentOccurrences).toEqual(
        [1, 2, 3].map((i) => occurrenceId(keyed(i).occurrenceKey)),
      );
      // A new firing of the same member (another startsAt) is a new occurrence: it counts.
      const next = write(
        once.stored,
        T0 + 3000,
        foldIntoStorm('pattern', keyed(2, 'am:f:2:later:firing'), cfg),
      );
      expect(next.results[0]).toMatchObject({ kind: 'aggregated' });
      expect(next.results[0]).not.toHaveProperty('redelivered');
      expect(next.stored.status!.stormAggregation!.aggregatedCount).toBe(5);
    });

    it('a pending member delivered twice is counted once, on the member and on the holder record', () => {
      const first = write(leader(), T0 + 200, pendOnHolder(pending(1, 'k1'), cfg, []));
      const again = write(first.stored, T0 + 300, pendOnHolder(pending(1, 'k1'), cfg, []));
      expect(again.results).toEqual([{ kind: 'buffered', redelivered: true }]);
      expect(again.stored.status).toEqual(first.stored.status);
      const p = first.stored.status!.stormAggregation!.pendingMembers!;
      expect(p).toMatchObject([
        { occurrences: 1, occurrenceKey: 'k1', recentOccurrences: [occurrenceId('k1')] },
      ]);
      expect(first.stored.status!.recentOccurrences).toEqual([occurrenceId('k1')]);
      const repeat = write(first.stored, T0 + 400, pendOnHolder(pending(1, 'k1b'), cfg, []));
      expect(repeat.results).toEqual([{ kind: 'buffered' }]);
      expect(repeat.stored.status!.stormAggregation!.pendingMembers).toMatchObject([
        { occurrences: 2, occurrenceKey: 'k1', recentOccurrences: [occurrenceId('k1'), occurrenceId('k1b')] },
      ]);
    });

    it('a pending member redelivered after its storm opened is not counted again', () => {
      const pends = [1, 2, 3, 4, 5].map((i) => pendOnHolder(pending(i, `k${i}`), cfg, []));
      const opened = write(leader(), T0 + 600, ...pends);
      expect(opened.results[4]).toMatchObject({ kind: 'aggregated', opened: true });
      expect(opened.stored.status!.stormAggregation!.aggregatedCount).toBe(6);
      const again = write(opened.stored, T0 + 700, pendOnHolder(pending(2, 'k2'), cfg, []));
      const stormId = opened.stored.status!.stormAggregation!.stormId;
      expect(again.results).toEqual([{ kind: 'aggregated', stormId, opened: false, redelivered: true }]);
      expect(again.stored.status).toEqual(opened.stored.status);
    });
  });
});
