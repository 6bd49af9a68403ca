// The targets, checked against one run's results. Reported, never enforced: the
// benchmark is not tuned to meet them and `make bench` does not fail when one is missed.
import type { CacheMemory } from './memory.ts';
import type { CaseResult } from './measure.ts';

export interface BaselineNumbers {
  rawCreatePerSec: number;
  rawStatusUpdatePerSec: number;
  rawWriteP95Ms: number;
}

export interface TargetResult {
  target: string;
  subject: string;
  value: number;
  limit: number;
  unit: string;
  met: boolean;
}

export const RSS_LIMIT_MB = 120;

export function checkTargets(b: BaselineNumbers, cases: CaseResult[], memory: CacheMemory): TargetResult[] {
  const out: TargetResult[] = [];
  const subject = (c: CaseResult) => `${c.case} x${c.replicas}`;
  const atMost = (target: string, s: string, value: number, limit: number, unit: string) =>
    out.push({ target, subject: s, value, limit, unit, met: value <= limit });
  const atLeast = (target: string, s: string, value: number, limit: number, unit: string) =>
    out.push({ target, subject: s, value, limit, unit, met: value >= limit });
  const below = (target: string, s: string, value: number, limit: number, unit: string) =>
    out.push({ target, subject: s, value, limit, unit, met: value < limit });
  const round = (v: number) => Math.round(v * 100) / 100;
  for (const c of cases.filter((x) => x.case === 'dup90')) {
    atMost(
      'duplicates <= 0.2 API requests per duplicate signal',
      subject(c),
      c.apiRequestsPerDuplicate ?? 0,
      0.2,
      'req',
    );
  }
  for (const c of cases.filter((x) => x.case === 'new')) {
    atMost('new fingerprints <= 4 API requests per signal', subject(c), c.apiRequestsPerSignal, 4, 'req');
  }
  for (const c of cases.filter((x) => x.case === 'dup90')) {
    atLeast(
      'dup90 throughput >= 3x raw status-update rate',
      subject(c),
      c.signalsPerSec,
      round(3 * b.rawStatusUpdatePerSec),
      '/s',
    );
  }
  for (const c of cases.filter((x) => x.case === 'new')) {
    atLeast(
      'new throughput >= 0.5x raw create rate',
      subject(c),
      c.signalsPerSec,
      round(0.5 * b.rawCreatePerSec),
      '/s',
    );
  }
  for (const c of cases) {
    atMost('intake P95 <= 2x raw API write P95', subject(c), c.p95Ms, round(2 * b.rawWriteP95Ms), 'ms');
  }
  below(
    `RSS < ${RSS_LIMIT_MB} MB with ${memory.cachedRRs} RRs cached`,
    '1 replica',
    memory.rssMb,
    RSS_LIMIT_MB,
    'MB',
  );
  return out;
}
