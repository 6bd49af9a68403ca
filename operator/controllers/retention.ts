// Deletes terminal RRs once their completion is older than lifecycle.retentionHours.
// The CRD has no completion timestamp, so completion is the newest timestamp in the status
// (signalResolvedAt, deduplication first/lastSeenAt, the storm's detected/last-aggregated/closed
// times): the last thing known to have happened to the RR. An RR whose status carries none falls
// back to its creationTimestamp. The delete carries the cached resourceVersion as a
// precondition, so an RR changed meanwhile (e.g. reopened) is looked at again, not deleted.
import { isTerminalPhase } from '../api/phase.ts';
import type { RemediationRequest } from '../api/types.ts';
import { creationMs } from '../cache/rrCache.ts';
import { isKubeError } from '../kube/errors.ts';
import type { ControllerContext } from './context.ts';
import { requeueAt } from './reconciler.ts';
import type { Reconciler } from './reconciler.ts';

export function completedAtMs(rr: RemediationRequest): number {
  const s = rr.status ?? {};
  const stamps = [
    s.signalResolvedAt,
    s.deduplication?.firstSeenAt,
    s.deduplication?.lastSeenAt,
    s.stormAggregation?.stormDetectedAt,
    s.stormAggregation?.lastAggregatedAt,
    s.stormAggregation?.closedAt,
  ]
    .map((t) => (t ? Date.parse(t) : NaN))
    .filter((t) => Number.isFinite(t));
  return stamps.length > 0 ? Math.max(...stamps) : creationMs(rr);
}

function isRetained(rr: RemediationRequest): boolean {
  return isTerminalPhase(rr.status?.overallPhase) && !rr.metadata.deletionTimestamp;
}

export function retentionController(ctx: ControllerContext, now: () => number = Date.now): Reconciler {
  const retentionMs = ctx.config.lifecycle.retentionHours * 3_600_000;
  const log = ctx.logger.child({ controller: 'retention' });
  return {
    name: 'retention',
    keysOf: (rr) => (isRetained(rr) ? [rr.metadata.name] : []),
    async reconcile(name) {
      const rr = ctx.cache.get(name);
      if (!rr || !isRetained(rr)) return {};
      const due = completedAtMs(rr) + retentionMs;
      if (due > now()) return requeueAt(due, now());
      try {
        await ctx.kube.deleteRR(rr.metadata.namespace, name, rr.metadata.resourceVersion);
      } catch (err) {
        if (isKubeError(err, 'notFound')) return {};
        throw err;
      }
      log.info('deleted RemediationRequest past retention', {
        rr: name,
        phase: rr.status?.overallPhase,
        completedAt: new Date(completedAtMs(rr)).toISOString(),
      });
      return {};
    },
  };
}
