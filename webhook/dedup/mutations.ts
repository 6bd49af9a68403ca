// The status changes one signal makes, applied by the StatusBatcher to a working copy of an RR's
// status. Each returns what the signal's response reports.
import type { RemediationRequestStatus, StormType } from '../../operator/api/types.ts';
import { resourceKey, stormIdFor } from '../../operator/storm/policy.ts';
import { occurrenceId, recordCreation, remember, seen } from './occurrences.ts';
import type { StatusMutation } from './statusBatcher.ts';

/** What an occurrence reports: the count now stored, and whether it had been counted before. */
export interface OccurrenceResult {
  occurrenceCount: number;
  redelivered: boolean;
}

/**
 * One more occurrence: count + 1 (a missing count means the creating signal, i.e. 1). An
 * occurrence already in the record (a redelivery) changes nothing and reports `redelivered`.
 */
export function recordOccurrence(occurrenceKey?: string): StatusMutation<OccurrenceResult> {
  const id = occurrenceKey === undefined ? undefined : occurrenceId(occurrenceKey);
  return (status, now, rr) => {
    if (id !== undefined && seen(status, rr, id)) {
      return { occurrenceCount: status.deduplication?.occurrenceCount ?? 1, redelivered: true };
    }
    recordCreation(status, rr);
    const d = (status.deduplication ??= {});
    d.occurrenceCount = (d.occurrenceCount ?? 1) + 1;
    d.firstSeenAt ??= now;
    d.lastSeenAt = now;
    if (id !== undefined) remember(status, id);
    return { occurrenceCount: d.occurrenceCount, redelivered: false };
  };
}

export interface ResolveResult extends OccurrenceResult {
  resolvedAt: string;
}

/** Marks the RR resolved (once); a resolution already in the record reports `redelivered`. */
export function markResolved(occurrenceKey?: string): StatusMutation<ResolveResult> {
  const id = occurrenceKey === undefined ? undefined : occurrenceId(occurrenceKey);
  return (status, now, rr) => {
    const occurrenceCount = status.deduplication?.occurrenceCount ?? 1;
    if (id !== undefined && seen(status, rr, id) && status.signalResolvedAt) {
      return { resolvedAt: status.signalResolvedAt, occurrenceCount, redelivered: true };
    }
    status.signalResolvedAt ??= now;
    if (id !== undefined) {
      recordCreation(status, rr);
      remember(status, id);
    }
    return { resolvedAt: status.signalResolvedAt, occurrenceCount, redelivered: false };
  };
}

/**
 * Folds a new fingerprint into the storm its leader leads, opening the storm when the leader has
 * none yet. Every signal counts once in aggregatedCount; resources and fingerprints are listed once.
 */
export function foldIntoStorm(
  stormType: StormType,
  member: { fingerprint: string; resource: string },
): StatusMutation<{ stormId: string; opened: boolean }> {
  return (status: RemediationRequestStatus, now, leader) => {
    const s = (status.stormAggregation ??= {});
    const opened = !s.stormDetectedAt || Boolean(s.closedAt);
    if (opened) {
      s.stormId = stormIdFor(leader);
      s.stormType = stormType;
      s.stormDetectedAt = now;
      s.isPartOfStorm = true;
      s.aggregatedCount = 0;
      s.affectedResources = [resourceKey(leader.spec.targetResource)];
      s.aggregatedFingerprints = [leader.spec.signalFingerprint];
      delete s.closedAt;
    }
    s.aggregatedCount = (s.aggregatedCount ?? 0) + 1;
    addOnce((s.affectedResources ??= []), member.resource);
    addOnce((s.aggregatedFingerprints ??= []), member.fingerprint);
    s.lastAggregatedAt = now;
    return { stormId: s.stormId!, opened };
  };
}

/** The CRD's maxItems for the storm lists: beyond it a signal still counts, but is not listed. */
export const STORM_LIST_LIMIT = 10_000;

function addOnce(list: string[], value: string): void {
  if (list.length < STORM_LIST_LIMIT && !list.includes(value)) list.push(value);
}
