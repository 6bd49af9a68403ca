// Storm rules (contract §4), as pure functions over the RRs of one group (same target namespace
// and signal name). Used by the intake before it creates an RR and by the storm controller.
import { createHash } from 'node:crypto';
import { isActive } from '../api/phase.ts';
import type { StormType } from '../api/types.ts';
import { creationMs } from '../cache/rrCache.ts';
import type { CachedRR } from '../cache/projection.ts';

export interface StormConfig {
  rate: { threshold: number; windowSeconds: number };
  pattern: { threshold: number; windowSeconds: number };
  quietSeconds: number;
  maxDurationSeconds: number;
  /** How long a group's first RR collects the group's next new fingerprints as pending members. */
  bufferSeconds: number;
  /** Most entries in a leader's affectedResources / aggregatedFingerprints (the count goes on). */
  maxListedMembers: number;
}

/** A group member as the policy sees it: an RR in the cache or a create still in flight. */
export interface WindowEntry {
  fingerprint: string;
  resource: string;
  createdAtMs: number;
}

export function resourceKey(t: { kind: string; namespace?: string; name: string }): string {
  return `${t.kind}/${t.namespace ?? ''}/${t.name}`;
}

export function entryOf(rr: CachedRR): WindowEntry {
  return {
    fingerprint: rr.spec.signalFingerprint,
    resource: resourceKey(rr.spec.targetResource),
    createdAtMs: creationMs(rr),
  };
}

function ms(iso: string | undefined): number {
  return iso ? Date.parse(iso) || 0 : 0;
}

/** The RR that leads a storm (it carries stormDetectedAt). */
export function isStormLeader(rr: CachedRR): boolean {
  return Boolean(rr.status?.stormAggregation?.stormDetectedAt && rr.status.stormAggregation.stormId);
}

/**
 * When a leader's storm stops absorbing signals: after the quiet period since its last activity
 * or at its maximum duration, whichever comes first. Undefined when it has no storm.
 */
export function stormClosesAtMs(leader: CachedRR, cfg: StormConfig): number | undefined {
  const s = leader.status?.stormAggregation;
  if (!s?.stormDetectedAt) return undefined;
  const detected = ms(s.stormDetectedAt);
  const lastActivity = Math.max(detected, ms(s.lastAggregatedAt));
  return Math.min(lastActivity + cfg.quietSeconds * 1000, detected + cfg.maxDurationSeconds * 1000);
}

/**
 * Whether a leader's storm still absorbs signals at `nowMs`. A leader that turned terminal (or is
 * being deleted) ends its storm at once: a terminal RR absorbs nothing, so its group starts anew.
 */
export function isStormOpen(leader: CachedRR, cfg: StormConfig, nowMs: number): boolean {
  const s = leader.status?.stormAggregation;
  if (!s?.stormDetectedAt || !s.stormId || s.closedAt || !isActive(leader)) return false;
  const detected = ms(s.stormDetectedAt);
  const lastActivity = Math.max(detected, ms(s.lastAggregatedAt));
  return nowMs - lastActivity < cfg.quietSeconds * 1000 && nowMs - detected < cfg.maxDurationSeconds * 1000;
}

/** The open storm of a group, if any (its leader). */
export function openStormLeader(
  group: readonly CachedRR[],
  cfg: StormConfig,
  nowMs: number,
): CachedRR | undefined {
  return group.find((rr) => isStormLeader(rr) && isStormOpen(rr, cfg, nowMs));
}

/**
 * The group's entries created after its last closed storm (a closed storm's members never
 * re-trigger): its RRs, and the members pending on its buffer holders (at their receive time).
 */
export function sinceLastStorm(group: readonly CachedRR[]): WindowEntry[] {
  const lastClosed = Math.max(0, ...group.map((rr) => ms(rr.status?.stormAggregation?.closedAt)));
  const pending = group.flatMap((rr) =>
    (rr.status?.stormAggregation?.pendingMembers ?? []).map((p) => ({
      fingerprint: p.fingerprint,
      resource: p.resource,
      createdAtMs: ms(p.receivedTime),
    })),
  );
  return [...group.map(entryOf), ...pending].filter((e) => e.createdAtMs > lastClosed);
}

