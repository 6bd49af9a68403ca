// Measures what one fold costs a storm leader as its member lists grow: the leader's object size
// and the latency of one optimistic status merge patch (both lists rewritten, as a fold does).
// Usage: node --disable-warning=ExperimentalWarning bench/stormListCost.ts  (STORM_LIST_SIZES=100,1000,5000,10000)
import { createHash } from 'node:crypto';
import { LocalControlPlane } from '../e2e/controlplane/controlPlane.ts';
import { ensureNamespace } from '../e2e/controlplane/identities.ts';
import { installManifests } from '../e2e/controlplane/install.ts';
import { KubeClient } from '../operator/kube/client.ts';
import { clientNodeConfig } from '../e2e/controlplane/clientNode.ts';
import { loadKubeConfig } from '../operator/kube/kubeconfig.ts';
import { fixtureRR } from '../operator/storm/testFixtures.ts';
import { summarize } from './stats.ts';

const sizes = (process.env.STORM_LIST_SIZES ?? '100,1000,5000,10000').split(',').map(Number);
const cp = new LocalControlPlane();
const info = await cp.start();
const kc = clientNodeConfig(info.kubeconfigPath);
await installManifests(kc);
await ensureNamespace(kc, 'cost');
const kube = new KubeClient(loadKubeConfig({ kubeconfigPath: info.kubeconfigPath }));
const fp = (i: number) => createHash('sha256').update(String(i)).digest('hex');
try {
  for (const n of sizes) {
    let rr = await kube.createRR(fixtureRR({ namespace: 'cost', pod: `lead-${n}` }));
    const lists = (k: number) => ({
      affectedResources: Array.from({ length: k }, (_, i) => `Pod/shop/storm-pod-${i}`),
      aggregatedFingerprints: Array.from({ length: k }, (_, i) => fp(i)),
    });
    rr = await kube.patchRRStatus('cost', rr.metadata.name, {
      stormAggregation: { aggregatedCount: n, ...lists(n) },
    });
    const ms: number[] = [];
    for (let j = 1; j <= 20; j++) {
      const t = performance.now();
      rr = await kube.patchRRStatus(
        'cost',
        rr.metadata.name,
        { stormAggregation: { aggregatedCount: n + j, ...lists(Math.min(n + j, 10_000)) } },
        rr.metadata.resourceVersion,
      );
      ms.push(performance.now() - t);
    }
    const s = summarize(ms);
    console.log(
      `${n} listed: leader ${JSON.stringify(rr).length} bytes, one fold P50 ${s.p50Ms} ms, P95 ${s.p95Ms} ms`,
    );
  }
} finally {
  await cp.stop();
}
