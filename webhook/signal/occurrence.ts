// The identity of one occurrence (contract §4): what makes a redelivered notification
// recognisable as the same occurrence, and a new firing as a new one. Pure.
//
// - Alertmanager: the alert's own `fingerprint` (a hash of its label set, the same on every HA
//   peer), else a hash of the sorted label set, plus `startsAt` (one firing) and the status
//   (the resolution of a firing is a separate occurrence from the firing itself).
// - Kubernetes Events: the Event's uid plus its count (core/v1 `count`, events.k8s.io
//   `series.count`): every new count of one Event object is one more occurrence.
// Without those parts (no startsAt, no uid) there is no identity: every delivery counts.
import { createHash } from 'node:crypto';

export function alertOccurrenceKey(
  alertFingerprint: string | undefined,
  labels: Record<string, string>,
  startsAt: string | undefined,
  resolved: boolean,
): string | undefined {
  if (startsAt === undefined) return undefined;
  const identity = alertFingerprint ? `f:${alertFingerprint}` : `l:${labelSetHash(labels)}`;
  return `am:${identity}:${startsAt}:${resolved ? 'resolved' : 'firing'}`;
}

export function eventOccurrenceKey(uid: string | undefined, count: number | undefined): string | undefined {
  if (!uid) return undefined;
  return `ev:${uid}:${count ?? 1}`;
}

/** SHA-256 of the label set in key order, so the order labels arrived in does not matter. */
export function labelSetHash(labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return createHash('sha256').update(JSON.stringify(sorted), 'utf8').digest('hex').slice(0, 32);
}
