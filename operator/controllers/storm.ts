// Converges one storm group (target namespace + signal name) to the storm rules: opens a storm
// the rules detect when the intake has not (it counts its own detections, this controller counts
// only the storms it opens), marks every RR created during a storm with isPartOfStorm and the
// stormId, makes the leader list each member's resource and fingerprint once, closes quiet storms
// (closedAt) and announces StormDetected / StormClosed Events on the leader. The writes come from
// planStormGroup (operator/storm/plan.ts); a converged group plans none.
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

  /** Applies one leader's plan; the members are marked only once the leader's write landed. */
  async function apply(plan: LeaderPlan, nowMs: number): Promise<void> {
    if (plan.patch) {
      if (!(await patchStatus(ctx, plan.leader, { stormAggregation: plan.patch }))) return;
      if (plan.opens) ctx.metrics.stormsDetected.inc({ type: plan.opens });
    }
    const closedAtMs = plan.storm.closedAt ? Date.parse(plan.storm.closedAt) : undefined;
    const recent = closedAtMs === undefined || nowMs - closedAtMs < ANNOUNCE_WITHIN_MS;
    if (recent) await announce(plan, 'StormDetected', nowMs);
    for (const w of plan.memberWrites) await patchStatus(ctx, w.rr, { stormAggregation: w.patch });
    if (closedAtMs !== undefined && recent) await announce(plan, 'StormClosed', nowMs);
  }

  return {
    name: 'storm',
    concurrency: 4,
    keysOf: (rr) => [groupKeyOf(rr)],
    async reconcile(groupKey) {
      const group = ctx.cache.byGroup(groupKey);
      if (group.length === 0) return {};
      const nowMs = now();
      const plan = planStormGroup(group, ctx.config.storm, nowMs);
      const failures: unknown[] = [];
      for (const leaderPlan of plan.leaders) {
        await apply(leaderPlan, nowMs).catch((err: unknown) => failures.push(err));
      }
      if (failures.length > 0) {
        throw failures.find((e) => !isKubeError(e, 'conflict')) ?? failures[0];
      }
      return plan.recheckAfterMs === undefined
        ? {}
        : requeueAt(nowMs + plan.recheckAfterMs + CLOSE_MARGIN_MS, nowMs);
    },
  };
}
