// Redelivered storm signals on a real API server: the same Alertmanager notification sent again
// (by an HA peer, or after a 503) is recognised from the occurrence record of the RR it was
// written to (the storm leader, or the holder of a pending member) and answered 202 `redelivered`
// without counting again; a pending member's own RR, created by the storm controller, carries its
// creating occurrence and repeats, so a redelivery after that is recognised there too.
import type { RemediationRequest } from '../../operator/api/types.ts';
import type { KubeClient } from '../../operator/kube/client.ts';
import { adminClient, eventually, freshNamespace } from '../../test/support/cluster.ts';
import { PROMETHEUS, alert, alertmanagerPayload, post, startOperator } from '../../test/support/operator.ts';
import type { RunningOperator } from '../../test/support/operator.ts';
import { CREATING_OCCURRENCE_ANNOTATION, occurrenceId } from '../dedup/occurrences.ts';

interface Result {
  status: string;
  fingerprint: string;
  remediationRequestName?: string;
  redelivered?: boolean;
}

describe('redelivered storm signals', () => {
  let kube: KubeClient;
  let ns: string;
  let ops: RunningOperator[];
  const url = (i: number) => ops[i]!.endpoints.intake + PROMETHEUS;

  beforeAll(async () => {
    kube = adminClient();
    ns = await freshNamespace('stormredeliver');
    ops = await Promise.all([startOperator(ns), startOperator(ns)]);
    await eventually('controller leadership', async () =>
      ops.some((o) => o.manager.isLeader()) ? true : undefined,
    );
  });
  afterAll(() => Promise.all(ops.map((o) => o.stop())));

  const groupRRs = async (signalName: string) =>
    (await kube.listRRs(ns)).items.filter((r) => r.spec.signalName === signalName);
  const podAlert = (alertname: string, pod: string) => alert({ alertname, namespace: 'shop', pod });
  const results = (body: Record<string, unknown>) => body.results as Result[];
  const inCache = (i: number, name: string) =>
    eventually(`${name} in replica ${i}'s cache`, async () => ops[i]!.manager.cache.get(name));

  it('counts a 15-alert storm batch delivered twice (an HA peer) once: 1 RR, aggregatedCount 15', async () => {
    const payload = alertmanagerPayload(
      Array.from({ length: 15 }, (_, i) => podAlert('StormTwice', `twice-${i}`)),
    );
    const first = await post(url(0), payload);
    expect(first.status).toBe(207);
    expect(first.body.summary).toMatchObject({ created: 1, aggregated: 14 });
    const leaderName = results(first.body).find((r) => r.status === 'created')!.remediationRequestName!;
    await inCache(1, leaderName);

    const again = await post(url(1), payload);
    expect(again.status).toBe(207);
    expect(again.body.summary).toMatchObject({ duplicate: 1, aggregated: 14, created: 0 });
    expect(results(again.body).every((r) => r.redelivered === true)).toBe(true);
    expect(new Set(results(again.body).map((r) => r.remediationRequestName))).toEqual(new Set([leaderName]));

    const rrs = await groupRRs('StormTwice');
    expect(rrs.map((r) => r.metadata.name)).toEqual([leaderName]);
    const s = rrs[0]!.status!.stormAggregation!;
    expect(s.aggregatedCount).toBe(15);
    expect(s.affectedResources).toHaveLength(15);
    expect(rrs[0]!.status!.deduplication?.occurrenceCount ?? 1).toBe(1);
  });

  it('counts a trickled (buffered) member delivered twice once, also on the RR it gets later', async () => {
    const holder = await post(url(0), alertmanagerPayload([podAlert('TrickleTwice', 'first')]));
    expect(holder.status).toBe(201);
    const holderName = holder.body.remediationRequestName as string;
    await inCache(1, holderName);

    const member = podAlert('TrickleTwice', 'second');
    const later = { ...member, startsAt: '2026-11-26T10:05:00Z' }; // a new firing: one more occurrence
    const answers = [];
    for (const [i, a] of [
      [0, member],
      [1, member],
      [1, later],
      [0, later],
    ] as const)
      answers.push(await post(url(i), alertmanagerPayload([a])));
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    expect(answers.map((r) => [r.body.status, r.body.redelivered ?? false])).toEqual([
      ['buffered', false],
      ['buffered', true],
      ['buffered', false],
      ['buffered', true],
    ]);
    expect(answers.every((r) => r.body.remediationRequestName === holderName)).toBe(true);
    const stored = await kube.getRR(ns, holderName);
    const [pending, ...others] = stored.status!.stormAggregation!.pendingMembers!;
    expect(others).toHaveLength(0);
    expect(pending).toMatchObject({ occurrences: 2, occurrenceKey: expect.any(String) });
    expect(pending!.recentOccurrences).toEqual([occurrenceId(pending!.occurrenceKey!), expect.any(String)]);

    // The window ends without a storm: the controller creates the member's own RR.
    const own = await eventually(
      "the member's own RR",
      async (): Promise<RemediationRequest | undefined> =>
        (await groupRRs('TrickleTwice')).find(
          (r) => r.metadata.name !== holderName && r.status?.deduplication?.occurrenceCount === 2,
        ),
      30_000,
    );
    // Created with the member's first occurrence, both of its occurrences in the record.
    expect(own.metadata.annotations?.[CREATING_OCCURRENCE_ANNOTATION]).toBe(pending!.recentOccurrences![0]);
    expect(own.status!.recentOccurrences).toEqual(pending!.recentOccurrences);
    await inCache(0, own.metadata.name);
    await inCache(1, own.metadata.name);

    for (const [i, a] of [
      [0, member],
      [1, later],
    ] as const) {
      const reply = await post(url(i), alertmanagerPayload([a]));
      expect(reply.status).toBe(202);
      expect(reply.body).toMatchObject({
        status: 'duplicate',
        remediationRequestName: own.metadata.name,
        occurrenceCount: 2,
        redelivered: true,
      });
    }
    const rrs = await groupRRs('TrickleTwice');
    expect(rrs).toHaveLength(2);
    expect((await kube.getRR(ns, own.metadata.name)).status!.deduplication!.occurrenceCount).toBe(2);
  });

  it('does not count a buffered member again when it is redelivered after its storm opened', async () => {
    const alerts = Array.from({ length: 6 }, (_, i) => podAlert('TrickleStorm', `t-${i}`));
    const answers = [];
    for (const a of alerts) answers.push(await post(url(0), alertmanagerPayload([a])));
    expect(answers.map((r) => r.body.status)).toEqual([
      'created',
      'buffered',
      'buffered',
      'buffered',
      'buffered',
      'aggregated', // 6 targets > 5: a pattern storm opens on the holder
    ]);
    const leaderName = answers[0]!.body.remediationRequestName as string;
    const before = (await kube.getRR(ns, leaderName)).status!.stormAggregation!;
    expect(before.aggregatedCount).toBe(6);

    const again = await post(url(0), alertmanagerPayload([alerts[2]!]));
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({
      status: 'aggregated',
      remediationRequestName: leaderName,
      stormId: before.stormId,
      redelivered: true,
    });
    const after = (await kube.getRR(ns, leaderName)).status!.stormAggregation!;
    expect(after.aggregatedCount).toBe(6);
    expect(await groupRRs('TrickleStorm')).toHaveLength(1);
  });
});
