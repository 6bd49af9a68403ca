// The Helm chart and rbac/ installed into a real kube-apiserver: every object is accepted, and
// the operator's ServiceAccount gets exactly the rights it needs, no more (SubjectAccessReviews);
// a helm upgrade changes what the values say and nothing of the rights; the rendered chart with
// every optional object on (PrometheusRule, ServiceMonitor, dashboard, NetworkPolicy when the
// chart has it) is accepted by server-side apply and kept field for field.
// Owns its control plane: the chart's cluster-scoped names would collide with other tests'.
import type { KubeConfig } from '@kubernetes/client-node';
import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  PolicyV1Api,
  loadAllYaml,
} from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { LocalControlPlane } from './controlplane/controlPlane.ts';
import { CHART_DIR, helmCli } from './controlplane/helm.ts';
import type { Helm } from './controlplane/helm.ts';
import { bindClusterRole, serviceAccountToken } from './controlplane/identities.ts';
import { REPO_ROOT, applyObjects, installManifests, waitForCrdsEstablished } from './controlplane/install.ts';
import { missingFields } from './controlplane/subset.ts';
import { clientNodeConfig } from './controlplane/clientNode.ts';

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
  let kc: KubeConfig;
  let helm: Helm;

  beforeAll(async () => {
    const info = await cp.start();
    kc = clientNodeConfig(info.kubeconfigPath);
    helm = helmCli(info.kubeconfigPath);
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
      CHART_DIR,
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
    helm('upgrade', 'chart', CHART_DIR, '-n', 'chart-test', '--reuse-values', '--set', 'replicaCount=3');
    helm('uninstall', 'chart', '-n', 'chart-test');
  });

  it('upgrades: the Deployment and the configuration change as the values say, the rights stay exact', async () => {
    const ns = 'upgrade-test';
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    helm('install', 'up', CHART_DIR, '-n', ns, '--create-namespace');
    const before = await apps.readNamespacedDeployment({ name: 'up-kubernaut-intake', namespace: ns });
    helm(
      'upgrade',
      'up',
      CHART_DIR,
      '-n',
      ns,
      '--reuse-values',
      '--set',
      'replicaCount=3',
      '--set',
      'config.intake.port=18080',
      '--set',
      'config.metrics.port=19090',
      '--set',
      'config.storm.quietSeconds=90',
      '--set',
      'podDisruptionBudget.unhealthyPodEvictionPolicy=IfHealthyBudget',
      '--set',
      'image.tag=0.1.1',
    );
    const after = await apps.readNamespacedDeployment({ name: 'up-kubernaut-intake', namespace: ns });
    expect(after.spec?.replicas).toBe(3);
    expect(after.metadata?.generation).toBeGreaterThan(before.metadata?.generation ?? 0);
    const container = after.spec!.template.spec!.containers[0]!;
    expect(container.image).toBe('ghcr.io/kubernaut/kubernaut-intake:0.1.1');
    expect(Object.fromEntries((container.ports ?? []).map((p) => [p.name, p.containerPort]))).toEqual({
      intake: 18080,
      health: 8081,
      metrics: 19090,
    });
    // The selector is immutable: an upgrade must never change it.
    expect(after.spec?.selector).toEqual(before.spec?.selector);
    expect(after.spec?.template.metadata?.labels?.['app.kubernetes.io/version']).toBe('0.1.1');
    const checksum = (d: typeof after) => d.spec?.template.metadata?.annotations?.['checksum/config'];
    expect(checksum(after)).not.toBe(checksum(before));

    const cm = await core.readNamespacedConfigMap({ name: 'up-kubernaut-intake', namespace: ns });
    const config = parse(cm.data?.['config.yaml'] ?? '') as {
      intake: { port: number };
      metrics: { port: number };
      storm: { quietSeconds: number };
    };
    expect([config.intake.port, config.metrics.port, config.storm.quietSeconds]).toEqual([18080, 19090, 90]);
    const pdb = await kc
      .makeApiClient(PolicyV1Api)
      .readNamespacedPodDisruptionBudget({ name: 'up-kubernaut-intake', namespace: ns });
    expect(pdb.spec?.unhealthyPodEvictionPolicy).toBe('IfHealthyBudget');

    expect(await rights('system:serviceaccount:upgrade-test:up-kubernaut-intake', ns)).toEqual(expected);
    helm('uninstall', 'up', '-n', ns);
  });

  it('the rendered chart with every optional object on is accepted by server-side apply, field for field', async () => {
    const ns = 'apply-test';
    // Test fixture: minimal monitoring.coreos.com CRDs (the Prometheus Operator's are not
    // available offline); the objects' contents are checked against what was sent.
    // loadAllYaml, not a plain parse: the typed CRD model would drop x-kubernetes-* keys of a plain object.
    const fixtures = (
      loadAllYaml(
        readFileSync(join(REPO_ROOT, 'e2e/fixtures/monitoring-crds.yaml'), 'utf8'),
      ) as KubernetesObject[]
    ).filter((o) => o?.kind);
    await applyObjects(kc, fixtures);
    await waitForCrdsEstablished(
      kc,
      fixtures.map((c) => c.metadata?.name ?? ''),
    );
    await applyObjects(kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]);

    const withNetworkPolicy = existsSync(join(CHART_DIR, 'templates/networkpolicy.yaml'));
    const set = [
      'prometheusRule.enabled=true',
      'grafanaDashboard.enabled=true',
      'serviceMonitor.enabled=true',
      'serviceMonitor.relabelings[0].targetLabel=cluster',
      'serviceMonitor.relabelings[0].replacement=test',
      'signalSource.subjects[0].kind=ServiceAccount',
      'signalSource.subjects[0].name=alertmanager-main',
      'signalSource.subjects[0].namespace=monitoring',
      ...(withNetworkPolicy ? ['networkPolicy.enabled=true'] : []),
    ];
    const rendered = helm('template', 'ssa', CHART_DIR, '-n', ns, ...set.flatMap((v) => ['--set', v]));
    const objects = parseAllDocuments(rendered)
      .map((d) => d.toJSON() as KubernetesObject | null)
      .filter((o): o is KubernetesObject => Boolean(o?.kind));
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of ['PrometheusRule', 'ServiceMonitor', 'ConfigMap', 'Deployment', 'PodDisruptionBudget'])
      expect(kinds).toContain(kind);
    if (withNetworkPolicy) expect(kinds).toContain('NetworkPolicy');

    const api = KubernetesObjectApi.makeApiClient(kc);
    try {
      for (const obj of objects) {
        // PATCH application/apply-patch+yaml, as `kubectl apply --server-side` sends it.
        const got = await api.patch(
          obj,
          undefined,
          undefined,
          'chart-test',
          true,
          PatchStrategy.ServerSideApply,
        );
        const stored = await api.read({
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          metadata: { name: obj.metadata!.name!, namespace: got.metadata?.namespace },
        });
        expect({ object: `${obj.kind}/${obj.metadata?.name}`, missing: missingFields(obj, stored) }).toEqual({
          object: `${obj.kind}/${obj.metadata?.name}`,
          missing: [],
        });
      }
    } finally {
      for (const obj of objects.reverse()) await api.delete(obj).catch(() => undefined);
    }
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
