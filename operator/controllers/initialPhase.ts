// Sets `overallPhase: Pending` on RRs that have no phase. The intake writes Pending itself right
// after creating an RR; this controller only covers RRs whose initial status write failed or
// that were created by someone else, so it leaves every RR alone for a grace period first and
// never races the intake's own write.
import { PENDING } from '../api/phase.ts';
import { creationMs } from '../cache/rrCache.ts';
import type { ControllerContext } from './context.ts';
import { requeueAt } from './reconciler.ts';
import type { Reconciler } from './reconciler.ts';
import { patchStatus } from './status.ts';
import type { CachedRR } from '../cache/projection.ts';

export const INITIAL_PHASE_GRACE_MS = 10_000;

function needsPhase(rr: CachedRR): boolean {
  return !rr.status?.overallPhase && !rr.metadata.deletionTimestamp;
}

export function initialPhaseController(ctx: ControllerContext, now: () => number = Date.now): Reconciler {
  return {
    name: 'initial-phase',
    concurrency: 2,
    keysOf: (rr) => (needsPhase(rr) ? [rr.metadata.name] : []),
    async reconcile(name) {
      const rr = ctx.cache.get(name);
      if (!rr || !needsPhase(rr)) return {};
      const due = creationMs(rr) + INITIAL_PHASE_GRACE_MS;
      if (due > now()) return requeueAt(due, now());
      await patchStatus(ctx, rr, { overallPhase: PENDING });
      return {};
    },
  };
}
