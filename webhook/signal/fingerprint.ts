// The fingerprint identifies "what needs remediating", not "what was said about it": several
// alerts about one workload share a fingerprint, so they become one RemediationRequest. Callers
// pass the target already resolved to its top-level owner (contract §4).
import { createHash } from 'node:crypto';
import type { TargetResource } from '../../operator/api/types.ts';

/** SHA-256 hex of `clusterID:namespace:kind:name`; cluster-scoped targets use an empty namespace. */
export function fingerprint(clusterID: string, target: TargetResource): string {
  const key = `${clusterID}:${target.namespace ?? ''}:${target.kind}:${target.name}`;
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** RemediationRequest names start with this (then a generated suffix), so `kubectl get rr` groups them. */
export function rrNamePrefix(fp: string): string {
  return `rr-${fp.slice(0, 12)}-`;
}

/** The per-fingerprint Lease that serialises creation across replicas. */
export function lockLeaseName(fp: string): string {
  return `gw-lock-${fp.slice(0, 16)}`;
}
