// Scenario 7, a storm through a real Alertmanager: 100 pods fire one alertname, Alertmanager groups
// them into one notification, and contract §4 promises one RR for it (100 -> 1), with every
// affected pod listed or counted in the leader's stormAggregation.
import { randomBytes } from 'node:crypto';
import { eventually } from '../../test/support/cluster.ts';
import { PROMETHEUS } from '../../test/support/operator.ts';
import { startAlertmanager } from './support/alertmanager.ts';
import type { RunningAlertmanager } from './support/alertmanager.ts';
import { rrsBySignal } from './support/observe.ts';
import { recordResult } from './support/results.ts';
import { size } from './support/sizes.ts';
import { startTarget } from './support/target.ts';
import type { Target } from './support/target.ts';

const PODS = size('STORM_PODS', 100, 100);

describe('scenario 7: a storm of 100 pods through Alertmanager', () => {
  let target: Target;
  let am: RunningAlertmanager;
  const run = randomBytes(3).toString('hex');
  const alertname = `StormOOM${run}`;

  beforeAll(async () => {
    target = await startTarget({ replicas: 1, auth: true });
    am = await startAlertmanager({
      webhookUrl: target.intakes[0]! + PROMETHEUS,
      token: target.token,
      groupBy: ['alertname'],
    });
  });
  afterAll(async () => {
    await am?.stop();
    await target?.stop();
  });

  it('turns 100 alerts of one alertname into one RR', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    await am.fire(
      Array.from({ length: PODS }, (_, i) => ({
        labels: { alertname, severity: 'warning', namespace: `batch-${run}`, pod: `worker-${i}` },
        startsAt,
      })),
    );
    // Accounted for: RRs plus signals folded into a storm leader cover every pod.
    const rrs = await eventually(
      'all pods accounted for',
      async () => {
        const group = await rrsBySignal(target.kube, target.namespace, alertname);
        const folded = group.reduce((n, r) => n + (r.status?.stormAggregation?.aggregatedCount ?? 0), 0);
        return group.length > 0 && group.length + folded >= PODS ? group : undefined;
      },
      90_000,
      500,
    );
    const leader = rrs.find((r) => r.status?.stormAggregation?.stormDetectedAt);
    const affected = new Set(leader?.status?.stormAggregation?.affectedResources ?? []);
    const aggregated = leader?.status?.stormAggregation?.aggregatedCount ?? 0;
    const passed = rrs.length === 1;
    recordResult({
      id: '7-storm-through-alertmanager',
      scenario: 'Storm through Alertmanager',
      load: `${PODS} pods, one alertname, grouped by Alertmanager into one notification`,
      faults: 'none (a storm is the load)',
      passed,
      result: `${rrs.length} RR${rrs.length === 1 ? '' : 's'} (contract: 1); leader lists ${affected.size} resources, aggregatedCount ${aggregated}`,
      figure: `${PODS} alerts -> ${rrs.length} RR`,
      figures: { pods: PODS, rrs: rrs.length, affectedResources: affected.size, aggregatedCount: aggregated },
    });
    expect(rrs).toHaveLength(1);
  }, 300_000);
});
