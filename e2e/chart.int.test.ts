// The Helm chart and rbac/ installed into a real kube-apiserver: every object is accepted, and
// the operator's ServiceAccount gets exactly the rights it needs, no more (SubjectAccessReviews).
// Owns its control plane: the chart's cluster-scoped names would collide with other tests'.
import { AuthorizationV1Api } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalControlPlane } from './controlplane/controlPlane.ts';
import { bindClusterRole, serviceAccountToken } from './controlplane/identities.ts';
import { REPO_ROOT, installManifests } from './controlplane/install.ts';
import { loadKubeConfig } from '../operator/kube/kubeconfig.ts';
import type { PooledKubeConfig } from '../operator/kube/kubeconfig.ts';

type Check = [verb: string, group: string, resource: string, namespaced: boolean, subresource?: string];

/** The operator's rights, as rbac/ and the chart promise them. */
const GRANTED: Check[] = [
  // patch: the storm controller's `kubernaut.ai/storm` label (specs stay immutable by CEL).
  ...['get', 'list', 'watch', 'create', 'delete', 'patch'].map((v): Check => [
    v,
    'kubernaut.ai',
    'remediationrequests',
    true,
  ]),
  ...['get', 'patch', 'update'].map((v): Check => [v, 'kubernaut.ai', 'remediationrequests', true, 'status']),
  ...['get', 'list', 'watch', 'create', 'update', 'delete'].map((v): Check => [
    v,
    'coordination.k8s.io',
    'leases',
    true,
  ]),
  ['create', 'events.k8s.io', 'events', true],
  ['create', '', 'events', true],
  ['get', '', 'pods', false],
  ['get', 'apps', 'deployments', false],
  ['get', 'apps', 'replicasets', false],
  ['get', 'batch', 'cronjobs', false],
  ['watch', '', 'namespaces', false],
  ['create', 'authentication.k8s.io', 'tokenreviews', false],
  ['create', 'authorization.k8s.io', 'subjectaccessreviews', false],
];
const DENIED: Check[] = [
  ['update', 'kubernaut.ai', 'remediationrequests', true],
  ['deletecollection', 'kubernaut.ai', 'remediationrequests', true],
  ['patch', 'coordination.k8s.io', 'leases', true],
  ['list', '', 'pods', false],
  ['get', '', 'secrets', true],
  ['create', 'kubernaut.ai', 'signals', true],
];

describe('Helm chart and rbac/ on a real API server', () => {
  const cp = new LocalControlPlane();
  let kc: PooledKubeConfig;
  let helm: (...args: string[]) => string;

  beforeAll(async () => {
    const info = await cp.start();
    kc = loadKubeConfig({ kubeconfigPath: info.kubeconfigPath });
    const binary = execFileSync('bash', [join(REPO_ROOT, 'e2e/controlplane/build-helm.sh')], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop()!;
    const home = mkdtempSync(join(tmpdir(), 'helm-'));
    const env = {
      ...process.env,
      KUBECONFIG: info.kubeconfigPath,
      HELM_CACHE_HOME: home,
      HELM_CONFIG_HOME: home,
      HELM_DATA_HOME: home,
    };
    helm = (...args) => execFileSync(binary, args, { env, encoding: 'utf8' });
  });
  afterAll(() => cp.stop());

  async function allowed(user: string, [verb, group, resource, namespaced, subresource]: Check, ns: string) {
    const sar = await kc.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
      body: {
        spec: {
          user,
          resourceAttributes: { verb, group, resource, subresource, namespace: namespaced ? ns : undefined },
        },
      },
    });
    return sar.status?.allowed === true;
  }

  async function rights(user: string, ns: string) {
    const describe = (c: Check) => `${c[0]} ${c[2]}${c[4] ? `/${c[4]}` : ''}`;
    const granted = [];
    for (const c of [...GRANTED, ...DENIED]) if (await allowed(user, c, ns)) granted.push(describe(c));
    return granted;
  }
  const expected = GRANTED.map((c) => `${c[0]} ${c[2]}${c[4] ? `/${c[4]}` : ''}`);

  it('installs with its CRD, grants the operator exactly its rights, and lets the configured sender send', async () => {
    helm(
      'install',
      'chart',
      join(REPO_ROOT, 'charts/kubernaut-intake'),
      '-n',
      'chart-test',
      '--create-namespace',
      '--set',
      'signalSource.subjects[0].kind=ServiceAccount',
      '--set',
      'signalSource.subjects[0].name=alertmanager-main',
      '--set',
      'signalSource.subjects[0].namespace=monitoring',
    );
    const kinds = helm('get', 'manifest', 'chart', '-n', 'chart-test').match(/^kind: \w+/gm) ?? [];
    expect(new Set(kinds)).toEqual(
      new Set([
        'kind: ServiceAccount',
        'kind: ConfigMap',
        'kind: ClusterRole',
        'kind: ClusterRoleBinding',
        'kind: Role',
        'kind: RoleBinding',
        'kind: Service',
        'kind: Deployment',
        'kind: PodDisruptionBudget',
      ]),
    );
    expect(helm('get', 'manifest', 'chart', '-n', 'chart-test')).toContain('--max-semi-space-size=2');
    expect(await rights('system:serviceaccount:chart-test:chart-kubernaut-intake', 'chart-test')).toEqual(
      expected,
    );
    const sender = 'system:serviceaccount:monitoring:alertmanager-main';
    expect(await allowed(sender, ['create', 'kubernaut.ai', 'signals', true], 'chart-test')).toBe(true);
    expect(await allowed(sender, ['create', 'kubernaut.ai', 'remediationrequests', true], 'chart-test')).toBe(
      false,
    );
    helm(
      'upgrade',
      'chart',
      join(REPO_ROOT, 'charts/kubernaut-intake'),
      '-n',
      'chart-test',
      '--reuse-values',
      '--set',
      'replicaCount=3',
    );
    helm('uninstall', 'chart', '-n', 'chart-test');
  });

  it('rbac/ grants the same rights as the chart', async () => {
    await installManifests(kc, 'rbac-test');
    expect(await rights('system:serviceaccount:rbac-test:kubernaut-intake', 'rbac-test')).toEqual(expected);
    await serviceAccountToken(kc, 'monitoring', 'am-rbac');
    await bindClusterRole(kc, 'kubernaut-signal-source', 'monitoring', 'am-rbac');
    expect(
      await allowed(
        'system:serviceaccount:monitoring:am-rbac',
        ['create', 'kubernaut.ai', 'signals', true],
        'rbac-test',
      ),
    ).toBe(true);
  });
});
