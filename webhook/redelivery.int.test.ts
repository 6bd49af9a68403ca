// Redelivery on a real API server: the same notification (Alertmanager HA peers, retries after a
// 5xx or a timeout, the whole-batch 503 rule) is recognised from the occurrence record on the RR
// and answered 202 `redelivered` without counting again; distinct firings each count.
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../operator/kube/client.ts';
import { adminClient, freshNamespace } from '../test/support/cluster.ts';
import {
  K8S_EVENT,
  PROMETHEUS,
  alert,
  alertmanagerPayload,
  post,
  startOperator,
} from '../test/support/operator.ts';
import type { Reply, RunningOperator } from '../test/support/operator.ts';
import { stormGroupKey } from '../operator/cache/rrCache.ts';
import { lockLeaseName } from './signal/fingerprint.ts';
import { groupLockKey } from './storm/stormGate.ts';

const firing = (deployment: string, startsAt = '2026-11-26T10:00:00Z') => ({
  ...alert({ namespace: 'shop', deployment, alertname: `Redelivered-${deployment}` }),
  startsAt,
});

describe('redelivered notifications', () => {
  let kube: KubeClient;
  let ns: string;
  let ops: RunningOperator[];
  const url = (i = 0) => ops[i]!.endpoints.intake + PROMETHEUS;
  const stored = async (fp: string) =>
    (await kube.listRRs(ns, { fieldSelector: `spec.signalFingerprint=${fp}` })).items;
  const codes = (replies: Reply[]) => replies.map((r) => r.status).sort();

  beforeAll(async () => {
    kube = adminClient();
    ns = await freshNamespace('redeliver');
    const patch = { intake: { lock: { leaseDurationSeconds: 30, maxWaitMs: 1500 } } } as never;
    ops = await Promise.all([startOperator(ns, patch), startOperator(ns, patch)]);
  });
  afterAll(() => Promise.all(ops.map((o) => o.stop())));

  it('counts the same notification sent 3 times once', async () => {
    const payload = alertmanagerPayload([firing('seq')]);
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await post(url(), payload));
    expect(replies.map((r) => r.status)).toEqual([201, 202, 202]);
    expect(replies[1]!.body).toMatchObject({ status: 'duplicate', redelivered: true, occurrenceCount: 1 });
    const [rr, ...more] = await stored(replies[0]!.body.fingerprint as string);
    expect(more).toHaveLength(0);
    expect(rr!.status?.deduplication?.occurrenceCount).toBe(1);
  });

  it('counts 20 concurrent identical deliveries of a new alert once, across two replicas', async () => {
    const payload = alertmanagerPayload([firing('twenty')]);
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => post(url(i % 2), payload)));
    expect(codes(replies)).toEqual([201, ...Array<number>(19).fill(202)]);
    expect(replies.filter((r) => r.body.redelivered === true)).toHaveLength(19);
    const rrs = await stored(replies[0]!.body.fingerprint as string);
    expect(rrs).toHaveLength(1);
    expect(rrs[0]!.status?.deduplication?.occurrenceCount).toBe(1);
  });

  it('answers the alerts already stored as redelivered when a batch is resent after a 503', async () => {
    const alerts = ['batch-a', 'batch-b', 'batch-c'].map((d) => firing(d));
    // Someone else holds batch-c's creation lock (its storm group's, which serialises the group's
    // first RR of a buffer window), so that alert cannot be stored: the batch gets 503.
    const blocked = groupLockKey(stormGroupKey('shop', 'Redelivered-batch-c'));
    await kube.createLease(ns, {
      metadata: { name: lockLeaseName(blocked) },
      spec: { holderIdentity: 'elsewhere', leaseDurationSeconds: 3600 },
    });
    const first = await post(url(), alertmanagerPayload(alerts));
    expect(first.status).toBe(503);
    expect(first.body.summary).toMatchObject({ created: 2, failed: 1 });
    await kube.deleteLease(ns, lockLeaseName(blocked));
    const retry = await post(url(1), alertmanagerPayload(alerts));
    expect(retry.status).toBe(207);
    const results = retry.body.results as { status: string; redelivered?: boolean; fingerprint: string }[];
    expect(results.map((r) => [r.status, r.redelivered ?? false])).toEqual([
      ['duplicate', true],
      ['duplicate', true],
      ['created', false],
    ]);
    for (const r of results) {
      const rrs = await stored(r.fingerprint);
      expect(rrs).toHaveLength(1);
      expect(rrs[0]!.status?.deduplication?.occurrenceCount).toBe(1);
    }
  });

  it('counts 200 distinct firings of one new fingerprint exactly, and none of them twice', async () => {
    const start = Date.parse('2026-11-26T10:00:00Z');
    const payloads = Array.from({ length: 200 }, (_, i) =>
      alertmanagerPayload([firing('distinct', new Date(start + i * 1000).toISOString())]),
    );
    const replies = await Promise.all(payloads.map((p, i) => post(url(i % 2), p)));
    expect(codes(replies)).toEqual([201, ...Array<number>(199).fill(202)]);
    const fp = replies[0]!.body.fingerprint as string;
    expect((await stored(fp))[0]!.status?.deduplication?.occurrenceCount).toBe(200);
    // The same 200 notifications again (an HA peer): all recognised, nothing counted.
    const again = await Promise.all(payloads.map((p, i) => post(url((i + 1) % 2), p)));
    expect(again.every((r) => r.status === 202 && r.body.redelivered === true)).toBe(true);
    const rrs = await stored(fp);
    expect(rrs).toHaveLength(1);
    expect(rrs[0]!.status?.deduplication?.occurrenceCount).toBe(200);
    expect(rrs[0]!.status?.recentOccurrences).toHaveLength(200);
  });

  it('counts a Kubernetes Event once per new count, not per delivery', async () => {
    const uid = randomBytes(8).toString('hex');
    const event = (count: number) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `web.${uid}`, namespace: 'shop', uid },
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'evented', namespace: 'shop' },
      reason: 'ProgressDeadlineExceeded',
      type: 'Warning',
      firstTimestamp: '2026-11-26T10:00:00Z',
      lastTimestamp: '2026-11-26T10:00:00Z',
      count,
    });
    const target = ops[0]!.endpoints.intake + K8S_EVENT;
    const replies = [];
    for (const count of [1, 1, 2, 2, 3]) replies.push(await post(target, event(count)));
    expect(replies.map((r) => [r.status, r.body.redelivered ?? false])).toEqual([
      [201, false],
      [202, true],
      [202, false],
      [202, true],
      [202, false],
    ]);
    expect(
      (await stored(replies[0]!.body.fingerprint as string))[0]!.status?.deduplication?.occurrenceCount,
    ).toBe(3);
  });
});
