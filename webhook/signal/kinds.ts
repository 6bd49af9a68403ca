// The built-in kinds the adapters name as targets, and their scope. Both adapters shape targets
// the same way through `scopeTarget`, so one object gets one fingerprint whether it was
// reported by an alert or by an Event.
import type { TargetResource } from '../../operator/api/types.ts';

export interface KindInfo {
  apiVersion: string;
  namespaced: boolean;
}

export const KNOWN_KINDS: Readonly<Record<string, KindInfo>> = {
  Pod: { apiVersion: 'v1', namespaced: true },
  Service: { apiVersion: 'v1', namespaced: true },
  PersistentVolumeClaim: { apiVersion: 'v1', namespaced: true },
  Node: { apiVersion: 'v1', namespaced: false },
  Namespace: { apiVersion: 'v1', namespaced: false },
  PersistentVolume: { apiVersion: 'v1', namespaced: false },
  Deployment: { apiVersion: 'apps/v1', namespaced: true },
  StatefulSet: { apiVersion: 'apps/v1', namespaced: true },
  DaemonSet: { apiVersion: 'apps/v1', namespaced: true },
  ReplicaSet: { apiVersion: 'apps/v1', namespaced: true },
  Job: { apiVersion: 'batch/v1', namespaced: true },
  CronJob: { apiVersion: 'batch/v1', namespaced: true },
};

export function kindInfo(kind: string): KindInfo | undefined {
  return Object.hasOwn(KNOWN_KINDS, kind) ? KNOWN_KINDS[kind] : undefined;
}

/**
 * Fills a missing apiVersion of a built-in kind and settles the namespace: cluster-scoped
 * objects carry none, except a Namespace, which carries itself so that its fingerprint and
 * storm grouping stay per namespace. Unknown kinds (custom resources) are taken as given.
 */
export function scopeTarget(target: TargetResource): TargetResource {
  const info = kindInfo(target.kind);
  const apiVersion = target.apiVersion ?? info?.apiVersion;
  const base = apiVersion === undefined ? {} : { apiVersion };
  if (target.kind === 'Namespace')
    return { ...base, kind: target.kind, name: target.name, namespace: target.name };
  if (info && !info.namespaced) return { ...base, kind: target.kind, name: target.name };
  const ns = target.namespace === undefined ? {} : { namespace: target.namespace };
  return { ...base, kind: target.kind, name: target.name, ...ns };
}
