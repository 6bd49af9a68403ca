// The thin API client against the real kube-apiserver, with each kind of identity it supports:
// the admin's client certificate (inline -data and as files named relative to the kubeconfig)
// and a ServiceAccount's bearer token from the TokenRequest API (inline and as a tokenFile).
// Each one creates RemediationRequests, patches their status and watches them.
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { serviceAccountToken } from '../../e2e/controlplane/identities.ts';
import { writeTokenKubeconfig } from '../../e2e/controlplane/kubeconfig.ts';
import { adminKubeConfig, controlPlaneInfo, eventually, freshNamespace } from '../../test/support/cluster.ts';
import { fixtureRR } from '../storm/testFixtures.ts';
import { KubeClient, rrCollectionPath } from './client.ts';
import { loadKubeConfig } from './kubeconfig.ts';

type Doc = { users: { user: Record<string, string> }[]; clusters: { cluster: Record<string, string> }[] };

/** The admin kubeconfig rewritten to name its CA, certificate and key as files beside it. */
function adminWithFiles(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kc-files-'));
  const doc = parse(readFileSync(controlPlaneInfo().kubeconfigPath, 'utf8')) as Doc;
  const user = doc.users[0]!.user;
  const cluster = doc.clusters[0]!.cluster;
  const files: [Record<string, string>, string, string][] = [
    [user, 'client-certificate', 'admin.crt'],
    [user, 'client-key', 'admin.key'],
    [cluster, 'certificate-authority', 'ca.crt'],
  ];
  for (const [section, field, file] of files) {
    writeFileSync(join(dir, file), Buffer.from(section[`${field}-data`]!, 'base64'));
    delete section[`${field}-data`];
    section[field] = file; // relative: resolved against the kubeconfig's directory
  }
  writeFileSync(join(dir, 'kubeconfig'), stringify(doc));
  return join(dir, 'kubeconfig');
}

async function watcherToken(ns: string): Promise<string> {
  const admin = adminKubeConfig();
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  const rules = [
    {
      apiGroups: ['kubernaut.ai'],
      resources: ['remediationrequests', 'remediationrequests/status'],
      verbs: ['*'],
    },
  ];
  await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'rr-writer' }, rules } });
  await rbac.createNamespacedRoleBinding({
    namespace: ns,
    body: {
      metadata: { name: 'rr-writer' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'rr-writer' },
      subjects: [{ kind: 'ServiceAccount', name: 'rr-writer', namespace: ns }],
    },
  });
  return serviceAccountToken(admin, ns, 'rr-writer', 3600);
}

/** Creates, watches and patches RRs as one identity; returns what the watch saw. */
async function exercise(kube: KubeClient, ns: string, tag: string): Promise<void> {
  const first = await kube.createRR(fixtureRR({ namespace: ns, pod: `${tag}-1` }));
  const list = await kube.listRRs(ns);
  expect(list.items.map((rr) => rr.metadata.name)).toContain(first.metadata.name);
  const seen: string[] = [];
  const ends: unknown[] = [];
  const controller = await kube.watch(
    rrCollectionPath(ns),
    { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 30 },
    (type, obj) => {
      const rr = obj as { metadata: { name: string }; status?: { overallPhase?: string } };
      if (type !== 'BOOKMARK') seen.push(`${type} ${rr.metadata.name} ${rr.status?.overallPhase ?? '-'}`);
    },
    (err) => ends.push(err),
  );
  const second = await kube.createRR(fixtureRR({ namespace: ns, pod: `${tag}-2` }));
  const patched = await kube.patchRRStatus(
    ns,
    second.metadata.name,
    { overallPhase: 'Pending' },
    second.metadata.resourceVersion,
  );
  expect(patched.status?.overallPhase).toBe('Pending');
  await expect(
    kube.patchRRStatus(
      ns,
      second.metadata.name,
      { overallPhase: 'Processing' },
      second.metadata.resourceVersion,
    ),
  ).rejects.toMatchObject({ kind: 'conflict', code: 409 });
  await eventually('watch events', async () => (seen.length >= 2 ? true : undefined));
  expect(seen).toEqual([`ADDED ${second.metadata.name} -`, `MODIFIED ${second.metadata.name} Pending`]);
  controller.abort();
  await eventually('watch end', async () => (ends.length > 0 ? true : undefined));
  await new Promise((r) => setTimeout(r, 50));
  expect(ends).toHaveLength(1);
  await kube.deleteRR(ns, first.metadata.name);
  await expect(kube.getRR(ns, first.metadata.name)).rejects.toMatchObject({ kind: 'notFound', code: 404 });
}

describe('KubeClient against the real API server', () => {
  it('works with the admin client certificate, inline and as relative files', async () => {
    const ns = await freshNamespace('thin-cert');
    await exercise(
      new KubeClient(loadKubeConfig({ kubeconfigPath: controlPlaneInfo().kubeconfigPath })),
      ns,
      'data',
    );
    await exercise(new KubeClient(loadKubeConfig({ kubeconfigPath: adminWithFiles() })), ns, 'files');
  });

  it('works with a ServiceAccount bearer token, inline and from a tokenFile, and maps 401 and 403', async () => {
    const ns = await freshNamespace('thin-token');
    const token = await watcherToken(ns);
    const info = controlPlaneInfo();
    const dir = mkdtempSync(join(tmpdir(), 'kc-token-'));
    const inline = join(dir, 'inline.kubeconfig');
    writeTokenKubeconfig(inline, info, 'rr-writer', token);
    await exercise(new KubeClient(loadKubeConfig({ kubeconfigPath: inline })), ns, 'token');

    writeFileSync(join(dir, 'token'), token);
    const fromFile = join(dir, 'file.kubeconfig');
    writeFileSync(fromFile, readFileSync(inline, 'utf8').replace(/token: .*/, 'tokenFile: token'));
    const kube = new KubeClient(loadKubeConfig({ kubeconfigPath: fromFile }));
    await exercise(kube, ns, 'tokenfile');

    // The ServiceAccount may write RRs in its namespace only.
    await expect(kube.listRRs('default')).rejects.toMatchObject({ kind: 'forbidden', code: 403 });
    const bad = join(dir, 'bad.kubeconfig');
    writeTokenKubeconfig(bad, info, 'nobody', 'not-a-token');
    await expect(new KubeClient(loadKubeConfig({ kubeconfigPath: bad })).listRRs(ns)).rejects.toMatchObject({
      kind: 'unauthorized',
      code: 401,
    });
  });
});
