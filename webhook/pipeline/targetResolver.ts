// Resolves a signal's target to its top-level controller owner (Pod -> ReplicaSet -> Deployment,
// Pod -> StatefulSet/DaemonSet/Job -> CronJob), so that every alert about one workload gets one
// fingerprint. When the chain cannot be read (object gone, no rights) the target stays as it is;
// when the API server cannot be reached the signal fails (503) rather than get a wrong fingerprint.
import type { V1OwnerReference } from '../../operator/kube/types.ts';
import type { TargetResource } from '../../operator/api/types.ts';
import type { KubeClient, OwnedKind } from '../../operator/kube/client.ts';
import { KubeError } from '../../operator/kube/errors.ts';
import { TtlCache } from './ttlCache.ts';

const FOLLOWED: ReadonlySet<string> = new Set<OwnedKind>(['Pod', 'ReplicaSet', 'Job']);
const MAX_DEPTH = 4;

export class TargetResolver {
  private readonly kube: KubeClient;
  private readonly owners: TtlCache<V1OwnerReference | null>;

  constructor(kube: KubeClient, ttlMs = 5 * 60_000) {
    this.kube = kube;
    this.owners = new TtlCache(ttlMs);
  }

  async resolve(target: TargetResource): Promise<TargetResource> {
    let current = target;
    for (let depth = 0; depth < MAX_DEPTH && current.namespace && FOLLOWED.has(current.kind); depth++) {
      const owner = await this.controllerOf(current.kind as OwnedKind, current.namespace, current.name);
      if (!owner) break;
      current = {
        apiVersion: owner.apiVersion,
        kind: owner.kind,
        name: owner.name,
        namespace: current.namespace,
      };
    }
    return current;
  }

  private controllerOf(kind: OwnedKind, namespace: string, name: string): Promise<V1OwnerReference | null> {
    return this.owners.get(`${kind}/${namespace}/${name}`, async () => {
      try {
        const meta = await this.kube.readOwnedMeta(kind, namespace, name);
        return meta.ownerReferences?.find((r) => r.controller) ?? null;
      } catch (err) {
        if (err instanceof KubeError && (err.kind === 'notFound' || err.kind === 'forbidden')) return null;
        throw err;
      }
    });
  }
}
