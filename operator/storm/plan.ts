// What the storm controller must write to converge one storm group, computed purely from the
// group's cached RRs (oldest first): open a storm the intake did not open, close a storm that has
// gone quiet, mark the RRs created during a storm as its members, and complete the leader's lists
// of affected resources and fingerprints. A converged group plans no writes, so a reconcile woken
// by the controller's own writes does nothing. aggregatedCount is never changed: it counts the
// signals the intake folded, and only the intake folds.
import { isActive } from '../api/phase.ts';
import { mergePatchDiff } from '../api/mergePatch.ts';
import { LABEL_STORM } from '../api/types.ts';
import type { PendingMember, StormAggregationStatus, StormType } from '../api/types.ts';
import { creationMs } from '../cache/rrCache.ts';
import {
  bufferEndsAtMs,
  detectStorm,
  isStormLeader,
  isStormOpen,
  openStormLeader,
  resourceKey,
  sinceLastStorm,
  stormClosesAtMs,
  stormLeaderCandidate,
  withinWindows,
} from './policy.ts';
import type { StormConfig } from './policy.ts';
import { openStorm } from './stormState.ts';
import type { CachedRR } from '../cache/projection.ts';

/** A merge patch for one RR's status.stormAggregation (null removes a field). */
export type StormPatch = Record<string, unknown>;

export interface MemberWrite {
  rr: CachedRR;
  patch: StormPatch;
}

export interface LeaderPlan {
  /** The leader as cached (its resourceVersion makes the write optimistic). */
  leader: CachedRR;
  /** Its storm as it will be once `patch` has landed. */
  storm: StormAggregationStatus & { stormId: string; stormDetectedAt: string };
  /** Set when the leader's status must change. */
  patch?: StormPatch;
  /** Set when this plan opens the storm (the controller detected it). */
  opens?: StormType;
  /** Set when this plan closes the storm. */
  closes?: boolean;
  /** Whether the storm still absorbs signals. */
  open: boolean;
  /** Every RR counted as a member of this storm (not the leader). */
  members: CachedRR[];
  /** Members still to be marked; written only once the leader's patch (if any) landed. */
  memberWrites: MemberWrite[];
  /** The leader and members still without the `kubernaut.ai/storm` label. */
  labelWrites: CachedRR[];
}

/** A buffer holder whose window ended (or which turned terminal) without a storm. */
export interface DueBuffer {
  holder: CachedRR;
  /** The pending members to give their own RRs now. */
  due: PendingMember[];
}

export interface GroupPlan {
  leaders: LeaderPlan[];
  buffers: DueBuffer[];
  /** When an open storm of the group closes, in ms from now: look again then. */
  recheckAfterMs?: number;
}

export function planStormGroup(group: readonly CachedRR[], cfg: StormConfig, nowMs: number): GroupPlan {
  // Storms that went quiet close first; a new storm is only looked for once they have (the next
  // reconcile), so that the closed storm's own RRs never re-trigger it (see sinceLastStorm).
  const closing = group.some(
    (rr) => isStormLeader(rr) && !rr.status?.stormAggregation?.closedAt && !isStormOpen(rr, cfg, nowMs),
  );
  const opening = closing ? undefined : detectUnopened(group, cfg, nowMs);
  const claimed = new Set<string>();
  const leaders: LeaderPlan[] = [];
  for (const rr of group) {
    const opens = opening?.leader === rr ? opening.type : undefined;
    if (opens || isStormLeader(rr)) leaders.push(planLeader(group, rr, opens, cfg, nowMs, claimed));
  }
  const closesIn = leaders
    .filter((l) => l.open)
    .map((l) => (stormClosesAtMs(withStorm(l.leader, l.storm), cfg) ?? nowMs) - nowMs);
  const { buffers, buffersEndIn } = planBuffers(group, opening?.leader, cfg, nowMs);
  const waits = [...closesIn, ...buffersEndIn];
  return {
    leaders,
    buffers,
    recheckAfterMs: waits.length > 0 ? Math.max(0, Math.min(...waits)) : undefined,
  };
}

/** Holders whose pending members are due (window over or holder terminal), and when the others are. */
function planBuffers(
  group: readonly CachedRR[],
  opening: CachedRR | undefined,
  cfg: StormConfig,
  nowMs: number,
): { buffers: DueBuffer[]; buffersEndIn: number[] } {
  const buffers: DueBuffer[] = [];
  const buffersEndIn: number[] = [];
  for (const rr of group) {
    const due = rr.status?.stormAggregation?.pendingMembers ?? [];
    if (due.length === 0 || rr === opening || isStormLeader(rr)) continue;
    const endsAt = bufferEndsAtMs(rr, cfg);
    if (nowMs >= endsAt || !isActive(rr)) buffers.push({ holder: rr, due: [...due] });
    else buffersEndIn.push(endsAt - nowMs);
  }
  return { buffers, buffersEndIn };
}

