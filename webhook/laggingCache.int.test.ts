// A replica whose RR cache lags the API server (its watch goes through a Toxiproxy proxy that is
// then cut, a real network partition of the watch only; its writes go straight to the API
// server): a resolved alert for an RR it has not seen must still resolve it, and an RR deleted
// behind its back (404 on the status write) must leave its cache at once.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { RRCache } from '../operator/cache/rrCache.ts';
import { KubeClient } from '../operator/kube/client.ts';
import { loadKubeConfig } from '../operator/kube/kubeconfig.ts';
import { createMetrics } from '../operator/observability/metrics.ts';
import { silentLogger } from '../operator/observability/logger.ts';
import { adminClient, controlPlaneInfo, eventually, freshNamespace } from '../test/support/cluster.ts';
import {
  PROMETHEUS,
  alert,
  alertmanagerPayload,
  post,
  startOperator,
  testConfig,
} from '../test/support/operator.ts';
import type { RunningOperator } from '../test/support/operator.ts';
import { Toxiproxy, kubeconfigServer, kubeconfigThrough } from '../test/support/toxiproxy.ts';
import type { Proxy } from '../test/support/toxiproxy.ts';
import { buildIntake } from './buildIntake.ts';

const firing = (deployment: string, startsAt: string) => ({
  // Its own alertname per deployment: its own storm group, so a new fingerprint is never buffered.
  ...alert({ namespace: 'shop', deployment, alertname: `Lagging-${deployment}` }),
  startsAt,
});

describe('a replica whose cache lags', () => {
  let tp: Toxiproxy;
  let proxy: Proxy;
  let ns: string;
  let kube: KubeClient;
  let healthy: RunningOperator;
  let cache: RRCache;
  let server: Server;
  let laggingUrl: string;

  beforeAll(async () => {
    kube = adminClient();
    ns = await freshNamespace('lagging');
    healthy = await startOperator(ns);
    const admin = controlPlaneInfo().kubeconfigPath;
    tp = await Toxiproxy.start();
    proxy = await tp.proxy(`watch-${ns}`, kubeconfigServer(admin));
    // The cache watches through the proxy; everything else goes straight to the API server.
    cache = new RRCache(
      new KubeClient(loadKubeConfig({ kubeconfigPath: kubeconfigThrough(proxy, admin) })),
      ns,
    );
    await cache.start();
    const { app } = buildIntake({
      config: testConfig(ns),
      kube: new KubeClient(loadKubeConfig({ kubeconfigPath: admin })),
      cache,
      metrics: createMetrics({ defaultMetrics: false }),
      logger: silentLogger(),
      accepting: () => true,
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    laggingUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PROMETHEUS}`;
  });
  afterAll(async () => {
    server?.close();
    await cache?.stop();
    await healthy?.stop();
    await tp?.stop();
  });

  it('resolves an RR it has not seen, and forgets an RR deleted behind its back', async () => {
    // Seen by the lagging replica before the partition.
    const old = await post(
      healthy.endpoints.intake + PROMETHEUS,
      alertmanagerPayload([firing('gone', '2026-11-26T10:00:00Z')]),
    );
    expect(old.status).toBe(201);
    const oldName = old.body.remediationRequestName as string;
    const oldUid = (await eventually('the lagging cache to hold the RR', async () => cache.get(oldName)))
      .metadata.uid;

    await proxy.disable();
    // Created after the partition: the lagging replica's cache never sees it.
    const fresh = await post(
      healthy.endpoints.intake + PROMETHEUS,
      alertmanagerPayload([firing('later', '2026-11-26T10:00:00Z')]),
    );
    expect(fresh.status).toBe(201);
    const resolved = await post(
      laggingUrl,
      alertmanagerPayload([{ ...firing('later', '2026-11-26T10:00:00Z'), status: 'resolved' }]),
    );
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      remediationRequestName: fresh.body.remediationRequestName,
    });
    expect(
      (await kube.getRR(ns, fresh.body.remediationRequestName as string)).status?.signalResolvedAt,
    ).toBeDefined();

    // Deleted behind its back: the status write gets 404, the RR leaves the cache, a new RR is made.
    await kube.deleteRR(ns, oldName);
    expect(cache.get(oldName)).toBeDefined();
    const next = await post(laggingUrl, alertmanagerPayload([firing('gone', '2026-11-26T11:00:00Z')]));
    expect(next.status).toBe(201);
    const fp = old.body.fingerprint as string;
    expect(cache.byFingerprint(fp).map((r) => r.metadata.uid)).not.toContain(oldUid);
    const rrs = (await kube.listRRs(ns, { fieldSelector: `spec.signalFingerprint=${fp}` })).items;
    expect(rrs).toHaveLength(1);
    expect(rrs[0]!.status?.deduplication?.occurrenceCount).toBe(1);
    await proxy.enable();
  });
});
