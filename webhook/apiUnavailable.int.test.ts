// When the API server is down nothing is acknowledged: the intake answers 503 with Retry-After
// and creates nothing; once it is back, signals are stored again. This test owns its control plane
// (it stops and restarts the apiserver).
import { LocalControlPlane } from '../e2e/controlplane/controlPlane.ts';
import { installManifests } from '../e2e/controlplane/install.ts';
import { KubeClient } from '../operator/kube/client.ts';
import { clientNodeConfig } from '../e2e/controlplane/clientNode.ts';
import { loadKubeConfig } from '../operator/kube/kubeconfig.ts';
import { ensureNamespace } from '../e2e/controlplane/identities.ts';
import { PROMETHEUS, alert, alertmanagerPayload, post, startOperator } from '../test/support/operator.ts';
import type { RunningOperator } from '../test/support/operator.ts';
import { eventually } from '../test/support/cluster.ts';

describe('API server outage', () => {
  const cp = new LocalControlPlane();
  let op: RunningOperator;
  let kube: KubeClient;
  const ns = 'outage';

  beforeAll(async () => {
    const info = await cp.start();
    const kc = clientNodeConfig(info.kubeconfigPath);
    await installManifests(kc);
    await ensureNamespace(kc, ns);
    kube = new KubeClient(loadKubeConfig({ kubeconfigPath: info.kubeconfigPath }));
    op = await startOperator(
      ns,
      { intake: { requestTimeoutMs: 4000, lock: { leaseDurationSeconds: 30, maxWaitMs: 2000 } } as never },
      loadKubeConfig({ kubeconfigPath: info.kubeconfigPath }),
    );
  });
  afterAll(async () => {
    await op?.stop();
    await cp.stop();
  });

  it('answers 503 with Retry-After while the apiserver is down, and 201 once it is back', async () => {
    const url = op.endpoints.intake + PROMETHEUS;
    expect(
      (await post(url, alertmanagerPayload([alert({ namespace: 'a', deployment: 'before' })]))).status,
    ).toBe(201);

    await cp.stopApiServer();
    const down = await post(url, alertmanagerPayload([alert({ namespace: 'a', deployment: 'during' })]));
    expect(down.status).toBe(503);
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(down.body.type).toEqual(expect.stringContaining('service-unavailable'));
    const dup = await post(url, alertmanagerPayload([alert({ namespace: 'a', deployment: 'before' })]));
    expect(dup.status).toBe(503);

    await cp.startApiServer();
    const after = await eventually(
      'a 201 after the restart',
      async () => {
        const r = await post(url, alertmanagerPayload([alert({ namespace: 'a', deployment: 'during' })]));
        return r.status === 201 ? r : undefined;
      },
      30_000,
      250,
    );
    expect(after.body.status).toBe('created');
    const items = (await kube.listRRs(ns)).items;
    expect(items.map((i) => i.spec.targetResource.name).sort()).toEqual(['before', 'during']);
    expect(
      items.find((i) => i.spec.targetResource.name === 'before')?.status?.deduplication?.occurrenceCount,
    ).toBe(1);
  });
});
