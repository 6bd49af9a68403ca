// Fingerprints follow the owner chain: pods of one Deployment are one remediation; a bare pod is
// its own. The chain (Deployment -> ReplicaSet -> Pods) is created here by the test: without a
// controller-manager, nothing else would create it.
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { V1OwnerReference } from '@kubernetes/client-node';
import type { KubeClient } from '../operator/kube/client.ts';
import { adminClient, adminKubeConfig, freshNamespace } from '../test/support/cluster.ts';
import { PROMETHEUS, alert, alertmanagerPayload, post, startOperator } from '../test/support/operator.ts';
import type { RunningOperator } from '../test/support/operator.ts';

const podSpec = { containers: [{ name: 'app', image: 'registry.example/app:1' }] };

describe('owner resolution', () => {
  let kube: KubeClient;
  let ns: string;
  let workloads: string;
  let op: RunningOperator;

  beforeAll(async () => {
    kube = adminClient();
    ns = await freshNamespace('owners');
    workloads = await freshNamespace('workloads', { 'kubernaut.ai/environment': 'production' });
    const kc = adminKubeConfig();
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const labels = { app: 'web' };
    const dep = await apps.createNamespacedDeployment({
      namespace: workloads,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
      },
    });
    const owner = (kind: string, name: string, uid: string, apiVersion: string): V1OwnerReference[] => [
      { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true },
    ];
    const rs = await apps.createNamespacedReplicaSet({
      namespace: workloads,
      body: {
        metadata: {
          name: 'web-5d8f',
          ownerReferences: owner('Deployment', 'web', dep.metadata!.uid!, 'apps/v1'),
        },
        spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
      },
    });
    for (const pod of ['web-5d8f-aaaaa', 'web-5d8f-bbbbb']) {
      await core.createNamespacedPod({
        namespace: workloads,
        body: {
          metadata: {
            name: pod,
            labels,
            ownerReferences: owner('ReplicaSet', 'web-5d8f', rs.metadata!.uid!, 'apps/v1'),
          },
          spec: podSpec,
        },
      });
    }
    await core.createNamespacedPod({
      namespace: workloads,
      body: { metadata: { name: 'lonely' }, spec: podSpec },
    });
    op = await startOperator(ns);
  });
  afterAll(() => op.stop());

  it('gives two pods of one Deployment one RR, targeting the Deployment', async () => {
    const url = op.endpoints.intake + PROMETHEUS;
    const a = await post(
      url,
      alertmanagerPayload([alert({ namespace: workloads, pod: 'web-5d8f-aaaaa', alertname: 'OOMKilled' })]),
    );
    const b = await post(
      url,
      alertmanagerPayload([alert({ namespace: workloads, pod: 'web-5d8f-bbbbb', alertname: 'OOMKilled' })]),
    );
    expect(a.status).toBe(201);
    expect(b.status).toBe(202);
    expect(b.body.remediationRequestName).toBe(a.body.remediationRequestName);
    const rr = await kube.getRR(ns, a.body.remediationRequestName as string);
    expect(rr.spec.targetResource).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'web',
      namespace: workloads,
    });
    expect(rr.spec.environment).toBe('production');
    expect(rr.spec.priority).toBe('P0');
  });

  it('gives a bare pod its own RR, and an alert about another signal on the same workload joins it', async () => {
    const url = op.endpoints.intake + PROMETHEUS;
    const lonely = await post(
      url,
      // Its own alertname: a second new target of the OOMKilled group within storm.bufferSeconds
      // would be buffered on that group's first RR (202 buffered) rather than created at once.
      alertmanagerPayload([alert({ namespace: workloads, pod: 'lonely', alertname: 'OOMKilledBare' })]),
    );
    expect(lonely.status).toBe(201);
    const rr = await kube.getRR(ns, lonely.body.remediationRequestName as string);
    expect(rr.spec.targetResource).toMatchObject({ kind: 'Pod', name: 'lonely' });
    const other = await post(
      url,
      alertmanagerPayload([
        alert({ namespace: workloads, pod: 'lonely', alertname: 'HighCPU', severity: 'warning' }),
      ]),
    );
    expect(other.status).toBe(202);
    expect(other.body.remediationRequestName).toBe(lonely.body.remediationRequestName);
  });

  it('creates an RR from a core/v1 Event and from an events.k8s.io/v1 Event', async () => {
    const url = op.endpoints.intake + '/api/v1/signals/kubernetes-event';
    const core = await post(url, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'ev1', namespace: workloads },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-5d8f-aaaaa', namespace: workloads },
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      type: 'Warning',
      firstTimestamp: '2026-11-26T10:00:00Z',
      lastTimestamp: '2026-11-26T10:05:00Z',
      count: 4,
      source: { component: 'kubelet' },
    });
    expect(core.status).toBe(202); // the Deployment already has an active RR
    const fresh = await post(url, {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'ev2', namespace: workloads },
      regarding: { apiVersion: 'v1', kind: 'Pod', name: 'evented', namespace: workloads },
      reason: 'FailedMount',
      note: 'MountVolume.SetUp failed',
      type: 'Warning',
      eventTime: '2026-11-26T10:00:00.000000Z',
      reportingController: 'kubelet',
      reportingInstance: 'node-1',
      action: 'Mount',
    });
    expect(fresh.status).toBe(201);
    const rr = await kube.getRR(ns, fresh.body.remediationRequestName as string);
    expect(rr.spec).toMatchObject({
      signalType: 'kubernetes-event',
      signalName: 'FailedMount',
      severity: 'warning',
    });
  });
});
