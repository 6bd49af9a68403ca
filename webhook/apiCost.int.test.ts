// What one signal costs the API server, counted by the API server itself: a new fingerprint
// that is its storm group's first (the group's Lease create naming the RR, RR create, status
// init; the Lease is not released, and its clean-up later is one delete) and a duplicate (one
// status patch when sent one at a time; group commit makes it less under load). This file owns its control plane,
// so no other test's requests can show up in the API server's counters.
import { CoordinationV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { LocalControlPlane } from '../e2e/controlplane/controlPlane.ts';
import { ensureNamespace } from '../e2e/controlplane/identities.ts';
import { installManifests } from '../e2e/controlplane/install.ts';
import { clientNodeConfig } from '../e2e/controlplane/clientNode.ts';
import { loadKubeConfig } from '../operator/kube/kubeconfig.ts';
import { delta, requestCounts } from '../test/support/apiserverMetrics.ts';
import { eventually } from '../test/support/cluster.ts';
import { PROMETHEUS, alert, alertmanagerPayload, post, startOperator } from '../test/support/operator.ts';
import type { RunningOperator } from '../test/support/operator.ts';

const RESOURCES = ['remediationrequests', 'leases', 'namespaces', 'pods', 'replicasets', 'deployments'];

describe('API requests per signal', () => {
  const cp = new LocalControlPlane();
  let kc: KubeConfig;
  let op: RunningOperator;
  let url: string;
  const counts = () => requestCounts(RESOURCES, kc);
  const locks = async () =>
    (
      await kc
        .makeApiClient(CoordinationV1Api)
        .listNamespacedLease({ namespace: 'cost', labelSelector: 'kubernaut.ai/lock' })
    ).items.length;

  beforeAll(async () => {
    const info = await cp.start();
    kc = clientNodeConfig(info.kubeconfigPath);
    await installManifests(kc);
    await ensureNamespace(kc, 'cost');
    op = await startOperator(
      'cost',
      { leaderElection: { enabled: false } },
      loadKubeConfig({ kubeconfigPath: info.kubeconfigPath }),
    );
    url = op.endpoints.intake + PROMETHEUS;
    // Warm the namespace-label cache so the first measured signal is like the rest.
    await post(
      url,
      alertmanagerPayload([alert({ namespace: 'costly', deployment: 'warm-up', alertname: 'Warm' })]),
    );
  });
  afterAll(async () => {
    await op?.stop();
    await cp.stop();
  });

  it('costs at most 4 requests per new fingerprint, the Lease clean-up included, and 1 per sequential duplicate', async () => {
    const n = 20;
    const locksBefore = await locks();
    const before = await counts();
    for (let i = 0; i < n; i++) {
      const r = await post(
        url,
        alertmanagerPayload([alert({ namespace: 'costly', deployment: `new-${i}`, alertname: `Cost${i}` })]),
      );
      expect(r.status).toBe(201);
    }
    // Anything sent after an answer (a Lease release would be) must be counted here, not as a
    // duplicate's cost: wait until the counters stand still.
    let last = await counts();
    const afterNew = await eventually('the API server counters to settle', async () => {
      await new Promise((r) => setTimeout(r, 300));
      const now = await counts();
      const settled = delta(last, now).total === 0;
      last = now;
      return settled ? now : undefined;
    });
    for (let i = 0; i < n; i++) {
      const r = await post(
        url,
        alertmanagerPayload([alert({ namespace: 'costly', deployment: `new-${i}`, alertname: `Cost${i}` })]),
      );
      expect(r.status).toBe(202);
    }
    const afterDup = await counts();
    // Each Lease left behind costs one delete later (the lease-cleanup controller).
    const leftLocks = (await locks()) - locksBefore;
    const created = delta(before, afterNew);
    const duplicated = delta(afterNew, afterDup);
    console.log(
      `API requests per new fingerprint: ${created.total / n} + ${leftLocks / n} deferred Lease deletes ${JSON.stringify(created.by)}\n` +
        `API requests per sequential duplicate: ${duplicated.total / n} ${JSON.stringify(duplicated.by)}`,
    );
    // The group's Lease create (naming the RR), RR create, status init: 3; plus the Lease's delete.
    expect(created.total / n).toBeLessThanOrEqual(3);
    expect((created.total + leftLocks) / n).toBeLessThanOrEqual(4);
    expect(duplicated.total / n).toBeLessThanOrEqual(1);
  });

  it('costs far less than one request per duplicate under a burst (group commit)', async () => {
    const one = alert({ namespace: 'costly', deployment: 'new-0', alertname: 'Cost0' });
    const start = Date.parse(one.startsAt) + 3_600_000;
    const before = await counts();
    // 200 distinct firings (the same notification 200 times would be redeliveries, never written).
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(url, alertmanagerPayload([{ ...one, startsAt: new Date(start + i * 1000).toISOString() }])),
      ),
    );
    expect(replies.every((r) => r.status === 202)).toBe(true);
    const burst = delta(before, await counts());
    console.log(
      `API requests per duplicate in a burst of 200: ${burst.total / 200} ${JSON.stringify(burst.by)}`,
    );
    // Without group commit this is 1.0 (one status write per signal).
    expect(burst.total / 200).toBeLessThanOrEqual(0.2);
  });
});
