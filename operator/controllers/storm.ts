// Converges one storm group (target namespace + signal name) to the storm rules: opens a storm
// the rules detect when the intake has not (it counts its own detections, this controller counts
// only the storms it opens), marks every RR created during a storm with isPartOfStorm and the
// stormId, makes the leader list each member's resource and fingerprint once, closes quiet storms
// (closedAt) and announces StormDetected / StormClosed Events on the leader. The writes come from
// planStormGroup (operator/storm/plan.ts); a converged group plans none.
// Events are announced once per storm: their names derive from the leader and the detection time
// (operator/storm/events.ts), so a new controller leader after fail-over, which has not seen them
// yet, gets AlreadyExists instead of creating a duplicate. Only if the API server has already
// expired the Event (--event-ttl, 1 h by default, beyond the 30 min announce window) could a
// storm be announced twice; that is harmless and accepted.
import { LABEL_STORM } from '../api/types.ts';
import type { CachedRR } from '../cache/rrCache.ts';
import { groupKeyOf } from '../cache/rrCache.ts';
import { isKubeError } from '../kube/errors.ts';
import { stormEvent, stormEventName } from '../storm/events.ts';
import type { StormReason } from '../storm/events.ts';
import { planStormGroup } from '../storm/plan.ts';
import type { LeaderPlan } from '../storm/plan.ts';
import type { ControllerContext } from './context.ts';
import { requeueAt } from './reconciler.ts';
import type { Reconciler } from './reconciler.ts';
import { patchStatus } from './status.ts';
import { createBuffered, labelStorm } from './stormBuffer.ts';

/** Storms are announced while open or closed this recently (well inside the apiserver's 1 h event TTL). */
const ANNOUNCE_WITHIN_MS = 30 * 60_000;
/** Margin after a storm's computed close time, so that the revisit sees it closed. */
const CLOSE_MARGIN_MS = 50;

export function stormController(ctx: ControllerContext, now: () => number = Date.now): Reconciler {
  const log = ctx.logger.child({ controller: 'storm' });
  /** Names of storm Events known to exist: saves a create call per reconcile of a storm group. */
  const announced = new Set<string>();

  async function announce(plan: LeaderPlan, reason: StormReason, nowMs: number): Promise<void> {
    const name = stormEventName(plan.leader, reason, plan.storm.stormDetectedAt);
    if (announced.has(name)) return;
    try {
      await ctx.kube.createEvent(
        plan.leader.metadata.namespace,
        stormEvent(plan.leader, plan.storm, reason, ctx.config.podName, nowMs),
      );
      log.info(reason === 'StormDetected' ? 'storm detected' : 'storm closed', {
        leader: plan.leader.metadata.name,
        stormId: plan.storm.stormId,
        stormType: plan.storm.stormType,
        resources: plan.storm.affectedResources?.length,
      });
    } catch (err) {
      if (!isKubeError(err, 'alreadyExists')) throw err;
    }
    if (announced.size >= 10_000) announced.clear();
    announced.add(name);
  }

  /**
   * Applies one leader's plan: the leader's write first (members carry the stormId it opens), then
   * each member's, then the Events; a failed member write or Event does not hold up the others.
   */
  async function apply(plan: LeaderPlan, nowMs: number): Promise<void> {
    if (plan.patch) {
      if (!(await patchStatus(ctx, plan.leader, { stormAggregation: plan.patch }))) return;
      if (plan.opens) ctx.metrics.stormsDetected.inc({ type: plan.opens });
    }
    const closedAtMs = plan.storm.closedAt ? Date.parse(plan.storm.closedAt) : undefined;
    const recent = closedAtMs === undefined || nowMs - closedAtMs < ANNOUNCE_WITHIN_MS;
    const failures = await settle([
      ...plan.memberWrites.map((w) => () => patchStatus(ctx, w.rr, { stormAggregation: w.patch })),
      ...plan.labelWrites.map((rr) => () => labelStorm(ctx, rr, plan.storm.stormId)),
      async () => {
        if (recent) await announce(plan, 'StormDetected', nowMs);
        if (recent && closedAtMs !== undefined) await announce(plan, 'StormClosed', nowMs);
      },
    ]);
    if (failures.length > 0) throw firstFailure(failures);
  }

  return {
    name: 'storm',
    concurrency: 4,
    keysOf: (rr) => [groupKeyOf(rr)],
    wakesOnUpdate: stormRelevantChange,
    async reconcile(groupKey) {
      const group = ctx.cache.byGroup(groupKey);
      if (group.length === 0) return {};
      const nowMs = now();
      const plan = planStormGroup(group, ctx.config.storm, nowMs);
      const failures = await settle([
        ...plan.leaders.map((l) => () => apply(l, nowMs)),
        ...plan.buffers.map((b) => () => createBuffered(ctx, b, log)),
      ]);
      if (failures.length > 0) throw firstFailure(failures);
      return plan.recheckAfterMs === undefined
        ? {}
        : requeueAt(nowMs + plan.recheckAfterMs + CLOSE_MARGIN_MS, nowMs);
    },
  };
}

/**
 * Whether an update can change what the storm rules decide for its group: the phase (active or
 * not), the storm record (pending members included), the storm label or deletion. A duplicate's
 * count and occurrence record are not read by the rules, so the write of every duplicate does not
 * re-plan its group (time-based revisits are requeued by the plan itself).
 */
export function stormRelevantChange(old: CachedRR, rr: CachedRR): boolean {
  return (
    old.status?.overallPhase !== rr.status?.overallPhase ||
    old.metadata.labels?.[LABEL_STORM] !== rr.metadata.labels?.[LABEL_STORM] ||
    old.metadata.deletionTimestamp !== rr.metadata.deletionTimestamp ||
    (old.status?.stormAggregation !== rr.status?.stormAggregation &&
      JSON.stringify(old.status?.stormAggregation) !== JSON.stringify(rr.status?.stormAggregation))
  );
}

/** Runs the writes one after the other, each whatever the others did; returns their failures. */
async function settle(writes: (() => Promise<unknown>)[]): Promise<unknown[]> {
  const failures: unknown[] = [];
  for (const write of writes) await write().catch((err: unknown) => failures.push(err));
  return failures;
}

/** A real failure wins over a lost optimistic write (which only asks for another reconcile). */
function firstFailure(failures: unknown[]): unknown {
  return failures.find((e) => !isKubeError(e, 'conflict')) ?? failures[0];
}
