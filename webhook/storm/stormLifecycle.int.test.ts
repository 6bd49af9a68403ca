// Storm lifecycle on a real API server, through the intake and the storm controller: two storms
// in a row on one group each get their own leader with exact counts; a leader completed mid-storm
// ends its storm at once and its group's next signals are never refused; a fingerprint whose old
// RR is long gone joins a storm like any new one.
import type { RemediationRequest } from '../../operator/api/types.ts';
import type { KubeClient } from '../../operator/kube/client.ts';
import { adminClient, eventually, freshNamespace } from '../../test/support/cluster.ts';
import { PROMETHEUS, alert, alertmanagerPayload, post, startOperator } from '../../test/support/operator.ts';
import type { RunningOperator } from '../../test/support/operator.ts';

const QUIET_SECONDS = 2;

describe('storm lifecycle on a real API server', () => {
  let kube: KubeClient;
  let ns: string;
  let op: RunningOperator;
  let url: string;

  beforeAll(async () => {
    kube = adminClient();
    ns = await freshNamespace('stormlife');
    op = await startOperator(ns, { storm: { quietSeconds: QUIET_SECONDS } });
    url = op.endpoints.intake + PROMETHEUS;
    await eventually('controller leadership', async () => (op.manager.isLeader() ? true : undefined));
  });
  afterAll(() => op.stop());

  const groupRRs = async (signalName: string) =>
    (await kube.listRRs(ns)).items.filter((r) => r.spec.signalName === signalName);
  const batch = (signalName: string, pods: string[]) =>
    post(
      url,
      alertmanagerPayload(pods.map((pod) => alert({ alertname: signalName, namespace: 'shop', pod }))),
    );
  const pods = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const storm = (rr: RemediationRequest) => rr.status?.stormAggregation;

  it('gives a second storm on the same group its own leader, both counted exactly', async () => {
    const first = await batch('TwoStorms', pods('one', 15));
    expect(first.body.summary).toMatchObject({ created: 1, aggregated: 14 });
    const leader1 = (first.body.results as { status: string; remediationRequestName: string }[]).find(
      (r) => r.status === 'created',
    )!.remediationRequestName;
    await eventually(
      'the first storm to close',
      async () => (storm(await kube.getRR(ns, leader1))?.closedAt ? true : undefined),
      (QUIET_SECONDS + 15) * 1000,
    );
    // The first leader is still inside its detection window: the old code folded into it again.
    const second = await batch('TwoStorms', pods('two', 15));
    expect(second.status).toBe(207);
    expect(second.body.summary).toMatchObject({ created: 1, aggregated: 14 });
    const more = await batch('TwoStorms', pods('two', 15).slice(0, 3));
    // The leader's own fingerprint is a duplicate on it; members' repeats fold and count again.
    expect(more.body.summary).toMatchObject({ duplicate: 1, aggregated: 2 });

    const rrs = await groupRRs('TwoStorms');
    expect(rrs).toHaveLength(2);
    const one = storm(rrs.find((r) => r.metadata.name === leader1)!)!;
    const two = storm(rrs.find((r) => r.metadata.name !== leader1)!)!;
    expect(one).toMatchObject({ aggregatedCount: 15, closedAt: expect.any(String) });
    expect([...one.affectedResources!].sort()).toEqual(
      pods('one', 15)
        .map((p) => `Pod/shop/${p}`)
        .sort(),
    );
    expect(two.aggregatedCount).toBe(17);
    expect(two.closedAt).toBeUndefined();
    expect([...two.affectedResources!].sort()).toEqual(
      pods('two', 15)
        .map((p) => `Pod/shop/${p}`)
        .sort(),
    );
    expect(two.stormId).not.toBe(one.stormId);
  });

  it('counts the alerts Alertmanager truncated from a storm batch', async () => {
    const payload = {
      ...alertmanagerPayload(
        pods('cut', 12).map((pod) => alert({ alertname: 'Truncated', namespace: 'shop', pod })),
      ),
      truncatedAlerts: 30,
    };
    const reply = await post(url, payload);
    expect(reply.body.summary).toMatchObject({ created: 1, aggregated: 11 });
    const [leader] = await groupRRs('Truncated');
    expect(storm(leader!)).toMatchObject({ aggregatedCount: 42, unlistedMembers: 30 });
    expect(storm(leader!)!.affectedResources).toHaveLength(12);
  });

  it('ends a storm whose leader is completed at once; the next signals are never refused', async () => {
    const first = await batch('LeaderDone', pods('done', 12));
    expect(first.status).toBe(207);
    const leader = (await groupRRs('LeaderDone')).find((r) => storm(r)?.stormDetectedAt);
    expect(leader).toBeDefined();
    await kube.patchRRStatus(ns, leader!.metadata.name, { overallPhase: 'Completed' });
    const codes: number[] = [];
    for (const pod of pods('after', 4)) {
      const reply = await post(
        url,
        alertmanagerPayload([alert({ alertname: 'LeaderDone', namespace: 'shop', pod })]),
      );
      codes.push(reply.status);
    }
    const repeat = await batch('LeaderDone', pods('done', 3));
    codes.push(repeat.status);
    expect(codes.filter((c) => c >= 500)).toEqual([]);
    const closed = await eventually(
      'the completed leader to be closed',
      async () => {
        const rr = await kube.getRR(ns, leader!.metadata.name);
        return storm(rr)?.closedAt ? rr : undefined;
      },
      10_000,
    );
    expect(storm(closed)!.aggregatedCount).toBe(12); // 1 RR for the batch of 12
    const rrs = await groupRRs('LeaderDone');
    const fresh = rrs.filter((r) => r.metadata.name !== leader!.metadata.name);
    expect(fresh.length).toBeGreaterThanOrEqual(1);
  });
});

describe('a fingerprint whose old RR is out of every window', () => {
  let kube: KubeClient;
  let ns: string;
  let op: RunningOperator;
  let url: string;

  beforeAll(async () => {
    kube = adminClient();
    ns = await freshNamespace('stormold');
    op = await startOperator(ns, {
      storm: {
        rate: { threshold: 10, windowSeconds: 2 },
        pattern: { threshold: 5, windowSeconds: 2 },
        bufferSeconds: 1,
      },
    });
    url = op.endpoints.intake + PROMETHEUS;
  });
  afterAll(() => op.stop());

  it('joins a storm like any new fingerprint', async () => {
    const old = await post(
      url,
      alertmanagerPayload([alert({ alertname: 'Old', namespace: 'shop', pod: 'old' })]),
    );
    expect(old.status).toBe(201);
    await kube.patchRRStatus(ns, old.body.remediationRequestName as string, { overallPhase: 'Completed' });
    await new Promise((r) => setTimeout(r, 3000)); // beyond both windows
    const names = [...Array.from({ length: 8 }, (_, i) => `new-${i}`), 'old'];
    const reply = await post(
      url,
      alertmanagerPayload(names.map((pod) => alert({ alertname: 'Old', namespace: 'shop', pod }))),
    );
    const results = reply.body.results as { status: string }[];
    expect(results.at(-1)!.status).toBe('aggregated');
    expect(reply.body.summary).toMatchObject({ created: 1, aggregated: 8 });
  });
});
