// The benchmark's cluster: one local control plane (real kube-apiserver + etcd) with the CRDs,
// the namespaces the alerts target (labelled production, as a real cluster would be), and
// helpers for the namespaces each measurement runs in.
import { CoreV1Api, VersionApi } from '@kubernetes/client-node';
import { LocalControlPlane } from '../e2e/controlplane/controlPlane.ts';
import type { ControlPlaneInfo } from '../e2e/controlplane/controlPlane.ts';
import { ensureNamespace } from '../e2e/controlplane/identities.ts';
import { installManifests } from '../e2e/controlplane/install.ts';
import { KubeClient } from '../operator/kube/client.ts';
import { loadKubeConfig } from '../operator/kube/kubeconfig.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import { clientNodeConfig } from '../e2e/controlplane/clientNode.ts';
import { STORM_NAMESPACE, TARGET_NAMESPACES } from './workload.ts';

export interface BenchCluster {
  cp: LocalControlPlane;
  info: ControlPlaneInfo;
  /** client-node, for set-up and the API server's /metrics. */
  kc: KubeConfig;
  kube: KubeClient;
  version: string;
}

/** Free ports are picked before they are bound, so a start can lose a port race: try again. */
export async function startCluster(attempts = 3): Promise<BenchCluster> {
  for (let i = 1; ; i++) {
    try {
      return await startOnce();
    } catch (err) {
      if (i >= attempts) throw err;
      console.error(`control plane start failed (${(err as Error).message}); retrying`);
    }
  }
}

async function startOnce(): Promise<BenchCluster> {
  const cp = new LocalControlPlane();
  const info = await cp.start();
  try {
    const kc = clientNodeConfig(info.kubeconfigPath);
    await installManifests(kc);
    const core = kc.makeApiClient(CoreV1Api);
    for (const name of [...TARGET_NAMESPACES, STORM_NAMESPACE]) {
      await core.createNamespace({
        body: { metadata: { name, labels: { 'kubernaut.ai/environment': 'production' } } },
      });
    }
    const version = await fetchVersion(kc);
    return {
      cp,
      info,
      kc,
      kube: new KubeClient(loadKubeConfig({ kubeconfigPath: info.kubeconfigPath })),
      version,
    };
  } catch (err) {
    await cp.stop();
    throw err;
  }
}

export async function freshNamespace(c: BenchCluster, name: string): Promise<string> {
  await ensureNamespace(c.kc, name);
  return name;
}

async function fetchVersion(kc: KubeConfig): Promise<string> {
  const v = await kc.makeApiClient(VersionApi).getCode();
  return v.gitVersion;
}
