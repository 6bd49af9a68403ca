// The goals of issue 12, checked against one run's results: one row per goal and subject.
// Reported, never enforced: `make bench` does not fail when one is missed.
import type { CacheMemory } from './memory.ts';
import type { CaseResult } from './measure.ts';
import type { OpenLoopResult } from './openLoop.ts';

export interface TargetResult {
  /** The goal number (1-5). */
  goal: number;
  target: string;
  subject: string;
  value: number;
  limit: number;
  unit: string;
  met: boolean;
}

export interface TargetInputs {
  cases: CaseResult[];
  openLoop: OpenLoopResult[];
  memory: CacheMemory;
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;

/** API requests per new fingerprint, the lock Leases left behind included (one delete each, later). */
export const perNewFingerprint = (c: CaseResult) => r3((c.apiRequests + c.lockLeasesLeft) / c.signals);

export function checkTargets({ cases, openLoop, memory }: TargetInputs): TargetResult[] {
  const out: TargetResult[] = [];
  const add = (
    goal: number,
    target: string,
    subject: string,
    value: number,
    limit: number,
    unit: string,
    met: boolean,
  ) => out.push({ goal, target, subject, value: r3(value), limit: r3(limit), unit, met });
  const atMost = (g: number, t: string, s: string, v: number, l: number, u: string) =>
    add(g, t, s, v, l, u, v <= l);
  const below = (g: number, t: string, s: string, v: number, l: number, u: string) =>
    add(g, t, s, v, l, u, v < l);
  const atLeast = (g: number, t: string, s: string, v: number, l: number, u: string) =>
    add(g, t, s, v, l, u, v >= l);
  const find = (name: string, replicas: number) =>
    cases.find((c) => c.case === name && c.replicas === replicas);
  const each = (name: string, replicas: number[], fn: (c: CaseResult, s: string) => void) => {
    for (const n of replicas) {
      const c = find(name, n);
      if (c) fn(c, `${name} x${n}`);
    }
  };
  const max = (xs: number[]) => Math.max(...xs);

  each('new', [1, 3], (c, s) => {
    atMost(1, 'RSS idle <= 90 MB (largest replica)', s, max(c.rssIdleMb), 90, 'MB');
    atMost(1, 'RSS after 2000 new RRs <= 140 MB (largest replica)', s, max(c.rssMb), 140, 'MB');
  });
  atMost(1, `RSS with ${memory.cachedRRs} RRs cached <= 120 MB`, '1 replica', memory.rssMb, 120, 'MB');

  each('new', [1, 3], (c, s) =>
    atMost(2, 'CPU per new signal <= 2 ms', s, c.cpuMsPerSignal.operator, 2, 'ms'),
  );
  each('dup', [1, 3], (c, s) =>
    atMost(2, 'CPU per duplicate signal <= 1 ms', s, c.cpuMsPerSignal.operator, 1, 'ms'),
  );

  const rate50 = openLoop.find((o) => o.case === 'rate50-dup90');
  if (rate50) {
    const s = `${rate50.case} x${rate50.replicas}`;
    below(3, 'P95 < 50 ms at 50 signals/s (open loop)', s, rate50.latency.p95Ms, 50, 'ms');
    below(3, 'P99 < 100 ms at 50 signals/s (open loop)', s, rate50.latency.p99Ms, 100, 'ms');
  }
  const lock = openLoop.find((o) => o.case === 'rate20-new-lock');
  const noLock = openLoop.find((o) => o.case === 'rate20-new-nolock');
  if (lock && noLock) {
    const d = lock.latency.p95Ms - noLock.latency.p95Ms;
    below(3, 'creation lock: P95 with lock - P95 without < 20 ms', 'rate20-new', d, 20, 'ms');
  }
  each('burst', [1, 3], (c, s) =>
    atMost(
      3,
      'burst of 200 duplicates: <= 0.05 API requests per signal',
      s,
      c.apiRequestsPerSignal,
      0.05,
      'req',
    ),
  );

  for (const name of ['dup90', 'storm']) {
    const one = find(name, 1);
    const three = find(name, 3);
    if (one && three) {
      atLeast(
        4,
        `${name} x3 throughput >= ${name} x1`,
        `${name} x3`,
        three.signalsPerSec,
        one.signalsPerSec,
        '/s',
      );
    }
    if (three) {
      const v = three.apiRequestsPerDuplicate ?? 0;
      atMost(
        4,
        `${name} x3: <= 0.3 API requests per duplicate/aggregated signal`,
        `${name} x3`,
        v,
        0.3,
        'req',
      );
    }
  }

  each('new', [1, 3], (c, s) =>
    atMost(
      5,
      'new fingerprint: <= 4 API requests, lock Lease clean-up included',
      s,
      perNewFingerprint(c),
      4,
      'req',
    ),
  );
  return out;
}
