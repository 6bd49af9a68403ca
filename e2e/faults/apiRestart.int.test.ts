// Scenario 3, API server restart mid-load: two replicas under continuous load while their
// kube-apiserver is stopped and started again (same etcd). While it is down every answer is a
// 503 with Retry-After, nothing acknowledged is lost, the informers resync (an RR created behind
// the intake's back during the outage is seen as the active RR afterwards), and the time from
// the API server being back to the first 201 is measured. The test owns its control plane.
import { randomBytes } from 'node:crypto';
import { LocalControlPlane } from '../controlplane/controlPlane.ts';
import { installManifests } from '../controlplane/install.ts';
import { fixtureRR } from '../../operator/storm/testFixtures.ts';
import { clientNodeConfig } from '../controlplane/clientNode.ts';
import { eventually } from '../../test/support/cluster.ts';
import { PROMETHEUS } from '../../test/support/operator.ts';
import { byFingerprint, metricSum, rrsBySignal } from './support/observe.ts';
import { recordResult } from './support/results.ts';
import { deliver, firing, notification, pool } from './support/sender.ts';
import { size } from './support/sizes.ts';
import { startTarget } from './support/target.ts';
import type { Target } from './support/target.ts';

const FIRINGS = size('RESTART_FIRINGS', 150, 1500);
const DOWN_MS = size('RESTART_DOWN_MS', 5000, 20_000);
const FINGERPRINTS = 10;

