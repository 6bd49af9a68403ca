// `make manifests` (dist/install.yaml: the chart rendered by helm template, Namespace and CRD
// included) applied server-side to a real API server, as docs/install.md tells users to: every
// object is accepted and stored, the CRD is established, and applying again changes nothing.
// Owns its control plane: the chart's cluster-scoped names would collide with other tests'.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubernetesObjectApi, loadAllYaml } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { request } from 'node:https';
import type { RequestOptions } from 'node:https';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalControlPlane } from './controlplane/controlPlane.ts';
import { REPO_ROOT, applyObjects, waitForCrdsEstablished } from './controlplane/install.ts';
import { clientNodeConfig } from './controlplane/clientNode.ts';
import { eventually } from '../test/support/cluster.ts';

const NAMESPACE = 'plain-install';

describe('make manifests on a real API server', () => {
  const cp = new LocalControlPlane();
  let kc: KubeConfig;
  let objects: KubernetesObject[];

  beforeAll(async () => {
    kc = clientNodeConfig((await cp.start()).kubeconfigPath);
    const out = join(mkdtempSync(join(tmpdir(), 'manifests-')), 'install.yaml');
    execFileSync(
      'make',
      [
        '-s',
        'manifests',
        `MANIFEST_OUT=${out}`,
        `MANIFEST_NAMESPACE=${NAMESPACE}`,
        'MANIFEST_FLAGS=--set signalSource.subjects[0].name=alertmanager --set signalSource.subjects[0].namespace=monitoring',
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    objects = (loadAllYaml(readFileSync(out, 'utf8')) as (KubernetesObject | null)[]).filter(
      (o): o is KubernetesObject => Boolean(o?.kind),
    );
  });
  afterAll(() => cp.stop());

  it('renders the Namespace and the CRD first, then the chart, all in the chosen namespace', () => {
    expect(objects.slice(0, 2).map((o) => o.kind)).toEqual(['Namespace', 'CustomResourceDefinition']);
    expect(new Set(objects.map((o) => o.kind))).toEqual(
      new Set([
        'Namespace',
        'CustomResourceDefinition',
        'ServiceAccount',
        'ConfigMap',
        'ClusterRole',
        'ClusterRoleBinding',
        'Role',
        'RoleBinding',
        'Service',
        'Deployment',
        'PodDisruptionBudget',
      ]),
    );
    const crd = readFileSync(join(REPO_ROOT, 'crds/remediationrequest.yaml'), 'utf8');
    expect(loadAllYaml(crd)[0]).toEqual(objects[1]);
    const clusterScoped = ['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'];
    const misplaced = objects
      .filter((o) => (o.metadata?.namespace === NAMESPACE) === clusterScoped.includes(o.kind!))
      .map((o) => `${o.kind}/${o.metadata?.name} in ${o.metadata?.namespace ?? '(none)'}`);
    expect(misplaced).toEqual([]);
  });

  it('applies server-side as the docs say, every object stored, and re-applies without change', async () => {
    await applyObjects(kc, objects);
    await waitForCrdsEstablished(kc, ['remediationrequests.kubernaut.ai']);
    const api = KubernetesObjectApi.makeApiClient(kc);
    const read = (o: KubernetesObject) =>
      api.read({
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: { name: o.metadata!.name!, namespace: o.metadata?.namespace },
      });
    const stored = [];
    for (const o of objects) stored.push(await read(o));
    expect(stored.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(
      objects.map((o) => `${o.kind}/${o.metadata?.name}`),
    );
    // resourceVersions stay put when an apply changes nothing. The Namespace is left out: the
    // API server updates a fresh Namespace by itself (seen here between the two applies).
    const chart = (list: KubernetesObject[]) =>
      list.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata?.resourceVersion);
    const versions = chart(stored);
    await applyObjects(kc, objects);
    const again = [];
    for (const o of objects) again.push(await read(o));
    expect(chart(again)).toEqual(versions);
  });

  it('publishes the field descriptions kubectl explain shows (OpenAPI v3 of the API server)', async () => {
    type Node = { description?: string; properties?: Record<string, Node> };
    // The API server publishes a new CRD's OpenAPI v3 asynchronously after it is established.
    const doc = await eventually(
      'the CRD group in the API server OpenAPI v3 document',
      async () =>
        JSON.parse(await get('/openapi/v3/apis/kubernaut.ai/v1alpha1')) as {
          components: { schemas: Record<string, Node> };
        },
      60_000,
      500,
    );
    const rr = doc.components.schemas['ai.kubernaut.v1alpha1.RemediationRequest']!;
    const spec = rr.properties!.spec!;
    const status = rr.properties!.status!;
    expect(spec.properties!.signalFingerprint!.description).toContain('SHA-256');
    expect(status.properties!.deduplication!.properties!.occurrenceCount!.description).toContain(
      'redelivery',
    );
    const blank = [...Object.entries(spec.properties!), ...Object.entries(status.properties!)].filter(
      ([, v]) => !v.description,
    );
    expect(blank.map(([k]) => k)).toEqual([]);
  });

  async function get(path: string): Promise<string> {
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const url = new URL(kc.getCurrentCluster()!.server + path);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { ...opts, headers: { ...opts.headers, accept: 'application/json' } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(body)
              : reject(new Error(`GET ${path}: ${res.statusCode} ${body}`)),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
  }
});
