// Scenario 4, Alertmanager HA: two real Alertmanagers clustered with --cluster.peer, each fed the
// same alerts (as an HA Prometheus pair feeds every Alertmanager) and each delivering to its own
// intake replica through a Toxiproxy. The peer timeout is short so both peers really do deliver
// the same notification at times (the race HA setups have): the intake must count each firing
// once. Then the intake is cut off: Alertmanager's own notifications_failed_total shows the
// retries, and once the path is back everything lands and the failures stop.
import { randomBytes } from 'node:crypto';
import { eventually } from '../../test/support/cluster.ts';
import { PROMETHEUS } from '../../test/support/operator.ts';
import { Toxiproxy } from '../../test/support/toxiproxy.ts';
import type { Proxy } from '../../test/support/toxiproxy.ts';
import { startAlertmanagerCluster, waitClustered } from './support/alertmanager.ts';
import type { RunningAlertmanager } from './support/alertmanager.ts';
import { byFingerprint } from './support/observe.ts';
import { recordResult } from './support/results.ts';
import { size } from './support/sizes.ts';
import { startTarget } from './support/target.ts';
import type { Target } from './support/target.ts';

const BEFORE = size('HA_ALERTS', 5, 20);
const DURING = size('HA_OUTAGE_ALERTS', 2, 10);
const OUTAGE_MS = size('HA_OUTAGE_MS', 5000, 20_000);

describe('scenario 4: two clustered Alertmanagers feeding the intake', () => {
  let target: Target;
  let tp: Toxiproxy;
  let proxies: Proxy[];
  let ams: RunningAlertmanager[];
  const run = randomBytes(3).toString('hex');
  const deployment = `checkout-${run}`;
  const prefix = `HA${run}`;

  beforeAll(async () => {
    target = await startTarget({ replicas: 2 });
    tp = await Toxiproxy.start();
    proxies = await Promise.all(
      target.intakes.map((u, k) => tp.proxy(`intake-${run}-${k}`, new URL(u).host)),
    );
    ams = await startAlertmanagerCluster(2, {
      webhookUrls: proxies.map((p) => `http://${p.listen}${PROMETHEUS}`),
      groupBy: ['alertname'],
      peerTimeout: '200ms',
    });
    await waitClustered(ams);
  });
  afterAll(async () => {
    await Promise.all((ams ?? []).map((a) => a.stop()));
    await tp?.stop();
    await target?.stop();
  });

  const startsAt = new Date(Date.now() - 60_000).toISOString();
  const alerts = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      labels: {
        alertname: `${prefix}-${from + i}`,
        severity: 'critical',
        namespace: `shop-${run}`,
        deployment,
      },
      startsAt,
    }));
  /** Every alert goes to both peers, as each Prometheus of an HA pair sends it. */
  const fireBoth = (a: ReturnType<typeof alerts>) => Promise.all(ams.map((am) => am.fire(a)));
  const sum = async (name: string) =>
    (await Promise.all(ams.map((a) => a.webhookMetric(name)))).reduce((x, y) => x + y, 0);
  const view = async () => {
    const rrs = (await target.kube.listRRs(target.namespace)).items.filter((r) =>
      r.spec.signalName.startsWith(prefix),
    );
    return [...byFingerprint(rrs).values()];
  };
  const settled = async (name: string, quietMs: number) => {
    let last = await sum(name);
    let since = Date.now();
    await eventually(
      `${name} to settle`,
      async () => {
        const now = await sum(name);
        if (now !== last) [last, since] = [now, Date.now()];
        return Date.now() - since >= quietMs ? true : undefined;
      },
      60_000,
      250,
    );
    return last;
  };

  it('files one RR, counts each firing once across both peers, and shows retries only during an outage', async () => {
    await fireBoth(alerts(0, BEFORE));
    await eventually(
      'the first firings counted',
      async () => {
        const v = await view();
        return v.length === 1 && v[0]!.occurrences >= BEFORE ? true : undefined;
      },
      60_000,
      250,
    );
    const sentBefore = await settled('alertmanager_notifications_total', 5000);
    const failedBefore = await sum('alertmanager_notifications_failed_total');
    const countBefore = (await view())[0]!.occurrences;

    // Outage: both paths to the intake refuse connections.
    await Promise.all(proxies.map((p) => p.disable()));
    await fireBoth(alerts(BEFORE, DURING));
    await eventually(
      'Alertmanager to record failed notifications',
      async () => ((await sum('alertmanager_notifications_failed_total')) > failedBefore ? true : undefined),
      30_000,
      250,
    );
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const failedDuring = (await sum('alertmanager_notifications_failed_total')) - failedBefore;
    await Promise.all(proxies.map((p) => p.enable()));

    const total = BEFORE + DURING;
    await eventually(
      'the outage firings delivered',
      async () => {
        const v = await view();
        return v.length === 1 && v[0]!.occurrences >= total ? true : undefined;
      },
      90_000,
      250,
    );
    const failedAtRecovery = await settled('alertmanager_notifications_failed_total', 6000);
    const sentTotal = await settled('alertmanager_notifications_total', 5000);
    await new Promise((r) => setTimeout(r, 4000)); // two more group intervals: no new failures
    const failedAfter = (await sum('alertmanager_notifications_failed_total')) - failedAtRecovery;
    const v = await view();
    const rrCount = v.reduce((n, x) => n + x.rrs.length, 0);
    const active = v.reduce((n, x) => n + x.active, 0);
    const counted = v[0]?.occurrences ?? 0;
    const passed =
      rrCount === 1 &&
      active === 1 &&
      countBefore === BEFORE &&
      counted === total &&
      failedDuring > 0 &&
      failedAfter === 0;
    recordResult({
      id: '4-alertmanager-ha',
      scenario: 'Alertmanager HA (2 clustered peers)',
      load: `${total} alerts on one workload, each fed to both peers (peer timeout 200 ms, so both deliver at times)`,
      faults: `intake unreachable from both peers for ${OUTAGE_MS / 1000} s while ${DURING} new alerts fired`,
      passed,
      result:
        `${rrCount} RR, occurrenceCount ${counted} for ${total} firings (${countBefore} of ${BEFORE} before the outage); ` +
        `${sentTotal} webhook notifications delivered by the pair; notifications_failed_total +${failedDuring} during, +${failedAfter} after`,
      figure: `HA double counts ${counted - total}; failed notifications ${failedDuring} during / ${failedAfter} after`,
      figures: {
        firings: total,
        rrs: rrCount,
        counted,
        doubleCounts: counted - total,
        notificationsBefore: sentBefore,
        notificationsTotal: sentTotal,
        failedDuring,
        failedAfter,
        outageMs: OUTAGE_MS,
      },
    });
    expect(rrCount).toBe(1);
    expect(active).toBe(1);
    expect(failedDuring).toBeGreaterThan(0);
    expect(failedAfter).toBe(0);
    expect({ before: countBefore, total: counted }).toEqual({ before: BEFORE, total });
  }, 600_000);
});
