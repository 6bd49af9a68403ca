import type { RemediationRequest, StormAggregationStatus } from '../api/types.ts';
import { rrName } from '../../webhook/signal/fingerprint.ts';
import { bufferHolder, openStormLeader, stormIdFor, stormLeaderCandidate } from './policy.ts';
import type { StormConfig } from './policy.ts';
import { fixtureRR } from './testFixtures.ts';
import { defaultConfig } from '../config/schema.ts';

/** The product's defaults (contract §4): the tests below are written against them. */
const cfg: StormConfig = defaultConfig().storm;
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

  it('gives every leader a storm id that is a valid label value (kubernaut.ai/storm), one per leader', () => {
    const named = (name: string) => ({ metadata: { name } }) as RemediationRequest;
    const fp = 'ab'.repeat(32);
    const ids = [rrName(fp, 1), rrName(fp, 12), rrName('cd'.repeat(32), 1)].map((n) => stormIdFor(named(n)));
    const LABEL_VALUE = /^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$/;
    for (const id of ids) expect(id).toMatch(LABEL_VALUE);
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]).toMatch(/^storm-abababababab-/); // the leader's rr-<12 hex> prefix, recognisable
    expect(stormIdFor(named('rr-0123456789ab-x7k2q'))).toBe('storm-0123456789ab-x7k2q'); // older names
  });
});
