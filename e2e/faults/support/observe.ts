// What the black box shows: its RemediationRequests (per fingerprint, active or not, with their
// counts) and its Prometheus metrics.
import { isActive } from '../../../operator/api/phase.ts';
import type { RemediationRequest } from '../../../operator/api/types.ts';
import type { KubeClient } from '../../../operator/kube/client.ts';
import { parseMicroTime } from '../../../operator/runtime/leaseRecord.ts';

export interface FingerprintView {
  rrs: RemediationRequest[];
  active: number;
  occurrences: number;
}

export async function rrsBySignal(kube: KubeClient, namespace: string, signalName: string) {
  return (await kube.listRRs(namespace)).items.filter((r) => r.spec.signalName === signalName);
}

export function byFingerprint(rrs: RemediationRequest[]): Map<string, FingerprintView> {
  const out = new Map<string, FingerprintView>();
  for (const rr of rrs) {
    const v = out.get(rr.spec.signalFingerprint) ?? { rrs: [], active: 0, occurrences: 0 };
    v.rrs.push(rr);
    if (isActive(rr)) v.active++;
    v.occurrences += rr.status?.deduplication?.occurrenceCount ?? 0;
    out.set(rr.spec.signalFingerprint, v);
  }
  return out;
}

/** Sum of every sample of `name` (optionally only samples whose labels contain `match`). */
export async function metricSum(metricsUrl: string, name: string, match = ''): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  return text
    .split('\n')
    .filter((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && l.includes(match))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

export async function healthy(healthUrl: string): Promise<boolean> {
  return fetch(`${healthUrl}/healthz`, { signal: AbortSignal.timeout(5000) }).then(
    (r) => r.ok,
    () => false,
  );
}

/** Creation locks (gw-lock-* Leases) that name a holder and have not expired: held right now. */
export async function heldLocks(kube: KubeClient, namespace: string): Promise<string[]> {
  const leases = await kube.listLeases(namespace);
  const now = Date.now();
  return leases
    .filter((l) => l.metadata?.name?.startsWith('gw-lock-') && l.spec?.holderIdentity)
    .filter((l) => {
      const renewed = parseMicroTime(l.spec?.renewTime) ?? parseMicroTime(l.spec?.acquireTime) ?? 0;
      return renewed + (l.spec?.leaseDurationSeconds ?? 0) * 1000 > now;
    })
    .map((l) => `${l.metadata!.name}=${l.spec!.holderIdentity}`);
}
