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
import type { StatusMutation } from './statusBatcher.ts';

/** One more occurrence: count + 1 (a missing count means the creating signal, i.e. 1). */
export const recordOccurrence: StatusMutation<number> = (status, now) => {
  const d = (status.deduplication ??= {});
  d.occurrenceCount = (d.occurrenceCount ?? 1) + 1;
  d.firstSeenAt ??= now;
  d.lastSeenAt = now;
  return d.occurrenceCount;
};

export const markResolved: StatusMutation<string> = (status, now) => {
  status.signalResolvedAt ??= now;
  return status.signalResolvedAt;
};

/** What a storm mutation did: `retry` means the RR cannot take it (the pipeline looks again). */
export type StormResult =
  { kind: 'aggregated'; stormId: string; opened: boolean } | { kind: 'buffered' } | { kind: 'retry' };

/**
 * Folds one signal into the storm its leader leads, opening the storm when the leader never had
 * one. One storm per leader: a storm that is closed or no longer open by the rules is never
 * reopened (`retry`: the signal goes to a new leader). Every signal counts once.
 */
export function foldIntoStorm(
  stormType: StormType,
  member: StormMember,
  cfg: StormConfig,
): StatusMutation<StormResult> {
  return (status: RemediationRequestStatus, now, leader) => {
    const s = (status.stormAggregation ??= {});
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
    return { kind: 'aggregated', stormId: s.stormId!, opened };
  };
}

/**
 * Records a new fingerprint on its group's buffer holder (or one more occurrence of one already
 * pending). When the holder, its pending members and the group's other recent entries (`others`)
 * cross a storm threshold, the storm opens on the holder and every pending member joins it.
 */
export type NewPendingMember = Omit<PendingMember, 'occurrences' | 'lastSeenAt'>;

export function pendOnHolder(
  member: NewPendingMember,
  cfg: StormConfig,
  others: readonly WindowEntry[],
): StatusMutation<StormResult> {
  return (status: RemediationRequestStatus, now, holder) => {
    const s = (status.stormAggregation ??= {});
    if (s.stormDetectedAt) return foldIntoStorm(s.stormType ?? 'pattern', member, cfg)(status, now, holder);
    const nowMs = Date.parse(now);
    if (s.stormId || nowMs >= bufferEndsAtMs(holder, cfg)) return { kind: 'retry' };
    const pending = (s.pendingMembers ??= []);
    const known = pending.find((p) => p.fingerprint === member.fingerprint);
    if (!known && pending.length >= MAX_PENDING_MEMBERS) return { kind: 'retry' }; // the next RR holds
    if (known) {
      known.occurrences += 1;
      known.lastSeenAt = now;
    } else pending.push({ ...member, occurrences: 1, lastSeenAt: now });
    const entries = [...sinceLastStorm([{ ...holder, status }]), ...others];
    const stormType = detectStorm(entries, cfg, nowMs);
    if (!stormType) return { kind: 'buffered' };
    openStorm(s, holder, stormType, now, cfg);
    return { kind: 'aggregated', stormId: s.stormId!, opened: true };
  };
}
