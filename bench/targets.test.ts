import type { CacheMemory } from './memory.ts';
import type { CaseResult } from './measure.ts';
import type { OpenLoopResult } from './openLoop.ts';
import { checkTargets, perNewFingerprint } from './targets.ts';

const kase = (name: string, replicas: number, over: Partial<CaseResult> = {}): CaseResult =>
  ({
    case: name,
    replicas,
    signals: 100,
    signalsPerSec: 100,
    rssIdleMb: [80],
    rssMb: [130],
    apiRequests: 300,
    apiRequestsPerSignal: 0.01,
    apiRequestsPerDuplicate: 0.1,
    lockLeasesLeft: 100,
    cpuMsPerSignal: { operator: 1.5, apiserver: 1 },
    ...over,
  }) as CaseResult;

const open = (name: string, p95Ms: number, p99Ms: number) =>
  ({ case: name, replicas: 2, latency: { p95Ms, p99Ms } }) as OpenLoopResult;

describe('issue 12 goals', () => {
  const cases = [
    kase('new', 1),
    kase('new', 3, { rssIdleMb: [80, 95, 85], apiRequests: 350 }),
    kase('dup90', 1, { signalsPerSec: 200 }),
    kase('dup90', 3, { signalsPerSec: 150, apiRequestsPerDuplicate: 0.2 }),
    kase('dup', 1, { cpuMsPerSignal: { operator: 1.2, apiserver: 0 } }),
    kase('storm', 1, { signalsPerSec: 100 }),
    kase('storm', 3, { signalsPerSec: 120, apiRequestsPerDuplicate: 0.4 }),
    kase('burst', 1, { apiRequestsPerSignal: 0.05 }),
  ];
  const openLoop = [
    open('rate50-dup90', 49, 100),
    open('rate20-new-lock', 60, 0),
    open('rate20-new-nolock', 45, 0),
  ];
  const memory = { cachedRRs: 10_000, rssMb: 119 } as CacheMemory;
  const rows = checkTargets({ cases, openLoop, memory });
  const met = (goal: number, subject: string, text: string) =>
    rows.find((r) => r.goal === goal && r.subject === subject && r.target.includes(text))?.met;

  it('counts the lock Leases left into the cost of a new fingerprint', () => {
    expect(perNewFingerprint(cases[0]!)).toBe(4);
    expect(met(5, 'new x1', 'new fingerprint')).toBe(true);
    expect(met(5, 'new x3', 'new fingerprint')).toBe(false);
  });

  it('checks each goal with its own comparison', () => {
    expect(met(1, 'new x1', 'idle')).toBe(true);
    expect(met(1, 'new x3', 'idle')).toBe(false);
    expect(met(1, '1 replica', 'cached')).toBe(true);
    expect(met(2, 'new x1', 'new signal')).toBe(true);
    expect(met(2, 'dup x1', 'duplicate')).toBe(false);
    expect(met(3, 'rate50-dup90 x2', 'P95')).toBe(true);
    expect(met(3, 'rate50-dup90 x2', 'P99')).toBe(false);
    expect(rows.find((r) => r.target.includes('lock'))).toMatchObject({ value: 15, met: true });
    expect(met(3, 'burst x1', 'burst')).toBe(true);
    expect(met(4, 'dup90 x3', 'throughput')).toBe(false);
    expect(met(4, 'dup90 x3', 'per duplicate')).toBe(true);
    expect(met(4, 'storm x3', 'throughput')).toBe(true);
    expect(met(4, 'storm x3', 'per duplicate')).toBe(false);
  });

  it('has a row for every goal, and only those', () => {
    expect([...new Set(rows.map((r) => r.goal))]).toEqual([1, 2, 3, 4, 5]);
    expect(rows).toHaveLength(18);
  });
});
