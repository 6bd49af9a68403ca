// The status changes one signal makes, applied by the StatusBatcher to a working copy of an RR's
// status. Each returns what the signal's response reports.
import type { PendingMember, RemediationRequestStatus, StormType } from '../../operator/api/types.ts';
import {
  bufferEndsAtMs,
  detectStorm,
  isStormOpen,
  MAX_PENDING_MEMBERS,
  sinceLastStorm,
} from '../../operator/storm/policy.ts';
import type { StormConfig, WindowEntry } from '../../operator/storm/policy.ts';
import { addMember, openStorm } from '../../operator/storm/stormState.ts';
import type { StormMember } from '../../operator/storm/stormState.ts';
import { occurrenceId, recordCreation, remember, seen } from './occurrences.ts';
import type { StatusMutation } from './statusBatcher.ts';
import type { CachedRR } from '../../operator/cache/projection.ts';

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
 * What a storm mutation did: `retry` means the RR cannot take it (the pipeline looks again);
 * `redelivered`: the occurrence had been counted on this RR before, nothing was counted again.
 */
export type StormResult =
  | { kind: 'aggregated'; stormId: string; opened: boolean; redelivered?: boolean }
  | { kind: 'buffered'; redelivered?: boolean }
  | { kind: 'retry' };

/** Most occurrence ids a pending member keeps (carried to its own RR's record when it gets one). */
export const PENDING_OCCURRENCE_LIMIT = 16;

/**
 * Folds one signal into the storm its leader leads, opening the storm when the leader never had
 * one. One storm per leader: a storm that is closed or no longer open by the rules is never
 * reopened (`retry`: the signal goes to a new leader). Every signal counts once: an occurrence
 * already in the leader's record (a redelivered notification) is answered without counting.
 */
export function foldIntoStorm(
  stormType: StormType,
  member: StormMember,
  cfg: StormConfig,
): StatusMutation<StormResult> {
  const id = member.occurrenceKey === undefined ? undefined : occurrenceId(member.occurrenceKey);
  return (status: RemediationRequestStatus, now, leader) => {
    const s = (status.stormAggregation ??= {});
    if (id !== undefined && s.stormDetectedAt && seen(status, leader, id))
      return { kind: 'aggregated', stormId: s.stormId!, opened: false, redelivered: true };
    let opened = false;
    if (!s.stormDetectedAt) {
      if (s.stormId) return { kind: 'retry' }; // a member of another storm
      openStorm(s, leader, stormType, now, cfg);
      opened = true;
    } else if (!isStormOpen({ ...leader, status }, cfg, Date.parse(now))) {
      return { kind: 'retry' };
    }
    addMember(s, member, cfg);
    s.lastAggregatedAt = now;
    if (id !== undefined) note(status, leader, id);
    return { kind: 'aggregated', stormId: s.stormId!, opened };
  };
}

/** Records an occurrence on the RR's record (after its creating one, if only implied so far). */
function note(status: RemediationRequestStatus, rr: CachedRR, id: string): void {
  recordCreation(status, rr);
  remember(status, id);
}

/**
 * Records a new fingerprint on its group's buffer holder (or one more occurrence of one already
 * pending). When the holder, its pending members and the group's other recent entries (`others`)
 * cross a storm threshold, the storm opens on the holder and every pending member joins it.
 * A pending member's occurrence ids are kept on the member (for its own RR later) and on the
 * holder's record (for the storm it may join), so a redelivery is never counted twice.
 */
export type NewPendingMember = Omit<PendingMember, 'occurrences' | 'lastSeenAt' | 'recentOccurrences'>;

export function pendOnHolder(
  member: NewPendingMember,
  cfg: StormConfig,
  others: readonly WindowEntry[],
): StatusMutation<StormResult> {
  const id = member.occurrenceKey === undefined ? undefined : occurrenceId(member.occurrenceKey);
  return (status: RemediationRequestStatus, now, holder) => {
    const s = (status.stormAggregation ??= {});
    if (s.stormDetectedAt) return foldIntoStorm(s.stormType ?? 'pattern', member, cfg)(status, now, holder);
    const pending = s.pendingMembers ?? [];
    const known = pending.find((p) => p.fingerprint === member.fingerprint);
    if (id !== undefined && known && (known.recentOccurrences?.includes(id) || seen(status, holder, id)))
      return { kind: 'buffered', redelivered: true };
    const nowMs = Date.parse(now);
    if (s.stormId || nowMs >= bufferEndsAtMs(holder, cfg)) return { kind: 'retry' };
    if (!known && pending.length >= MAX_PENDING_MEMBERS) return { kind: 'retry' }; // the next RR holds
    if (known) {
      known.occurrences += 1;
      known.lastSeenAt = now;
      if (id !== undefined) addId((known.recentOccurrences ??= []), id);
    } else {
      const ids = id === undefined ? {} : { recentOccurrences: [id] };
      (s.pendingMembers = pending).push({ ...member, ...ids, occurrences: 1, lastSeenAt: now });
    }
    if (id !== undefined) note(status, holder, id);
    const entries = [...sinceLastStorm([{ ...holder, status }]), ...others];
    const stormType = detectStorm(entries, cfg, nowMs);
    if (!stormType) return { kind: 'buffered' };
    openStorm(s, holder, stormType, now, cfg);
    return { kind: 'aggregated', stormId: s.stormId!, opened: true };
  };
}

function addId(ids: string[], id: string): void {
  ids.push(id);
  if (ids.length > PENDING_OCCURRENCE_LIMIT) ids.splice(0, ids.length - PENDING_OCCURRENCE_LIMIT);
}
