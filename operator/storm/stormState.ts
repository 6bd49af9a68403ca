// The changes a storm makes to its leader's status.stormAggregation, as pure functions on a
// working copy. Shared by the intake's fold and pend mutations and the storm controller's plan, so
// both writers open a storm and list its members the same way.
import type { StormAggregationStatus, StormType } from '../api/types.ts';
import { resourceKey, stormIdFor } from './policy.ts';
import type { StormConfig } from './policy.ts';
import type { CachedRR } from '../cache/projection.ts';

/** One signal joining a storm. `occurrenceKey` is left for redelivery detection. */
export interface StormMember {
  fingerprint: string;
  resource: string;
  occurrenceKey?: string;
  /** Signals Alertmanager left out of the notification (truncatedAlerts), counted with this one. */
  truncated?: number;
}

/**
 * Opens a storm on a leader that never had one: its pending members (buffered during its
 * window) become members, and aggregatedCount starts with every signal the leader absorbed so
 * far (its own first one plus each pending occurrence).
 */
export function openStorm(
  s: StormAggregationStatus,
  leader: CachedRR,
  stormType: StormType,
  nowIso: string,
  cfg: StormConfig,
): void {
  const pending = s.pendingMembers ?? [];
  s.stormId = stormIdFor(leader);
  s.stormType = stormType;
  s.stormDetectedAt = nowIso;
  s.isPartOfStorm = true;
  s.aggregatedCount = 1;
  s.affectedResources = [];
  s.aggregatedFingerprints = [];
  delete s.unlistedMembers;
  delete s.closedAt;
  delete s.pendingMembers;
  list(
    s,
    { fingerprint: leader.spec.signalFingerprint, resource: resourceKey(leader.spec.targetResource) },
    cfg,
  );
  for (const p of pending) addMember(s, p, cfg, p.occurrences);
  s.lastAggregatedAt = nowIso;
}

/** Counts `signals` signals of one member (and its truncated companions) and lists it once. */
export function addMember(
  s: StormAggregationStatus,
  member: StormMember,
  cfg: StormConfig,
  signals = 1,
): void {
  const truncated = member.truncated ?? 0;
  s.aggregatedCount = (s.aggregatedCount ?? 0) + signals + truncated;
  const unlisted = (list(s, member, cfg) ? 0 : signals) + truncated;
  if (unlisted > 0) s.unlistedMembers = (s.unlistedMembers ?? 0) + unlisted;
}

/** Lists a member's resource and fingerprint once; false when the lists are full without it. */
function list(s: StormAggregationStatus, member: StormMember, cfg: StormConfig): boolean {
  const fps = (s.aggregatedFingerprints ??= []);
  const resources = (s.affectedResources ??= []);
  const listedFp = fps.includes(member.fingerprint);
  const listedResource = resources.includes(member.resource);
  if (!listedFp && fps.length < cfg.maxListedMembers) fps.push(member.fingerprint);
  if (!listedResource && resources.length < cfg.maxListedMembers) resources.push(member.resource);
  return fps.includes(member.fingerprint);
}
