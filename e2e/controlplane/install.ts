// Installs the project's manifests (crds/, rbac/) into a cluster by server-side apply and waits
// until the CRDs are established. Used by `make run` and the integration test setup.
import { ApiextensionsV1Api, KubernetesObjectApi, PatchStrategy, loadAllYaml } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEFAULT_NAMESPACE = 'kubernaut-system';

/**
 * Reads every YAML document in a folder, with the default namespace replaced by `namespace`.
 * loadAllYaml turns them into client-node's typed models: KubernetesObjectApi serializes
 * through those models, and a plain parsed object would silently lose keys such as `enum`
 * and `x-kubernetes-validations`.
 */
export function readManifests(folder: string, namespace = DEFAULT_NAMESPACE): KubernetesObject[] {
  const dir = join(REPO_ROOT, folder);
  if (!existsSync(dir)) return [];
  const objects: KubernetesObject[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const text = readFileSync(join(dir, file), 'utf8').replaceAll(DEFAULT_NAMESPACE, namespace);
    for (const obj of loadAllYaml(text) as (KubernetesObject | null)[]) {
      if (obj?.kind) objects.push(obj);
    }
  }
  return objects;
}

export async function applyObjects(kc: KubeConfig, objects: KubernetesObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const obj of objects) {
    await api.patch(obj, undefined, undefined, 'kubernaut-install', true, PatchStrategy.ServerSideApply);
  }
}

export async function waitForCrdsEstablished(
  kc: KubeConfig,
  names: string[],
  timeoutMs = 30_000,
): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await api.readCustomResourceDefinition({ name });
      const established = crd.status?.conditions?.some(
        (c) => c.type === 'Established' && c.status === 'True',
      );
      if (established) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not established after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Applies crds/ (then waits for them) and, when given a namespace, rbac/ into it. */
export async function installManifests(kc: KubeConfig, namespace?: string): Promise<void> {
  const crds = readManifests('crds');
  await applyObjects(kc, crds);
  await waitForCrdsEstablished(
    kc,
    crds.map((c) => c.metadata?.name ?? ''),
  );
  if (namespace) {
    await applyObjects(kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }]);
    await applyObjects(kc, readManifests('rbac', namespace));
  }
}
