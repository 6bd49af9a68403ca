// A status write whose answer is lost (Toxiproxy drops the response; the request reached the
// API server) is checked by reading the RR back. The API server returns object keys sorted, the
// patch has them in insertion order: the check must compare canonically, or a write that landed
// is judged lost (503, and counted again on the resend).
import { PENDING } from '../operator/api/phase.ts';
import type { RemediationRequest, RemediationRequestStatus } from '../operator/api/types.ts';
import { RRCache } from '../operator/cache/rrCache.ts';
import { KubeClient } from '../operator/kube/client.ts';
import { loadKubeConfig } from '../operator/kube/kubeconfig.ts';
import { adminClient, controlPlaneInfo, eventually, freshNamespace } from '../test/support/cluster.ts';
import { Toxiproxy, kubeconfigServer, kubeconfigThrough } from '../test/support/toxiproxy.ts';
import type { Proxy } from '../test/support/toxiproxy.ts';
import { StatusBatcher } from './dedup/statusBatcher.ts';
import { buildRemediationRequest } from './create/rrBuilder.ts';
import { parseAlertmanagerPayload } from './signal/alertmanager.ts';
import { fingerprint } from './signal/fingerprint.ts';
import { alert, alertmanagerPayload } from '../test/support/operator.ts';

describe('a status write whose answer is lost', () => {
  let tp: Toxiproxy;
  let proxy: Proxy;
  let ns: string;
  let kube: KubeClient;
  let cache: RRCache;

  beforeAll(async () => {
    kube = adminClient();
    ns = await freshNamespace('ambiguous');
    tp = await Toxiproxy.start();
    proxy = await tp.proxy(`status-${ns}`, kubeconfigServer(controlPlaneInfo().kubeconfigPath));
    cache = new RRCache(adminClient(), ns);
    await cache.start();
  });
  afterAll(async () => {
    await cache?.stop();
    await tp?.stop();
  });

  it('is judged stored when it landed, whatever the key order', async () => {
    const parsed = parseAlertmanagerPayload(
      alertmanagerPayload([alert({ namespace: 'shop', deployment: 'ambiguous' })]),
      { clusterID: 'test-cluster', now: new Date() },
    );
    const signal = parsed.alerts[0]!.signal!;
    const fp = fingerprint('test-cluster', signal.target);
    const c = {
      signal,
      target: signal.target,
      fingerprint: fp,
      environment: 'unknown',
      priority: 'P2' as const,
      receivedAt: new Date(),
    };
    const created = await kube.createRR(buildRemediationRequest(c, ns, 1, 'test'));
    const initial = await kube.patchRRStatus(ns, created.metadata.name, {
      overallPhase: PENDING,
      deduplication: {
        firstSeenAt: '2026-11-26T10:00:00.000Z',
        lastSeenAt: '2026-11-26T10:00:00.000Z',
        occurrenceCount: 1,
      },
    });
    cache.recordLocal(initial);

    const kc = loadKubeConfig({
      kubeconfigPath: kubeconfigThrough(proxy, controlPlaneInfo().kubeconfigPath),
    });
    kc.requestTimeoutMs = 2000;
    let lost = 0;
    class DroppingKube extends KubeClient {
      override async patchRRStatus(
        namespace: string,
        name: string,
        status: RemediationRequestStatus | Record<string, unknown>,
        resourceVersion?: string,
      ): Promise<RemediationRequest> {
        // The patch reaches the API server; its answer is dropped on the way back.
        const toxic = await proxy.addToxic({
          type: 'timeout',
          stream: 'downstream',
          attributes: { timeout: 0 },
        });
        const sent = super.patchRRStatus(namespace, name, status, resourceVersion);
        await eventually('the write to land', async () => {
          const rr = await kube.getRR(ns, name);
          return rr.metadata.resourceVersion !== resourceVersion ? rr : undefined;
        });
        // Only once the client has given up is the network healed: the answer is really lost.
        lost += await sent.then(
          () => 0,
          () => 1,
        );
        await proxy.removeToxic(toxic);
        return sent;
      }
    }
    const client = new DroppingKube(kc);
    // Open the pooled connection first: the toxic must drop an answer, not the TLS handshake.
    await client.getRR(ns, created.metadata.name);
    const batcher = new StatusBatcher(client, cache);
    // Keys in an order the API server does not return them in (it sorts them).
    const { result } = await batcher.submit(created.metadata.name, (status, now) => {
      status.deduplication = { occurrenceCount: 2, lastSeenAt: now, firstSeenAt: '2026-11-26T10:00:00.000Z' };
      return 2;
    });
    expect(lost).toBe(1);
    expect(result).toBe(2);
    expect((await kube.getRR(ns, created.metadata.name)).status?.deduplication?.occurrenceCount).toBe(2);
  });
});
