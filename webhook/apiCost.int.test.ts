// What one signal costs the API server, counted by the API server itself: a new fingerprint
// that is its storm group's first (group lease create, fingerprint lease create, RR create,
// status init, both lease releases) and a duplicate (one status patch when
// sent one at a time; group commit makes it less under load). This file owns its control plane,
// so no other test's requests can show up in the API server's counters.
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

  it('costs at most 6 requests per new fingerprint and 1 per sequential duplicate', async () => {
    const n = 20;
    const before = await counts();
    for (let i = 0; i < n; i++) {
      const r = await post(
        url,
        alertmanagerPayload([alert({ namespace: 'costly', deployment: `new-${i}`, alertname: `Cost${i}` })]),
      );
      expect(r.status).toBe(201);
    }
    // A group Lease is released after the answer (not awaited): wait until every Lease taken is
    // released, so no release of this phase is counted as a duplicate's cost.
    const afterNew = await eventually('every Lease taken to be released', async () => {
      const now = await counts();
      const by = delta(before, now).by;
      return (by['PUT leases 200'] ?? 0) >= (by['POST leases 201'] ?? 0) ? now : undefined;
    });
    for (let i = 0; i < n; i++) {
      const r = await post(
        url,
        alertmanagerPayload([alert({ namespace: 'costly', deployment: `new-${i}`, alertname: `Cost${i}` })]),
      );
      expect(r.status).toBe(202);
    }
    const afterDup = await counts();
    const created = delta(before, afterNew);
    const duplicated = delta(afterNew, afterDup);
    console.log(
      `API requests per new fingerprint: ${created.total / n} ${JSON.stringify(created.by)}\n` +
        `API requests per sequential duplicate: ${duplicated.total / n} ${JSON.stringify(duplicated.by)}`,
    );
    // 4 for the RR under its fingerprint's Lease, 2 for the storm group's Lease (one holder per group).
    expect(created.total / n).toBeLessThanOrEqual(6);
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
