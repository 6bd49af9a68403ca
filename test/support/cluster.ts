// Helpers for integration tests: the admin client of the run's control plane, unique
// namespaces, and restricted identities. Everything here talks to the real API server.
import type { KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import type { RequestOptions } from 'node:https';
import { clientNodeConfig } from '../../e2e/controlplane/clientNode.ts';
import type { ControlPlaneInfo } from '../../e2e/controlplane/controlPlane.ts';
import { ensureNamespace } from '../../e2e/controlplane/identities.ts';
import { KubeClient } from '../../operator/kube/client.ts';
import { loadKubeConfig } from '../../operator/kube/kubeconfig.ts';
import type { ClusterConfig } from '../../operator/kube/kubeconfig.ts';

export function controlPlaneInfo(): ControlPlaneInfo {
  const raw = process.env.KUBERNAUT_TEST_CONTROLPLANE;
  if (!raw) throw new Error('integration tests need the control plane from test/integration-setup.ts');
  return JSON.parse(raw) as ControlPlaneInfo;
}

/** The admin as a client-node KubeConfig, for test set-up through its typed APIs. */
export function adminKubeConfig(): KubeConfig {
  return clientNodeConfig(controlPlaneInfo().kubeconfigPath);
}

/** The admin as the operator's own cluster config (what a KubeClient or Manager takes). */
export function adminClusterConfig(): ClusterConfig {
  return loadKubeConfig({ kubeconfigPath: controlPlaneInfo().kubeconfigPath });
}

export function adminClient(): KubeClient {
  return new KubeClient(adminClusterConfig());
}

/** Creates a namespace with a unique name (namespaces are never deleted: no controller-manager). */
export async function freshNamespace(prefix = 'test', labels?: Record<string, string>): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  const kc = adminKubeConfig();
  if (labels) {
    const { CoreV1Api } = await import('@kubernetes/client-node');
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name, labels } } });
  } else {
    await ensureNamespace(kc, name);
  }
  return name;
}

export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** A raw GET as the admin, for what typed clients cannot ask (e.g. server-side Tables). */
export async function adminRawGet(
  path: string,
  accept = 'application/json',
): Promise<{ status: number; body: string }> {
  const { request } = await import('node:https');
  const kc = adminKubeConfig();
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const url = new URL(kc.getCurrentCluster()!.server + path);
  return new Promise((resolve, reject) => {
    const req = request(url, { ...opts, headers: { ...opts.headers, accept } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
