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

/** RemediationRequest names start with this, so `kubectl get rr` groups them (contract §3). */
export function rrNamePrefix(fp: string): string {
  return `rr-${fp.slice(0, 12)}-`;
}

/**
 * The name of the fingerprint's `generation`-th RR (1, 2, ...): `rr-<12 hex>-<other 52 hex>-<n>`.
 * It carries the whole fingerprint, so two fingerprints never share a name (a SHA-256 collision
 * would already have made them one fingerprint), and the API server refuses a second RR of one
 * generation: the name is the fence (docs/design.md, "Fenced creation").
 */
export function rrName(fp: string, generation: number): string {
  return `${rrNamePrefix(fp)}${fp.slice(12)}-${generation}`;
}

/** The generation an RR name stands for, when it is one of `fp`'s deterministic names. */
export function generationOf(name: string | undefined, fp: string): number | undefined {
  const stem = `${rrNamePrefix(fp)}${fp.slice(12)}-`;
  if (!name?.startsWith(stem)) return undefined;
  const rest = name.slice(stem.length);
  return /^[1-9][0-9]{0,8}$/.test(rest) ? Number(rest) : undefined;
}

/** The per-fingerprint Lease that serialises creation across replicas. */
export function lockLeaseName(fp: string): string {
  return `gw-lock-${fp.slice(0, 16)}`;
}
