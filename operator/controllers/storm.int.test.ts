// Alert storms end to end on a real API server: the intake folds what it can, the storm
// controller marks the RRs created before detection, completes the leader's lists, announces the
// storm with Events and closes it once quiet. Storms the intake never saw (RRs created by someone
// else) are detected and opened by the controller alone.
import { EventsV1Api } from '@kubernetes/client-node';
import type { EventsV1Event } from '@kubernetes/client-node';
import type { RemediationRequest } from '../api/types.ts';
import type { KubeClient } from '../kube/client.ts';
import { fixtureRR } from '../storm/testFixtures.ts';
import {
  adminClient,
  adminKubeConfig,
  adminRawGet,
  eventually,
  freshNamespace,
} from '../../test/support/cluster.ts';
import { PROMETHEUS, alert, alertmanagerPayload, post, startOperator } from '../../test/support/operator.ts';
import type { RunningOperator } from '../../test/support/operator.ts';

const QUIET_SECONDS = 5;

interface StormView {
  rrs: RemediationRequest[];
  leader: RemediationRequest;
  members: RemediationRequest[];
}

describe('storm controller on a real API server', () => {
  let kube: KubeClient;
  let events: EventsV1Api;
  let ns: string;
  let op: RunningOperator;
  let url: string;

  beforeAll(async () => {
    kube = adminClient();
    events = adminKubeConfig().makeApiClient(EventsV1Api);
    ns = await freshNamespace('storm');
    op = await startOperator(ns, { storm: { quietSeconds: QUIET_SECONDS } });
    url = op.endpoints.intake + PROMETHEUS;
    await eventually('controller leadership', async () => (op.manager.isLeader() ? true : undefined));
  });
  afterAll(() => op.stop());

  const groupRRs = async (signalName: string) =>
    (await kube.listRRs(ns)).items.filter((r) => r.spec.signalName === signalName);

  /** The group once the controller has converged it: one leader listing every RR, all members marked. */
  const converged = (signalName: string, resources: number) =>
    eventually(
      `storm ${signalName} to converge`,
      async (): Promise<StormView | undefined> => {
        const rrs = await groupRRs(signalName);
        const leaders = rrs.filter((r) => r.status?.stormAggregation?.stormDetectedAt);
        if (leaders.length !== 1) return undefined;
        const leader = leaders[0]!;
        const s = leader.status!.stormAggregation!;
        const members = rrs.filter((r) => r !== leader);
        const marked = members.every((m) => m.status?.stormAggregation?.stormId === s.stormId);
        return s.affectedResources?.length === resources && marked ? { rrs, leader, members } : undefined;
      },
      20_000,
    );

  const stormEvents = async (leader: RemediationRequest, reason: string): Promise<EventsV1Event[]> => {
    const list = await events.listNamespacedEvent({ namespace: ns });
    return list.items.filter((e) => e.regarding?.name === leader.metadata.name && e.reason === reason);
  };

  /** The Storm cell `kubectl get rr` shows, per RR name, from the server-side Table. */
  const stormColumn = async (): Promise<Map<string, unknown>> => {
    const res = await adminRawGet(
      `/apis/kubernaut.ai/v1alpha1/namespaces/${ns}/remediationrequests`,
      'application/json;as=Table;v=v1;g=meta.k8s.io',
    );
    expect(res.status).toBe(200);
    const table = JSON.parse(res.body) as {
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[]; object: { metadata: { name: string } } }[];
    };
    const col = table.columnDefinitions.findIndex((c) => c.name === 'Storm');
    return new Map(table.rows.map((r) => [r.object.metadata.name, r.cells[col]]));
  };

  /** Everything the contract promises for a storm of `signals` alerts on distinct pods. */
  async function expectAccounted(signalName: string, pods: string[]): Promise<StormView> {
    const view = await converged(signalName, pods.length);
    const s = view.leader.status!.stormAggregation!;
    expect(view.rrs.length).toBeLessThanOrEqual(6); // pattern threshold 5, +1 for a race at most
    expect((s.aggregatedCount ?? 0) + view.rrs.length).toBe(pods.length);
    expect([...s.affectedResources!].sort()).toEqual(pods.map((p) => `Pod/shop/${p}`).sort());
    expect(new Set(s.aggregatedFingerprints).size).toBe(pods.length);
    expect(s.aggregatedFingerprints).toHaveLength(pods.length);
    expect(s).toMatchObject({ isPartOfStorm: true, stormType: 'pattern' }); // 6 distinct targets come before 11 fingerprints
    for (const m of view.members)
      expect(m.status?.stormAggregation).toMatchObject({ isPartOfStorm: true, stormId: s.stormId });

    const detected = await eventually('StormDetected event', async () => {
      const found = await stormEvents(view.leader, 'StormDetected');
      return found.length > 0 ? found : undefined;
    });
    expect(detected).toHaveLength(1);
    expect(detected[0]).toMatchObject({
      type: 'Warning',
      action: 'Aggregate',
      reportingController: 'kubernaut.ai/intake',
      reportingInstance: op.manager.config.podName,
      regarding: { kind: 'RemediationRequest', name: view.leader.metadata.name, namespace: ns },
    });

    const cells = await stormColumn();
    for (const r of view.rrs) expect(cells.get(r.metadata.name)).toBe(s.stormId);
    console.log(
      `storm ${signalName}: ${pods.length} signals in -> ${view.rrs.length} RRs created ` +
        `(1 leader + ${view.members.length} members), ${s.aggregatedCount ?? 0} aggregated on the leader`,
    );
    return view;
  }

  it('accounts for 15 alerts sent as one Alertmanager batch', async () => {
    const pods = Array.from({ length: 15 }, (_, i) => `batch-${i}`);
    const reply = await post(
      url,
      alertmanagerPayload(pods.map((pod) => alert({ alertname: 'StormBatch', namespace: 'shop', pod }))),
    );
    expect(reply.status).toBe(207);
    const summary = reply.body.summary as Record<string, number>;
    expect(summary.created! + summary.aggregated!).toBe(15);
    const view = await expectAccounted('StormBatch', pods);

    const closed = await eventually(
      'the quiet storm to close',
      async () => {
        const leader = await kube.getRR(ns, view.leader.metadata.name);
        return leader.status?.stormAggregation?.closedAt ? leader : undefined;
      },
      (QUIET_SECONDS + 10) * 1000,
    );
    const s = closed.status!.stormAggregation!;
    expect(Date.parse(s.closedAt!)).toBeGreaterThanOrEqual(
      Date.parse(s.stormDetectedAt!) + QUIET_SECONDS * 1000,
    );
    expect(s.aggregatedCount).toBe(view.leader.status!.stormAggregation!.aggregatedCount);
    await eventually('StormClosed event', async () =>
      (await stormEvents(closed, 'StormClosed')).length === 1 ? true : undefined,
    );
  });

  it('accounts for 15 alerts spread over a few seconds', async () => {
    const pods = Array.from({ length: 15 }, (_, i) => `spread-${i}`);
    const statuses: string[] = [];
    for (const pod of pods) {
      const reply = await post(
        url,
        alertmanagerPayload([alert({ alertname: 'StormSpread', namespace: 'shop', pod })]),
      );
      expect([201, 202]).toContain(reply.status);
      statuses.push(reply.body.status as string);
      await new Promise((r) => setTimeout(r, 150));
    }
    await expectAccounted('StormSpread', pods);
    expect(
      statuses.filter((s) => s === 'created').length + statuses.filter((s) => s === 'aggregated').length,
    ).toBe(15);
  });

  it('accounts for a 100-alert storm', async () => {
    const pods = Array.from({ length: 100 }, (_, i) => `big-${i}`);
    const reply = await post(
      url,
      alertmanagerPayload(pods.map((pod) => alert({ alertname: 'StormBig', namespace: 'shop', pod }))),
    );
    expect(reply.status).toBe(207);
    expect(reply.body.summary).toMatchObject({ total: 100, failed: 0, rejected: 0 });
    await expectAccounted('StormBig', pods);
  });

  it('opens, announces and closes a storm the intake never saw', async () => {
    const detectedBefore = await stormsDetected(op);
    const rrs = Array.from({ length: 12 }, (_, i) =>
      fixtureRR({ namespace: ns, signalName: 'DirectStorm', targetNamespace: 'direct', pod: `direct-${i}` }),
    );
    for (const rr of rrs) await kube.createRR(rr);
    const view = await converged('DirectStorm', 12);
    const s = view.leader.status!.stormAggregation!;
    expect(s).toMatchObject({ isPartOfStorm: true, aggregatedCount: 0 });
    expect(['rate', 'pattern']).toContain(s.stormType); // pattern at the 6th create, rate if all 12 land first
    expect(view.members).toHaveLength(11);
    expect(await stormsDetected(op)).toBe(detectedBefore + 1);
    expect(await stormEvents(view.leader, 'StormDetected')).toHaveLength(1);

    const closed = await eventually(
      'the controller-opened storm to close',
      async () => {
        const leader = await kube.getRR(ns, view.leader.metadata.name);
        return leader.status?.stormAggregation?.closedAt ? leader : undefined;
      },
      (QUIET_SECONDS + 10) * 1000,
    );
    expect(closed.status?.stormAggregation?.affectedResources).toHaveLength(12);
    await eventually('StormClosed event', async () =>
      (await stormEvents(closed, 'StormClosed')).length === 1 ? true : undefined,
    );
    expect(await stormsDetected(op)).toBe(detectedBefore + 1);
  });

  it('stays idle once every group has converged (its own writes wake it once, not forever)', async () => {
    const reconciles = async () => {
      const metric = await op.manager.metrics.reconcileTotal.get();
      return metric.values
        .filter((v) => v.labels.controller === 'storm')
        .reduce((sum, v) => sum + v.value, 0);
    };
    // The RRs created directly get their phase from the initial-phase controller first.
    await eventually('every RR to have a phase', async () =>
      (await kube.listRRs(ns)).items.every((r) => r.status?.overallPhase) ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 500));
    const before = await reconciles();
    await new Promise((r) => setTimeout(r, 2000));
    expect(await reconciles()).toBe(before);
  });
});

async function stormsDetected(op: RunningOperator): Promise<number> {
  const metric = await op.manager.metrics.stormsDetected.get();
  return metric.values.reduce((sum, v) => sum + v.value, 0);
}
