import {
  CASES,
  DUPLICATE_SHARE,
  GROUP_SIZE,
  HOT_FINGERPRINTS,
  OPEN_LOOP,
  alertsFor,
  caseSpec,
  openLoopAlerts,
  primeAlertsFor,
  webhookPayload,
} from './workload.ts';
import type { Alert } from './workload.ts';

const subject = (a: Alert) => `${a.labels.namespace}/${a.labels.deployment ?? a.labels.pod}`;

/** Distinct targets per (namespace, alertname): what the pattern-storm rule counts. */
function largestGroup(alerts: Alert[]): number {
  const groups = new Map<string, Set<string>>();
  for (const a of alerts) {
    const key = `${a.labels.namespace}/${a.labels.alertname}`;
    groups.set(key, (groups.get(key) ?? new Set()).add(subject(a)));
  }
  return Math.max(...[...groups.values()].map((g) => g.size));
}

describe('bench workloads', () => {
  it('are fixed: the same alerts on every call', () => {
    for (const spec of CASES) expect(alertsFor(spec)).toEqual(alertsFor(spec));
  });

  it('new: every signal is a distinct target, and no group could form a storm', () => {
    const alerts = alertsFor(caseSpec('new'));
    expect(alerts).toHaveLength(caseSpec('new').signals);
    expect(new Set(alerts.map(subject)).size).toBe(alerts.length);
    expect(largestGroup(alerts)).toBeLessThanOrEqual(GROUP_SIZE);
  });

  it('dup90: about 90% of signals repeat one of 50 hot targets, no storm group', () => {
    const alerts = alertsFor(caseSpec('dup90'));
    const counts = new Map<string, number>();
    for (const a of alerts) counts.set(subject(a), (counts.get(subject(a)) ?? 0) + 1);
    const hot = [...counts.values()].filter((n) => n > 1).length;
    const duplicates = alerts.length - counts.size;
    expect(hot).toBe(HOT_FINGERPRINTS);
    expect(duplicates / alerts.length).toBeGreaterThan(DUPLICATE_SHARE - 0.02);
    expect(duplicates / alerts.length).toBeLessThan(DUPLICATE_SHARE + 0.02);
    expect(largestGroup(alerts)).toBeLessThanOrEqual(GROUP_SIZE);
  });

  it('storm: one alertname over many pods of one namespace', () => {
    const alerts = alertsFor(caseSpec('storm'));
    expect(new Set(alerts.map((a) => a.labels.alertname)).size).toBe(1);
    expect(new Set(alerts.map((a) => a.labels.namespace)).size).toBe(1);
    expect(new Set(alerts.map((a) => a.labels.pod)).size).toBeGreaterThan(300);
  });

  it('dup and burst: every signal repeats a target whose RR is created first', () => {
    for (const name of ['dup', 'burst']) {
      const spec = caseSpec(name);
      const primed = new Set(primeAlertsFor(spec).map(subject));
      const alerts = alertsFor(spec);
      expect(primed.size).toBe(spec.prime);
      expect(alerts).toHaveLength(spec.signals);
      expect(alerts.every((a) => primed.has(subject(a)))).toBe(true);
    }
    expect(caseSpec('burst').concurrency).toBe(caseSpec('burst').signals);
  });

  it('open-loop cases hold rate x seconds alerts; the lock pair sends the same ones', () => {
    for (const spec of OPEN_LOOP) expect(openLoopAlerts(spec)).toHaveLength(spec.rate * spec.seconds);
    const [, on, off] = OPEN_LOOP;
    expect(openLoopAlerts(on!)).toEqual(openLoopAlerts(off!));
    expect(new Set(openLoopAlerts(on!).map(subject)).size).toBe(on!.rate * on!.seconds);
  });

  it('sends one alert per Alertmanager v4 webhook', () => {
    const body = webhookPayload(alertsFor(caseSpec('new'))[0]!);
    expect(body).toMatchObject({ version: '4', status: 'firing' });
    expect(body.alerts).toHaveLength(1);
  });
});
