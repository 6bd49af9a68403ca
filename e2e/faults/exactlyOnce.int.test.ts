// Scenario 1, exactly once with crashes: three replicas, distinct firings over 20 fingerprints sent
// round-robin by Alertmanager-like senders (5xx and broken connections retried, a refused
// connection sent to another replica), and one replica SIGKILLed twice mid-load (restarted by
// the supervisor, as a kubelet would). Contract §4: one active RR per fingerprint, and each
// fingerprint's occurrenceCount equals exactly its acknowledged distinct firings.
import { randomBytes } from 'node:crypto';
import { eventually } from '../../test/support/cluster.ts';
import { PROMETHEUS } from '../../test/support/operator.ts';
import { byFingerprint, rrsBySignal } from './support/observe.ts';
import { recordResult } from './support/results.ts';
import { deliver, firing, notification, pool } from './support/sender.ts';
import type { Delivery } from './support/sender.ts';
import { size } from './support/sizes.ts';
import { startTarget } from './support/target.ts';
import type { Target } from './support/target.ts';

const FINGERPRINTS = 20;
const FIRINGS = size('CRASH_FIRINGS', 200, 2000);
const CONCURRENCY = size('CRASH_CONCURRENCY', 12, 24);
const VICTIM = 1;

describe('scenario 1: exactly once while a replica is SIGKILLed twice', () => {
  let target: Target;
  const run = randomBytes(3).toString('hex');
  const alertname = `CrashLoad${run}`;

  beforeAll(async () => {
    target = await startTarget({
      replicas: 3,
      config: { intake: { lock: { maxWaitMs: 3000 } } },
    });
  });
  afterAll(() => target?.stop());

  it('keeps one active RR per fingerprint and counts every acknowledged firing once', async () => {
    const base = Date.now() - 3_600_000;
    const acked = new Map<string, number>(); // deployment -> acknowledged firings
    let done = 0;
    const kills: number[] = [];
    const killAt = [Math.floor(FIRINGS / 3), Math.floor((2 * FIRINGS) / 3)];
    const tasks = Array.from({ length: FIRINGS }, (_, i) => async (): Promise<Delivery> => {
      const deployment = `svc-${i % FINGERPRINTS}`;
      // One namespace per fingerprint: 20 new workloads of one alert in one namespace would be a storm.
      const labels = { alertname, severity: 'critical', namespace: `shop-${run}-${deployment}`, deployment };
      // Distinct firings of one alert: same labels, a new startsAt each time.
      const body = notification([firing(labels, new Date(base + i * 1000))]);
      const d = await deliver(target.intakes, i, PROMETHEUS, body, {
        token: target.token,
        deadlineMs: 180_000,
      });
      if (d.status >= 200 && d.status < 300) acked.set(deployment, (acked.get(deployment) ?? 0) + 1);
      done++;
      if (killAt.length > 0 && done >= killAt[0]!) {
        killAt.shift();
        kills.push(target.pid(VICTIM));
        await target.kill(VICTIM);
      }
      return d;
    });
    const started = Date.now();
    const deliveries = await pool(CONCURRENCY, tasks);
    const loadMs = Date.now() - started;
    await target.ready(120_000); // the victim came back

    const codes = new Map<number, number>();
    for (const d of deliveries) codes.set(d.status, (codes.get(d.status) ?? 0) + 1);
    const ackedTotal = [...acked.values()].reduce((a, b) => a + b, 0);
    const retried = deliveries.filter((d) => d.attempts > 1).length;
    const redelivered = deliveries.filter((d) => d.body.redelivered === true).length;

    // The status writes are acknowledged before the reply, but the cache of a reader may lag:
    // poll the API server until the counts stop moving.
    let view = byFingerprint(await rrsBySignal(target.kube, target.namespace, alertname));
    await eventually(
      'counts to settle',
      async () => {
        const next = byFingerprint(await rrsBySignal(target.kube, target.namespace, alertname));
        const same = [...next].every(([fp, v]) => view.get(fp)?.occurrences === v.occurrences);
        view = next;
        return same ? true : undefined;
      },
      30_000,
      1000,
    );
    const views = [...view.values()];
    const duplicates = views.reduce((n, v) => n + Math.max(0, v.active - 1), 0);
    const counted = views.reduce((n, v) => n + v.occurrences, 0);
    const perFp = [...acked].map(([dep, n]) => {
      const v = views.find((x) => x.rrs[0]!.spec.targetResource.name === dep);
      return { dep, acked: n, counted: v?.occurrences ?? 0 };
    });
    const lost = perFp.reduce((n, p) => n + Math.max(0, p.acked - p.counted), 0);
    const extra = perFp.reduce((n, p) => n + Math.max(0, p.counted - p.acked), 0);
    const mismatched = perFp.filter((p) => p.acked !== p.counted).length;
    const passed =
      views.length === FINGERPRINTS &&
      duplicates === 0 &&
      ackedTotal === FIRINGS &&
      lost === 0 &&
      extra === 0 &&
      kills.length === 2;
    recordResult({
      id: '1-exactly-once-crashes',
      scenario: 'Exactly once with crashes',
      load: `${FIRINGS} distinct firings over ${FINGERPRINTS} fingerprints, round-robin to 3 replicas, ${CONCURRENCY} in flight`,
      faults: 'one replica SIGKILLed twice mid-load (restarted with back-off)',
      passed,
      result:
        `${views.length} fingerprints with ${duplicates} duplicate active RRs; ${ackedTotal}/${FIRINGS} acknowledged, ` +
        `${counted} counted (${lost} lost, ${extra} counted twice, ${mismatched} fingerprints off)`,
      figure: `duplicates ${duplicates}, 2xx lost ${lost}, double counts ${extra}`,
      figures: {
        firings: FIRINGS,
        acknowledged: ackedTotal,
        counted,
        duplicates,
        lost,
        extra,
        mismatchedFingerprints: mismatched,
        retriedDeliveries: retried,
        redeliveredReplies: redelivered,
        kills: kills.length,
        loadMs,
        codes: JSON.stringify(Object.fromEntries(codes)),
      },
    });
    expect(kills).toHaveLength(2);
    expect(codes.get(0) ?? 0).toBe(0); // every firing was eventually answered
    expect(views).toHaveLength(FINGERPRINTS);
    expect(duplicates).toBe(0);
    expect(ackedTotal).toBe(FIRINGS);
    expect({ lost, extra }).toEqual({ lost: 0, extra: 0 });
    for (const p of perFp) expect(p).toEqual({ dep: p.dep, acked: p.acked, counted: p.acked });
  }, 600_000);
});
