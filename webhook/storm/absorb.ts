// Applies a storm gate decision that does not create an RR: a fold into the group's storm leader
// or a pending member on the group's buffer holder, group-committed by the StatusBatcher. What
// the signal is answered comes from the stored RR, because a later signal of the same write may
// have opened the storm that an earlier one was only buffered for.
import type { StormType } from '../../operator/api/types.ts';
import type { StormConfig } from '../../operator/storm/policy.ts';
import type { StormMember } from '../../operator/storm/stormState.ts';
import { foldIntoStorm, pendOnHolder } from '../dedup/mutations.ts';
import type { NewPendingMember, StormResult } from '../dedup/mutations.ts';
import { RRNotActiveError } from '../dedup/statusBatcher.ts';
import type { StatusBatcher } from '../dedup/statusBatcher.ts';
import type { GateDecision } from './stormGate.ts';
import type { CachedRR } from '../../operator/cache/projection.ts';

export interface Absorbed {
  status: 'aggregated' | 'buffered';
  rr: CachedRR;
  stormId?: string;
  /** This signal opened the storm (count it once in storms_detected_total). */
  opened?: StormType;
  /** The occurrence had been recorded on this RR before (a redelivery): nothing was counted. */
  redelivered?: true;
}

/** Undefined when the RR could not take the signal (terminal, deleted, storm over): look again. */
export async function absorb(
  decision: Exclude<GateDecision, { kind: 'create' }>,
  batcher: StatusBatcher,
  cfg: StormConfig,
  member: StormMember,
  pendingOf: () => Promise<NewPendingMember>,
): Promise<Absorbed | undefined> {
  const rr = await (decision.kind === 'fold' ? decision.leader : decision.holder);
  // Its own RR (a concurrent signal of the same fingerprint created it): a duplicate, not a member.
  if (!rr || rr.spec.signalFingerprint === member.fingerprint) return undefined;
  const mutation =
    decision.kind === 'fold'
      ? foldIntoStorm(decision.stormType, { ...member, truncated: decision.truncated }, cfg)
      : pendOnHolder(await pendingOf(), cfg, decision.others);
  let done: { rr: CachedRR; result: StormResult };
  try {
    done = await batcher.submit(rr.metadata.name, mutation);
  } catch (err) {
    if (err instanceof RRNotActiveError) return undefined;
    throw err;
  }
  if (done.result.kind === 'retry') return undefined;
  const s = done.rr.status?.stormAggregation;
  const opened = done.result.kind === 'aggregated' && done.result.opened ? s?.stormType : undefined;
  const redelivered = done.result.redelivered ? ({ redelivered: true } as const) : {};
  if (s?.pendingMembers?.some((p) => p.fingerprint === member.fingerprint))
    return { status: 'buffered', rr: done.rr, ...redelivered };
  return { status: 'aggregated', rr: done.rr, stormId: s?.stormId, opened, ...redelivered };
}
