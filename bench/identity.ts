// Authentication as the chart deploys it: each case's replicas run under the kubernaut-intake
// ServiceAccount of their namespace with exactly the RBAC in rbac/ (TokenReview and
// SubjectAccessReview included), and the load generators send a ServiceAccount token minted by
// the TokenRequest API for the audience `kubernaut-intake`, bound to kubernaut-signal-source
// (as webhook/auth.int.test.ts does). BENCH_AUTH=off runs with auth off and admin credentials.
import { join } from 'node:path';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import {
  bindClusterRole,
  INTAKE_AUDIENCE,
  intakeToken,
  serviceAccountToken,
} from '../e2e/controlplane/identities.ts';
import { applyObjects, readManifests } from '../e2e/controlplane/install.ts';
import { writeTokenKubeconfig } from '../e2e/controlplane/kubeconfig.ts';
import type { ControlPlaneInfo } from '../e2e/controlplane/controlPlane.ts';

export const AUTH_ENABLED = process.env.BENCH_AUTH !== 'off';
const SENDER_NAMESPACE = 'monitoring';
const SENDER = 'alertmanager-bench';

/** The token the load generators present (empty with auth off). */
export async function senderToken(kc: KubeConfig): Promise<string> {
  if (!AUTH_ENABLED) return '';
  const token = await intakeToken(kc, SENDER_NAMESPACE, SENDER, INTAKE_AUDIENCE);
  await bindClusterRole(kc, 'kubernaut-signal-source', SENDER_NAMESPACE, SENDER);
  return token;
}

/**
 * rbac/ applied into `namespace`; the one cluster-scoped binding gets a per-namespace name so
 * every case's ServiceAccount keeps its cluster rights (namespaces, owners, token reviews).
 */
export function rbacFor(namespace: string): KubernetesObject[] {
  return readManifests('rbac', namespace).map((o) =>
    o.kind === 'ClusterRoleBinding'
      ? { ...o, metadata: { ...o.metadata, name: `kubernaut-intake-${namespace}` } }
      : o,
  );
}

/** The kubeconfig the replicas of `namespace` run with: their own ServiceAccount's token. */
export async function operatorKubeconfig(
  kc: KubeConfig,
  info: ControlPlaneInfo,
  namespace: string,
  dir: string,
): Promise<string> {
  if (!AUTH_ENABLED) return info.kubeconfigPath;
  await applyObjects(kc, rbacFor(namespace));
  const token = await serviceAccountToken(kc, namespace, 'kubernaut-intake');
  const path = join(dir, `intake-${namespace}.kubeconfig`);
  writeTokenKubeconfig(path, { server: info.server, caCertPath: info.caCertPath }, 'kubernaut-intake', token);
  return path;
}