/** A storm the rules detect in the group while no leader has it open yet. */
function detectUnopened(
  group: readonly CachedRR[],
  cfg: StormConfig,
  nowMs: number,
): { leader: CachedRR; type: StormType } | undefined {
  if (openStormLeader(group, cfg, nowMs)) return undefined;
  const type = detectStorm(withinWindows(sinceLastStorm(group), cfg, nowMs), cfg, nowMs);
  const leader = type && stormLeaderCandidate(group, cfg, nowMs);
  return type && leader ? { leader, type } : undefined;
}

function planLeader(
  group: readonly CachedRR[],
  leader: CachedRR,
  opens: StormType | undefined,
  cfg: StormConfig,
  nowMs: number,
  claimed: Set<string>,
): LeaderPlan {
  const before = leader.status?.stormAggregation ?? {};
  const after = structuredClone(before) as StormAggregationStatus;
  if (opens) {
    openStorm(after, leader, opens, new Date(nowMs).toISOString(), cfg);
    delete after.lastAggregatedAt; // nobody folded yet: the quiet period counts from detection
  }
  const closesAt = stormClosesAtMs(withStorm(leader, after), cfg) ?? nowMs;
  const open = !after.closedAt && isStormOpen(withStorm(leader, after), cfg, nowMs);
  let closes = false;
  if (!open && !after.closedAt) {
    // A terminal leader ends its storm now; a quiet one when it went quiet.
    after.closedAt = new Date(isActive(leader) ? closesAt : Math.min(closesAt, nowMs)).toISOString();
    closes = true;
  }
  const storm = after as LeaderPlan['storm'];
  const members = membersOf(group, leader, storm, cfg, claimed);
  const everyone = [leader, ...members];
  after.affectedResources = addMissing(
    before.affectedResources,
    everyone.map((r) => resourceKey(r.spec.targetResource)),
    cfg.maxListedMembers,
  );
  after.aggregatedFingerprints = addMissing(
    before.aggregatedFingerprints,
    everyone.map((r) => r.spec.signalFingerprint),
    cfg.maxListedMembers,
  );
  const patch = mergePatchDiff(
    before as Record<string, unknown>,
    after as unknown as Record<string, unknown>,
  );
  const memberWrites = members
    .filter(
      (m) =>
        !(
          m.status?.stormAggregation?.isPartOfStorm === true &&
          m.status.stormAggregation.stormId === storm.stormId
        ),
    )
    .map((rr) => ({ rr, patch: { isPartOfStorm: true, stormId: storm.stormId } }));
  const labelWrites = everyone.filter((r) => r.metadata.labels?.[LABEL_STORM] !== storm.stormId);
  return {
    leader,
    storm,
    patch: Object.keys(patch).length > 0 ? patch : undefined,
    opens,
    closes,
    open,
    members,
    memberWrites,
    labelWrites,
  };
}

/**
 * The storm's members: the group's other RRs created within its detection window (the longer of
 * the two windows before stormDetectedAt) and no later than its close, which are not leaders
 * themselves, belong to no other storm, and no earlier leader claimed. Creation times have whole
 * seconds, so members are found by time, not by their order relative to the leader.
 */
function membersOf(
  group: readonly CachedRR[],
  leader: CachedRR,
  storm: LeaderPlan['storm'],
  cfg: StormConfig,
  claimed: Set<string>,
): CachedRR[] {
  const windowMs = Math.max(cfg.rate.windowSeconds, cfg.pattern.windowSeconds) * 1000;
  const startMs = Math.min(Date.parse(storm.stormDetectedAt) - windowMs, creationMs(leader));
  const endMs = storm.closedAt ? Date.parse(storm.closedAt) : Infinity;
  const members = group.filter((rr) => {
    const s = rr.status?.stormAggregation;
    const created = creationMs(rr);
    if (rr === leader || claimed.has(rr.metadata.name) || isStormLeader(rr)) return false;
    if (created < startMs || !createdBy(rr, endMs)) return false;
    return !s?.stormId || s.stormId === storm.stormId;
  });
  for (const m of members) claimed.add(m.metadata.name);
  return members;
}

/**
 * Whether an RR was created no later than `endMs` (a storm's close). creationTimestamp has whole
 * seconds: within the second of the close, the intake's precise receivedTime decides, so the next
 * storm's leader, created just after the close, is never taken for a member of the closed one.
 */
function createdBy(rr: CachedRR, endMs: number): boolean {
  const created = creationMs(rr);
  if (created > endMs) return false;
  if (created + 1000 <= endMs) return true;
  const received = Date.parse(rr.spec.receivedTime);
  return !(received > endMs && received < created + 1000);
}

/**
 * `existing` (duplicates dropped, order kept) followed by the values it lacks, up to
 * storm.maxListedMembers (the intake's fold stops listing there too; its count goes on).
 */
function addMissing(
  existing: readonly string[] | undefined,
  values: readonly string[],
  max: number,
): string[] {
  return [...new Set([...(existing ?? []), ...values])].slice(0, Math.max(max, existing?.length ?? 0));
}

function withStorm(leader: CachedRR, storm: StormAggregationStatus): CachedRR {
  return { ...leader, status: { ...leader.status, stormAggregation: storm } };
}