/** Entries recent enough to count towards either rule at `nowMs`. */
export function withinWindows(
  entries: readonly WindowEntry[],
  cfg: StormConfig,
  nowMs: number,
): WindowEntry[] {
  const windowMs = Math.max(cfg.rate.windowSeconds, cfg.pattern.windowSeconds) * 1000;
  return entries.filter((e) => nowMs - e.createdAtMs <= windowMs);
}

/** Whether an RR ever took part in a storm (led one or was marked a member). */
export function inAnyStorm(rr: CachedRR): boolean {
  return Boolean(rr.status?.stormAggregation?.stormId);
}

/** When an RR's buffer window ends: storm.bufferSeconds after the intake received its signal. */
export function bufferEndsAtMs(rr: CachedRR, cfg: StormConfig): number {
  return (Date.parse(rr.spec.receivedTime) || creationMs(rr)) + cfg.bufferSeconds * 1000;
}

/** Most pending members one holder carries (the CRD's maxItems); a full holder holds no more. */
export const MAX_PENDING_MEMBERS = 100;

/**
 * The group's buffer holder at `nowMs`: its oldest active RR, never part of a storm, whose buffer
 * window is still open. New fingerprints of the group are recorded on it as pending members.
 */
export function bufferHolder(
  group: readonly CachedRR[],
  cfg: StormConfig,
  nowMs: number,
): CachedRR | undefined {
  return group.find(
    (rr) =>
      isActive(rr) &&
      !inAnyStorm(rr) &&
      nowMs < bufferEndsAtMs(rr, cfg) &&
      (rr.status?.stormAggregation?.pendingMembers?.length ?? 0) < MAX_PENDING_MEMBERS,
  );
}

/**
 * Which storm, if any, the entries form at `nowMs`: more than `threshold` distinct fingerprints
 * (rate) or distinct target resources (pattern) within the window. Rate wins when both hold.
 */
export function detectStorm(
  entries: readonly WindowEntry[],
  cfg: StormConfig,
  nowMs: number,
): StormType | undefined {
  const within = (seconds: number) => entries.filter((e) => nowMs - e.createdAtMs <= seconds * 1000);
  const rate = new Set(within(cfg.rate.windowSeconds).map((e) => e.fingerprint)).size;
  if (rate > cfg.rate.threshold) return 'rate';
  const pattern = new Set(within(cfg.pattern.windowSeconds).map((e) => e.resource)).size;
  if (pattern > cfg.pattern.threshold) return 'pattern';
  return undefined;
}

/**
 * The RR that leads a storm detected at `nowMs`: the group's (oldest first) first active RR
 * created within the longer of the two windows that never took part in a storm. The intake's gate picks its leader the same way,
 * so both writers agree on it when their caches agree.
 */
export function stormLeaderCandidate(
  group: readonly CachedRR[],
  cfg: StormConfig,
  nowMs: number,
): CachedRR | undefined {
  const windowMs = Math.max(cfg.rate.windowSeconds, cfg.pattern.windowSeconds) * 1000;
  // One storm per leader: an RR that led (or belonged to) a storm never leads another one.
  return group.find((rr) => isActive(rr) && !inAnyStorm(rr) && nowMs - creationMs(rr) <= windowMs);
}

/** A label value's limit: the storm id is also the value of the kubernaut.ai/storm label. */
const LABEL_VALUE_MAX = 63;

/**
 * The storm id a leader gets: derived from its name, so every writer agrees on it. A
 * deterministic name (`rr-<12 hex>-<52 hex>-<n>`) is too long for a label value, so its id keeps
 * the `<12 hex>` prefix, 24 more hex of the fingerprint (144 bits in all) and the generation.
 */
export function stormIdFor(leader: CachedRR): string {
  const name = leader.metadata.name;
  const full = `storm-${name.replace(/^rr-/, '')}`;
  if (full.length <= LABEL_VALUE_MAX) return full;
  const m = /^rr-([0-9a-f]{12})-([0-9a-f]{52})-(\d+)$/.exec(name);
  if (m) return `storm-${m[1]}-${m[2]!.slice(0, 24)}-${m[3]}`;
  return `storm-${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
}