describe('scenario 3: API server restart mid-load', () => {
  const cp = new LocalControlPlane();
  let target: Target;
  const run = randomBytes(3).toString('hex');
  const alertname = `Restart${run}`;
  const ns = `restart-${run}`;

  beforeAll(async () => {
    const info = await cp.start();
    await installManifests(clientNodeConfig(info.kubeconfigPath));
    target = await startTarget({
      replicas: 2,
      namespace: ns,
      kubeconfigPath: info.kubeconfigPath,
      env: { CLUSTER_ID: 'test' }, // the cluster ID fixtureRR's fingerprints are made with
      config: { intake: { requestTimeoutMs: 4000, lock: { maxWaitMs: 2000 } } },
    });
  });
  afterAll(async () => {
    await target?.stop();
    await cp.stop();
  });

  it('answers 503 + Retry-After while down, loses no 2xx, resyncs, and measures recovery', async () => {
    const base = Date.now() - 3_600_000;
    // The outage: from the API server's exit to the moment it is started again. An attempt sent
    // and answered inside it cannot have stored anything.
    let downAt = Infinity;
    let restartAt = Infinity;
    let firstCreatedAfter = 0;
    const during = { attempts: 0, status503: 0, withRetryAfter: 0, ok: 0, other: 0 };
    const acked = new Map<string, number>();
    // One namespace per fingerprint, so that many workloads of one alert are not a storm.
    const labelsFor = (dep: string) => ({
      alertname,
      severity: 'warning',
      namespace: `shop-${run}-${dep}`,
      deployment: dep,
    });
    const onAttempt = (status: number, retryAfter: string | null, sentAt: number) => {
      if (sentAt < downAt || Date.now() >= restartAt) return;
      during.attempts++;
      if (status === 503) during.status503++;
      if (status === 503 && Number(retryAfter) > 0) during.withRetryAfter++;
      else if (status >= 200 && status < 300) during.ok++;
      else if (status !== 503 && status !== 0) during.other++;
    };
    let sent = 0;
    const tasks = Array.from({ length: FIRINGS }, (_, i) => async () => {
      const dep = `svc-${i % FINGERPRINTS}`;
      const d = await deliver(
        target.intakes,
        i,
        PROMETHEUS,
        notification([firing(labelsFor(dep), new Date(base + i * 1000))]),
        {
          deadlineMs: 180_000,
          onAttempt,
        },
      );
      if (d.status >= 200 && d.status < 300) acked.set(dep, (acked.get(dep) ?? 0) + 1);
      sent++;
      // Pace the load so the outage lands in the middle of it.
      await new Promise((r) => setTimeout(r, 20));
      return d;
    });
    const load = pool(8, tasks);

    await eventually(
      'a third of the load',
      async () => (sent >= FIRINGS / 3 ? true : undefined),
      120_000,
      50,
    );
    await cp.stopApiServer();
    downAt = Date.now();
    // Behind the intake's back once the API server is back: an RR the informers must pick up.
    const hiddenDep = 'created-behind';
    await new Promise((r) => setTimeout(r, DOWN_MS));
    restartAt = Date.now();
    await cp.startApiServer();
    const backAt = Date.now();
    const admin = target.kube;
    const hidden = fixtureRR({
      namespace: ns,
      signalName: alertname,
      targetNamespace: `shop-${run}-${hiddenDep}`,
      pod: hiddenDep,
    });
    // Probe with fresh fingerprints until one is created: the recovery time.
    for (let p = 0; firstCreatedAfter === 0; p++) {
      const d = await deliver(
        target.intakes,
        p,
        PROMETHEUS,
        notification([firing(labelsFor(`probe-${p}`), new Date(base))]),
        {
          deadlineMs: 2000,
          attemptTimeoutMs: 2000,
        },
      );
      if (d.status === 201) firstCreatedAfter = Date.now();
      else await new Promise((r) => setTimeout(r, 50));
      if (Date.now() - backAt > 120_000) break;
    }
    const recoveryMs = firstCreatedAfter ? firstCreatedAfter - backAt : -1;
    const created = await admin.createRR(hidden);
    const deliveries = await load;

    // Informers resynced: the hidden RR absorbs a signal for its target (202 duplicate, not 201).
    const hiddenReply = await eventually(
      'the hidden RR to be in the cache',
      async () => {
        const d = await deliver(
          target.intakes,
          0,
          PROMETHEUS,
          notification([
            firing(
              { alertname, severity: 'warning', namespace: `shop-${run}-${hiddenDep}`, pod: hiddenDep },
              new Date(base + 1),
            ),
          ]),
        );
        return d.status === 202 ? d : undefined;
      },
      30_000,
      250,
    );
    const synced = await Promise.all(target.metrics.map((m) => metricSum(m, 'gateway_informer_synced')));

    const view = byFingerprint(await rrsBySignal(target.kube, ns, alertname));
    const ackedTotal = [...acked.values()].reduce((a, b) => a + b, 0);
    const perDep = [...acked].map(([dep, n]) => {
      const v = [...view.values()].find((x) => x.rrs[0]!.spec.targetResource.name === dep);
      return { dep, acked: n, counted: v?.occurrences ?? 0, active: v?.active ?? 0 };
    });
    const lost = perDep.reduce((n, p) => n + Math.max(0, p.acked - p.counted), 0);
    const extra = perDep.reduce((n, p) => n + Math.max(0, p.counted - p.acked), 0);
    const duplicates = [...view.values()].reduce((n, v) => n + Math.max(0, v.active - 1), 0);
    const unanswered = deliveries.filter((d) => d.status === 0).length;
    const passed =
      during.ok === 0 &&
      during.other === 0 &&
      during.status503 === during.withRetryAfter &&
      lost === 0 &&
      extra === 0 &&
      duplicates === 0 &&
      unanswered === 0 &&
      recoveryMs >= 0 &&
      synced.every((s) => s === 1);
    recordResult({
      id: '3-api-restart',
      scenario: 'API server restart mid-load',
      load: `${FIRINGS} distinct firings over ${FINGERPRINTS} fingerprints to 2 replicas, 8 in flight`,
      faults: `kube-apiserver stopped for ${DOWN_MS / 1000} s mid-load, then restarted on the same etcd`,
      passed,
      result:
        `while down: ${during.status503} x 503 (${during.withRetryAfter} with Retry-After), ${during.ok} x 2xx, ${during.other} other; ` +
        `${ackedTotal} acknowledged, ${lost} lost, ${extra} counted twice, ${duplicates} duplicate RRs; informers resynced`,
      figure: `first 201 ${recoveryMs} ms after the API server was back; 2xx lost ${lost}`,
      figures: {
        firings: FIRINGS,
        acknowledged: ackedTotal,
        lost,
        extra,
        duplicates,
        attemptsWhileDown: during.attempts,
        status503WhileDown: during.status503,
        ok2xxWhileDown: during.ok,
        recoveryMs,
        downMs: DOWN_MS,
        hiddenRR: created.metadata.name,
        hiddenReply: String(hiddenReply.body.status),
      },
    });
    expect(during.status503).toBeGreaterThan(0);
    expect(during).toMatchObject({ ok: 0, other: 0, withRetryAfter: during.status503 });
    expect(unanswered).toBe(0);
    expect(recoveryMs).toBeGreaterThanOrEqual(0);
    expect(synced).toEqual(target.metrics.map(() => 1));
    expect(hiddenReply.body.remediationRequestName).toBe(created.metadata.name);
    expect(duplicates).toBe(0);
    expect({ lost, extra }).toEqual({ lost: 0, extra: 0 });
  }, 600_000);
});
