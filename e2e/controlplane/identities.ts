// Restricted identities for tests and `make run`: ServiceAccounts with tokens from the
// TokenRequest API (works without a controller-manager), optionally bound to a ClusterRole.
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { classifyKubeError } from '../../operator/kube/errors.ts';

async function ignoreAlreadyExists(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (classifyKubeError(err).kind !== 'alreadyExists') throw err;
  }
}

export async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  await ignoreAlreadyExists(kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } }));
}

/** The audience the intake accepts by default (config intake.auth.audience). */
export const INTAKE_AUDIENCE = 'kubernaut-intake';

/**
 * Creates the ServiceAccount if needed and returns a fresh token for it: for the API server
 * when `audiences` is empty, else bound to those audiences (the API server then refuses it).
 */
export async function serviceAccountToken(
  kc: KubeConfig,
  namespace: string,
  name: string,
  expirationSeconds = 24 * 3600,
  audiences: string[] = [],
): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  await ensureNamespace(kc, namespace);
  await ignoreAlreadyExists(core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } }));
  const tr = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences, expirationSeconds } },
  });
  const token = tr.status?.token;
  if (!token) throw new Error(`no token issued for ${namespace}/${name}`);
  return token;
}

/** A token a signal sender presents to the intake: bound to the intake's audience. */
export function intakeToken(kc: KubeConfig, namespace: string, name: string, audience = INTAKE_AUDIENCE) {
  return serviceAccountToken(kc, namespace, name, 24 * 3600, [audience]);
}

/** Binds a ServiceAccount to a ClusterRole cluster-wide. */
export async function bindClusterRole(
  kc: KubeConfig,
  clusterRole: string,
  namespace: string,
  serviceAccount: string,
): Promise<void> {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const name = `${clusterRole}--${namespace}--${serviceAccount}`.slice(0, 253);
  await ignoreAlreadyExists(
    rbac.createClusterRoleBinding({
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
        subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
      },
    }),
  );
}
