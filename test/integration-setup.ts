// Jest global setup for the integration tier: one real kube-apiserver + etcd for the whole run,
// with the CRDs installed. Test workers find it through KUBERNAUT_TEST_* environment variables.
import { LocalControlPlane } from '../e2e/controlplane/controlPlane.ts';
import { installManifests } from '../e2e/controlplane/install.ts';
import { clientNodeConfig } from '../e2e/controlplane/clientNode.ts';

declare global {
  var __kubernautControlPlane: LocalControlPlane | undefined;
}

export default async function setup(): Promise<void> {
  const cp = new LocalControlPlane();
  const started = Date.now();
  const info = await cp.start();
  globalThis.__kubernautControlPlane = cp;
  const stop = () => void cp.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await installManifests(clientNodeConfig(info.kubeconfigPath));
  process.env.KUBERNAUT_TEST_KUBECONFIG = info.kubeconfigPath;
  process.env.KUBERNAUT_TEST_CONTROLPLANE = JSON.stringify(info);
  process.stdout.write(
    `\nlocal control plane ready in ${Date.now() - started} ms at ${info.server}\n` +
      `  logs: ${info.apiserverLog}, ${info.etcdLog}\n`,
  );
}
