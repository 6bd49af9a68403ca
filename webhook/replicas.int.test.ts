// Several intake replicas (distinct POD_NAMEs) on one API server: the per-fingerprint Lease keeps
// them to exactly one RR, and group-committed occurrences keep the count exact.
import type { KubeClient } from '../operator/kube/client.ts';
import { adminClient, freshNamespace } from '../test/support/cluster.ts';
import {
  PROMETHEUS,
  alert,
  alertmanagerPayload,
  postRetrying,
  startOperator,
} from '../test/support/operator.ts';
import type { RunningOperator } from '../test/support/operator.ts';

describe('three intake replicas', () => {
  let kube: KubeClient;
  let ns: string;
  let replicas: RunningOperator[];

  beforeAll(async () => {
    kube = adminClient();
    ns = await freshNamespace('replicas');
    replicas = await Promise.all([1, 2, 3].map(() => startOperator(ns)));
  });
  afterAll(() => Promise.all(replicas.map((r) => r.stop())));

  it('turns 300 concurrent signals for one fingerprint into one RR with 300 occurrences', async () => {
    const one = alert({ namespace: 'shop', deployment: 'spread', alertname: 'Spread' });
    const start = Date.parse(one.startsAt);
    // 300 distinct firings. Senders retry 503s (Alertmanager does); a retried firing that had been
    // stored is recognised as a redelivery, so the count stays exact.
    const replies = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        postRetrying(
          replicas[i % 3]!.endpoints.intake + PROMETHEUS,
          alertmanagerPayload([{ ...one, startsAt: new Date(start + i * 1000).toISOString() }]),
        ),
      ),
    );
    const retried = replies.filter((r) => r.retries > 0).length;
    if (retried > 0) console.log(`${retried} of 300 signals were answered 503 first and retried`);
    const codes = replies.map((r) => r.status);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 202)).toHaveLength(299);
    const fp = replies[0]!.body.fingerprint as string;
    const list = await kube.listRRs(ns, { fieldSelector: `spec.signalFingerprint=${fp}` });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]!.status?.deduplication?.occurrenceCount).toBe(300);
  });

  it('keeps exactly one RR per fingerprint for many fingerprints at once', async () => {
    const deployments = Array.from({ length: 5 }, (_, i) => `multi-${i}`);
    const replies = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        postRetrying(
          replicas[i % 3]!.endpoints.intake + PROMETHEUS,
          alertmanagerPayload([
            alert({ namespace: `team-${i % 5}`, deployment: deployments[i % 5], alertname: 'Multi' }),
          ]),
        ),
      ),
    );
    expect(replies.every((r) => r.status === 201 || r.status === 202)).toBe(true);
    const items = (await kube.listRRs(ns)).items.filter((r) => r.spec.signalName === 'Multi');
    expect(items).toHaveLength(5);
    expect(items.map((r) => r.status?.deduplication?.occurrenceCount)).toEqual([30, 30, 30, 30, 30]);
  });

  it('gives one storm split across the replicas a single leader', async () => {
    const pods = Array.from({ length: 15 }, (_, i) => `split-${i}`);
    const replies = await Promise.all(
      [0, 1, 2].map((k) =>
        postRetrying(
          replicas[k]!.endpoints.intake + PROMETHEUS,
          alertmanagerPayload(
            pods
              .filter((_, i) => i % 3 === k)
              .map((pod) => alert({ namespace: 'shop', pod, alertname: 'Split' })),
          ),
        ),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual([207, 207, 207]);
    const group = (await kube.listRRs(ns)).items.filter((r) => r.spec.signalName === 'Split');
    const leaders = group.filter((r) => r.status?.stormAggregation?.stormDetectedAt);
    expect(leaders).toHaveLength(1);
    const s = leaders[0]!.status!.stormAggregation!;
    expect((s.aggregatedCount ?? 0) + group.length - 1).toBe(15);
    console.log(`storm split over 3 replicas: 15 alerts -> ${group.length} RRs, one leader`);
  });
});
