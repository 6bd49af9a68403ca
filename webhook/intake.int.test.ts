// The intake end to end on a real API server: Alertmanager payloads in, RemediationRequests out.
import type { RemediationRequest } from '../operator/api/types.ts';
import type { KubeClient } from '../operator/kube/client.ts';
import { adminClient, freshNamespace } from '../test/support/cluster.ts';
import { PROMETHEUS, alert, alertmanagerPayload, post, startOperator } from '../test/support/operator.ts';
import type { RunningOperator } from '../test/support/operator.ts';

describe('intake on a real API server', () => {
  let kube: KubeClient;
  let ns: string;
  let op: RunningOperator;
  let url: string;
  const rrs = async () => (await kube.listRRs(ns)).items;

  beforeAll(async () => {
    kube = adminClient();
    ns = await freshNamespace('intake');
    op = await startOperator(ns);
    url = op.endpoints.intake + PROMETHEUS;
  });
  afterAll(() => op.stop());

  it('creates an RR, counts a duplicate, and starts over after the RR completes', async () => {
    const payload = alertmanagerPayload([
      alert({ namespace: 'shop', deployment: 'checkout', severity: 'critical' }),
    ]);
    const first = await post(url, payload);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'created',
      duplicate: false,
      remediationRequestNamespace: ns,
    });
    const name = first.body.remediationRequestName as string;
    expect(name).toMatch(new RegExp(`^rr-${(first.body.fingerprint as string).slice(0, 12)}-`));

    const rr = await kube.getRR(ns, name);
    expect(rr.spec).toMatchObject({
      signalFingerprint: first.body.fingerprint,
      signalName: 'KubePodCrashLooping',
      severity: 'critical',
      environment: 'unknown',
      priority: 'P2',
      signalType: 'prometheus-alert',
      signalSource: 'alertmanager',
      targetResource: { kind: 'Deployment', name: 'checkout', namespace: 'shop' },
      clusterID: 'test-cluster',
    });
    expect(rr.status).toMatchObject({ overallPhase: 'Pending', deduplication: { occurrenceCount: 1 } });
    expect(rr.metadata.labels).toMatchObject({ 'kubernaut.ai/signal-name': 'KubePodCrashLooping' });

    // A new firing of the same alert (a redelivery of the same one would not count: redelivery.int.test.ts).
    const refired = alertmanagerPayload([{ ...payload.alerts[0]!, startsAt: '2026-11-26T10:30:00Z' }]);
    const second = await post(url, refired);
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({
      status: 'duplicate',
      duplicate: true,
      remediationRequestName: name,
      occurrenceCount: 2,
    });
    expect((await kube.getRR(ns, name)).status?.deduplication?.occurrenceCount).toBe(2);

    await kube.patchRRStatus(ns, name, { overallPhase: 'Completed' });
    const third = await post(url, payload);
    expect(third.status).toBe(201);
    expect(third.body.remediationRequestName).not.toBe(name);
    expect(third.body.fingerprint).toBe(first.body.fingerprint);
    const all = (await rrs()).filter((r) => r.spec.signalFingerprint === first.body.fingerprint);
    expect(all).toHaveLength(2);
  });

  it('turns 200 concurrent signals for one new fingerprint into one RR with 200 occurrences', async () => {
    const one = alert({ namespace: 'shop', deployment: 'burst', alertname: 'HighLatency' });
    const start = Date.parse(one.startsAt);
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(url, alertmanagerPayload([{ ...one, startsAt: new Date(start + i * 1000).toISOString() }])),
      ),
    );
    const codes = replies.map((r) => r.status);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 202)).toHaveLength(199);
    const fp = replies[0]!.body.fingerprint as string;
    const mine = (await rrs()).filter((r) => r.spec.signalFingerprint === fp);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.status?.deduplication?.occurrenceCount).toBe(200);
    const counts = replies.filter((r) => r.status === 202).map((r) => r.body.occurrenceCount as number);
    expect(new Set(counts).size).toBe(199);
    expect(Math.max(...counts)).toBe(200);
  });

  it('marks the active RR on a resolved alert and creates nothing for an unknown one', async () => {
    const firing = alert({ namespace: 'shop', deployment: 'resolver', alertname: 'DiskFull' });
    const created = await post(url, alertmanagerPayload([firing]));
    const resolved = await post(
      url,
      alertmanagerPayload([{ ...firing, status: 'resolved', endsAt: '2026-11-26T11:00:00Z' }]),
    );
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      remediationRequestName: created.body.remediationRequestName,
    });
    const rr: RemediationRequest = await kube.getRR(ns, created.body.remediationRequestName as string);
    expect(rr.status?.signalResolvedAt).toBeDefined();

    const before = (await rrs()).length;
    const unknown = alert({
      namespace: 'shop',
      deployment: 'never-fired',
      alertname: 'DiskFull',
      status: 'resolved',
    });
    const ignored = await post(url, alertmanagerPayload([unknown]));
    expect(ignored.status).toBe(200);
    expect(ignored.body.status).toBe('ignored');
    expect((await rrs()).length).toBe(before);
  });

  it('answers a mixed batch with 207 and per-alert results', async () => {
    const good = alert({ namespace: 'shop', deployment: 'batch-a', alertname: 'BatchAlert' });
    const bad = { ...alert({ namespace: 'shop', deployment: 'batch-b' }), labels: { namespace: 'shop' } };
    const reply = await post(url, alertmanagerPayload([good, bad]));
    expect(reply.status).toBe(207);
    const results = reply.body.results as { status: string; error?: string }[];
    expect(results[0]!.status).toBe('created');
    expect(results[1]!.status).toBe('rejected');
    expect(results[1]!.error).toContain('alerts[1].labels.alertname');
    expect(reply.body.summary).toMatchObject({ total: 2, created: 1, rejected: 1, failed: 0 });
  });
});
