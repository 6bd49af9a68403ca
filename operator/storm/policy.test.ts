import type { RemediationRequest, StormAggregationStatus } from '../api/types.ts';
import { bufferHolder, openStormLeader, stormLeaderCandidate } from './policy.ts';
import type { StormConfig } from './policy.ts';
import { fixtureRR } from './testFixtures.ts';

const cfg: StormConfig = {
  rate: { threshold: 10, windowSeconds: 60 },
  pattern: { threshold: 5, windowSeconds: 120 },
  quietSeconds: 60,
  maxDurationSeconds: 300,
  bufferSeconds: 5,
  maxListedMembers: 1000,
};
const T0 = Date.parse('2026-11-26T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function rr(i: number, atMs: number, storm?: StormAggregationStatus, phase = 'Pending'): RemediationRequest {
  const r = fixtureRR({
    namespace: 'ops',
    pod: `pod-${i}`,
    createdAt: new Date(atMs),
    status: { overallPhase: phase, ...(storm ? { stormAggregation: storm } : {}) },
  });
  r.spec.receivedTime = iso(atMs);
  return r;
}

const openStorm = (atMs: number): StormAggregationStatus => ({
  stormId: 'storm-x',
  stormDetectedAt: iso(atMs),
  isPartOfStorm: true,
  aggregatedCount: 3,
});

describe('storm policy', () => {
  it('does not take a terminal leader for an open storm (its group creates or leads anew)', () => {
    const leader = rr(0, T0, openStorm(T0), 'Completed');
    expect(openStormLeader([leader], cfg, T0 + 1000)).toBeUndefined();
    expect(openStormLeader([rr(0, T0, openStorm(T0))], cfg, T0 + 1000)).toBeDefined();
  });

  it('never picks an RR that led or joined a storm as the leader of another', () => {
    const closed = rr(0, T0, { ...openStorm(T0), closedAt: iso(T0 + 60_000) });
    const member = rr(1, T0 + 1000, { stormId: 'storm-x', isPartOfStorm: true });
    const fresh = rr(2, T0 + 70_000);
    expect(stormLeaderCandidate([closed, member, fresh], cfg, T0 + 80_000)).toBe(fresh);
  });

  it('keeps a buffer holder for bufferSeconds after its signal, never a storm RR or a terminal one', () => {
    const first = rr(0, T0);
    expect(bufferHolder([first], cfg, T0 + 4999)).toBe(first);
    expect(bufferHolder([first], cfg, T0 + 5000)).toBeUndefined();
    expect(bufferHolder([rr(0, T0, undefined, 'Failed')], cfg, T0 + 1000)).toBeUndefined();
    expect(bufferHolder([rr(0, T0, openStorm(T0))], cfg, T0 + 1000)).toBeUndefined();
  });
});
