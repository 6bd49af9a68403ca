// The RemediationRequest CRD's promises, proven on a real kube-apiserver: immutable spec,
// optimistic status writes, the fingerprint field selector, validation and printer columns.
import { createHash } from 'node:crypto';
import { API_VERSION, KIND } from '../operator/api/types.ts';
import type { RemediationRequest } from '../operator/api/types.ts';
import type { KubeClient } from '../operator/kube/client.ts';
import { classifyKubeError } from '../operator/kube/errors.ts';
import type { KubeError } from '../operator/kube/errors.ts';
import { clientNodeConfig } from '../e2e/controlplane/clientNode.ts';
import { adminClient, adminRawGet, controlPlaneInfo, freshNamespace } from '../test/support/cluster.ts';

const fp = (s: string) => createHash('sha256').update(s).digest('hex');

function rr(namespace: string, fingerprint: string, name?: string): RemediationRequest {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: name ?? `rr-${fingerprint.slice(0, 12)}-a`, namespace },
    spec: {
      signalFingerprint: fingerprint,
      signalName: 'KubePodCrashLooping',
      severity: 'critical',
      environment: 'production',
      priority: 'P0',
      signalType: 'prometheus-alert',
      signalSource: 'alertmanager',
      targetResource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'shop' },
      clusterID: 'test',
      firingTime: '2026-11-26T10:00:00Z',
      receivedTime: '2026-11-26T10:00:01Z',
      signalLabels: { alertname: 'KubePodCrashLooping' },
    },
  };
}

async function rejection(p: Promise<unknown>): Promise<KubeError> {
  let accepted: unknown;
  try {
    accepted = await p;
  } catch (err) {
    return classifyKubeError(err);
  }
  throw new Error(`expected the API server to reject the request, got ${JSON.stringify(accepted)}`);
}

describe('RemediationRequest CRD on a real API server', () => {
  let kube: KubeClient;
  let ns: string;

  beforeAll(async () => {
    kube = adminClient();
    ns = await freshNamespace('crd');
  });

  it('rejects any change to the spec after creation', async () => {
    const created = await kube.createRR(rr(ns, fp('immutable')));
    const custom = (await import('@kubernetes/client-node')).CustomObjectsApi;
    const api = clientNodeConfig(controlPlaneInfo().kubeconfigPath).makeApiClient(custom);
    const changed = { ...created, spec: { ...created.spec, severity: 'warning' } };
    const err = await rejection(
      api.replaceNamespacedCustomObject({
        group: 'kubernaut.ai',
        version: 'v1alpha1',
        plural: 'remediationrequests',
        namespace: ns,
        name: created.metadata.name,
        body: changed,
      }),
    );
    expect(err.kind).toBe('invalid');
    expect(err.message).toContain('spec is immutable');
  });

  it('rejects a status write with a stale resourceVersion as a conflict', async () => {
    const created = await kube.createRR(rr(ns, fp('stale')));
    const staleRv = created.metadata.resourceVersion;
    await kube.patchRRStatus(ns, created.metadata.name, { overallPhase: 'Pending' }, staleRv);
    const err = await rejection(
      kube.patchRRStatus(ns, created.metadata.name, { overallPhase: 'Processing' }, staleRv),
    );
    expect(err.kind).toBe('conflict');
    expect(err.code).toBe(409);
    const current = await kube.getRR(ns, created.metadata.name);
    expect(current.status?.overallPhase).toBe('Pending');
  });

  it('tells AlreadyExists apart from Conflict', async () => {
    const obj = rr(ns, fp('twice'));
    await kube.createRR(obj);
    const err = await rejection(kube.createRR(obj));
    expect(err.kind).toBe('alreadyExists');
    expect(err.code).toBe(409);
  });

  it('selects by spec.signalFingerprint', async () => {
    const wanted = fp('selected');
    await kube.createRR(rr(ns, wanted));
    await kube.createRR(rr(ns, fp('other')));
    const list = await kube.listRRs(ns, { fieldSelector: `spec.signalFingerprint=${wanted}` });
    expect(list.items.map((i) => i.spec.signalFingerprint)).toEqual([wanted]);
  });

  it.each([
    [
      'an upper-case fingerprint',
      (o: RemediationRequest) => (o.spec.signalFingerprint = fp('x').toUpperCase()),
    ],
    ['a short fingerprint', (o: RemediationRequest) => (o.spec.signalFingerprint = 'abc123')],
    ['an unknown priority', (o: RemediationRequest) => ((o.spec as { priority: string }).priority = 'P9')],
    [
      'an unknown signal type',
      (o: RemediationRequest) => ((o.spec as { signalType: string }).signalType = 'email'),
    ],
    [
      'a target without a name',
      (o: RemediationRequest) => (o.spec.targetResource = { kind: 'Pod', name: '' }),
    ],
  ])('rejects %s', async (_what, mutate) => {
    const obj = rr(ns, fp(`invalid-${_what}`));
    mutate(obj);
    const err = await rejection(kube.createRR(obj));
    expect(err.kind).toBe('invalid');
    const list = await kube.listRRs(ns, { fieldSelector: `metadata.name=${obj.metadata.name}` });
    expect(list.items).toHaveLength(0);
  });

  it('serves the printer columns kubectl shows', async () => {
    const created = await kube.createRR(rr(ns, fp('table')));
    await kube.patchRRStatus(ns, created.metadata.name, {
      overallPhase: 'Pending',
      deduplication: { occurrenceCount: 3 },
      stormAggregation: { stormId: 'storm-1' },
    });
    const res = await adminRawGet(
      `/apis/kubernaut.ai/v1alpha1/namespaces/${ns}/remediationrequests/${created.metadata.name}`,
      'application/json;as=Table;v=v1;g=meta.k8s.io',
    );
    expect(res.status).toBe(200);
    const table = JSON.parse(res.body) as {
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[] }[];
    };
    const names = table.columnDefinitions.map((c) => c.name);
    for (const col of ['Phase', 'Signal', 'Severity', 'Priority', 'Occurrences', 'Storm', 'Age']) {
      expect(names).toContain(col);
    }
    const cells = Object.fromEntries(names.map((n, i) => [n, table.rows[0]?.cells[i]]));
    expect(cells).toMatchObject({ Phase: 'Pending', Occurrences: 3, Storm: 'storm-1', Priority: 'P0' });
  });
});
