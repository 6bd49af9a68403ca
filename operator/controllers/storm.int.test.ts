// Alert storms end to end on a real API server: the intake folds what it can, the storm
// controller marks the RRs created before detection, completes the leader's lists, announces the
// storm with Events and closes it once quiet. Storms the intake never saw (RRs created by someone
// else) are detected and opened by the controller alone.
import { EventsV1Api } from '@kubernetes/client-node';
import type { EventsV1Event } from '@kubernetes/client-node';
import { LABEL_STORM } from '../api/types.ts';
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
/** Size of the big one-batch storm; `make e2e-long` sets STORM_BIG_ALERTS (e.g. 1000, or 3000 to pass the list cap). */
const BIG = Number(process.env.STORM_BIG_ALERTS ?? 100);
const LISTED = 1000; // storm.maxListedMembers default

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
    op = await startOperator(ns, {
      storm: { quietSeconds: QUIET_SECONDS },
      intake: { bodyLimitBytes: 64 * 1024 * 1024, maxAlertsPerRequest: 100_000 },
    });
    url = op.endpoints.intake + PROMETHEUS;
    await eventually('controller leadership', async () => (op.manager.isLeader() ? true : undefined));
  });
  afterAll(() => op.stop());

  const groupRRs = async (signalName: string) =>
    (await kube.listRRs(ns)).items.filter((r) => r.spec.signalName === signalName);

  /**
   * The group once converged: one leader listing every resource, all members marked and labelled,
   * and every signal accounted for exactly once (on the leader's count or as a member's own RR).
   */
  const converged = (signalName: string, signals: number) =>
    eventually(
      `storm ${signalName} to converge`,
      async (): Promise<StormView | undefined> => {
        const rrs = await groupRRs(signalName);
        const leaders = rrs.filter((r) => r.status?.stormAggregation?.stormDetectedAt);
        if (leaders.length !== 1) return undefined;
        const leader = leaders[0]!;
        const s = leader.status!.stormAggregation!;
        const members = rrs.filter((r) => r !== leader);
        const marked = members.every(
          (m) =>
            m.status?.stormAggregation?.stormId === s.stormId &&
            m.metadata.labels?.[LABEL_STORM] === s.stormId,
        );
        const counted = (s.aggregatedCount ?? 0) + members.length === signals;
        const labelled = leader.metadata.labels?.[LABEL_STORM] === s.stormId;
        return s.affectedResources?.length === Math.min(signals, LISTED) && marked && counted && labelled
          ? { rrs, leader, members }
          : undefined;
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
  async function expectAccounted(signalName: string, pods: string[], maxRRs: number): Promise<StormView> {
    const view = await converged(signalName, pods.length);
    const s = view.leader.status!.stormAggregation!;
    expect(view.rrs.length).toBeLessThanOrEqual(maxRRs);
    expect((s.aggregatedCount ?? 0) + view.members.length).toBe(pods.length);
    const listed = Math.min(pods.length, LISTED);
    const all = new Set(pods.map((p) => `Pod/shop/${p}`));
    expect(new Set(s.affectedResources).size).toBe(listed);
    expect(s.affectedResources!.every((r) => all.has(r))).toBe(true);
    expect(new Set(s.aggregatedFingerprints).size).toBe(listed);
    expect(s.aggregatedFingerprints).toHaveLength(listed);
    expect(s.unlistedMembers ?? 0).toBe(pods.length - listed);
    expect(s.pendingMembers).toBeUndefined();
    expect(s.isPartOfStorm).toBe(true);
    // A batch is judged whole (15 distinct fingerprints > 10: rate); a trickle trips the pattern rule at its 6th target.
    expect(['rate', 'pattern']).toContain(s.stormType);
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
    const labelled = await kube.listRRs(ns, { labelSelector: `${LABEL_STORM}=${s.stormId}` });
    expect(labelled.items.map((r) => r.metadata.name).sort()).toEqual(
      view.rrs.map((r) => r.metadata.name).sort(),
    );
    console.log(
      `storm ${signalName}: ${pods.length} signals in -> ${view.rrs.length} RRs ` +
        `(1 leader + ${view.members.length} members), aggregatedCount ${s.aggregatedCount ?? 0} on the leader, ` +
        `leader object ${JSON.stringify(view.leader).length} bytes`,
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
    expect(reply.body.summary).toMatchObject({ total: 15, created: 1, aggregated: 14, failed: 0 });
    const view = await expectAccounted('StormBatch', pods, 1);
    expect(view.leader.status!.stormAggregation!.aggregatedCount).toBe(15);

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

  it('turns 15 alerts sent one per request 200 ms apart into one RR (buffered, then folded)', async () => {
    const pods = Array.from({ length: 15 }, (_, i) => `spread-${i}`);
    const statuses: string[] = [];
    for (const pod of pods) {
      const reply = await post(
        url,
        alertmanagerPayload([alert({ alertname: 'StormSpread', namespace: 'shop', pod })]),
      );
      expect([201, 202]).toContain(reply.status);
      statuses.push(reply.body.status as string);
      await new Promise((r) => setTimeout(r, 200));
    }
    const view = await expectAccounted('StormSpread', pods, 2);
    console.log(`trickle answers: ${statuses.join(',')}; ${view.rrs.length} RRs`);
    expect(statuses.filter((s) => s === 'created').length).toBe(view.rrs.length);
  });

  it('gives each of 3 alerts that never make a storm its own RR once the buffer window ends', async () => {
    const pods = ['calm-0', 'calm-1', 'calm-2'];
    const replies = [];
    const sentAt: number[] = [];
    for (const pod of pods) {
      sentAt.push(Date.now());
      const t = performance.now();
      const reply = await post(
        url,
        alertmanagerPayload([alert({ alertname: 'Calm', namespace: 'shop', pod })]),
      );
      replies.push({ reply, ms: performance.now() - t });
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(replies.map((r) => [r.reply.status, r.reply.body.status])).toEqual([
      [201, 'created'],
      [202, 'buffered'],
      [202, 'buffered'],
    ]);
    const rrs = await eventually(
      '3 RRs for the calm group, nothing left pending',
      async () => {
        const found = await groupRRs('Calm');
        const pending = found.some((r) => r.status?.stormAggregation?.pendingMembers);
        return found.length === 3 && !pending ? found : undefined;
      },
      30_000,
    );
    const byPod = new Map(rrs.map((r) => [r.spec.targetResource.name, r]));
    for (const [i, pod] of pods.entries()) {
      const rr = byPod.get(pod)!;
      expect(rr.status?.stormAggregation?.stormId).toBeUndefined();
      expect(Date.parse(rr.spec.receivedTime)).toBeGreaterThanOrEqual(sentAt[i]! - 1000);
      expect(Date.parse(rr.spec.receivedTime)).toBeLessThan(sentAt[i]! + 2000);
    }
    const holder = byPod.get('calm-0')!;
    expect(holder.status?.stormAggregation?.pendingMembers).toBeUndefined();
    const waits = pods
      .slice(1)
      .map(
        (p) =>
          Date.parse(String(byPod.get(p)!.metadata.creationTimestamp)) -
          Date.parse(byPod.get(p)!.spec.receivedTime),
      );
    console.log(
      `non-storm group: answers ${replies.map((r) => r.ms.toFixed(1)).join(' / ')} ms; ` +
        `buffered members got their RR ${waits.map((w) => (w / 1000).toFixed(1)).join(' / ')} s after arrival`,
    );
  });

  it(`accounts for a ${BIG}-alert storm`, async () => {
    const pods = Array.from({ length: BIG }, (_, i) => `big-${i}`);
    const reply = await post(
      url,
      alertmanagerPayload(pods.map((pod) => alert({ alertname: 'StormBig', namespace: 'shop', pod }))),
    );
    expect(reply.status).toBe(207);
    expect(reply.body.summary).toMatchObject({ total: BIG, created: 1, aggregated: BIG - 1, failed: 0 });
    const view = await expectAccounted('StormBig', pods, 1);
    expect(view.leader.status!.stormAggregation!.aggregatedCount).toBe(BIG);
  });

  it('opens, announces and closes a storm the intake never saw', async () => {
    const detectedBefore = await stormsDetected(op);
    const rrs = Array.from({ length: 12 }, (_, i) =>
      fixtureRR({ namespace: ns, signalName: 'DirectStorm', targetNamespace: 'direct', pod: `direct-${i}` }),
    );
    for (const rr of rrs) await kube.createRR(rr);
    const view = await converged('DirectStorm', 12);
    const s = view.leader.status!.stormAggregation!;
    expect(s).toMatchObject({ isPartOfStorm: true, aggregatedCount: 1 });
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
