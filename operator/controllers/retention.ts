// Deletes terminal RRs once they have been terminal for lifecycle.retentionHours. The CRD's
// phase carries no time, so the controller stamps status.terminalSince the first time it sees an
// RR terminal (and clears it if the RR becomes active again); retention counts from that stamp.
// An RR that turns terminal after days of activity is therefore kept for the full retention, and
// RRs that were already terminal when the operator started are kept for at least that long.
// Writes and the delete carry the cached resourceVersion, so a change meanwhile (e.g. a reopened
// RR) is looked at again rather than overwritten or deleted.
import { isTerminalPhase } from '../api/phase.ts';
import { isKubeError } from '../kube/errors.ts';
import type { ControllerContext } from './context.ts';
import { requeueAt } from './reconciler.ts';
import type { Reconciler } from './reconciler.ts';
import { patchStatus } from './status.ts';
import type { CachedRR } from '../cache/projection.ts';

export type RetentionStep =
  | { action: 'none' }
  | { action: 'stamp' }
  | { action: 'clear' }
  | { action: 'wait'; dueMs: number }
  | { action: 'delete' };

/** What retention does with one RR at `nowMs` (pure). */
export function retentionStep(rr: CachedRR, nowMs: number, retentionMs: number): RetentionStep {
  if (rr.metadata.deletionTimestamp) return { action: 'none' };
  const since = rr.status?.terminalSince;
  if (!isTerminalPhase(rr.status?.overallPhase)) return since ? { action: 'clear' } : { action: 'none' };
  const sinceMs = since ? Date.parse(since) : NaN;
  if (!Number.isFinite(sinceMs)) return { action: 'stamp' };
  const dueMs = sinceMs + retentionMs;
  return dueMs > nowMs ? { action: 'wait', dueMs } : { action: 'delete' };
}

export function retentionController(ctx: ControllerContext, now: () => number = Date.now): Reconciler {
  const retentionMs = ctx.config.lifecycle.retentionHours * 3_600_000;
  const log = ctx.logger.child({ controller: 'retention' });
  return {
    name: 'retention',
    keysOf: (rr) =>
      isTerminalPhase(rr.status?.overallPhase) || rr.status?.terminalSince ? [rr.metadata.name] : [],
    async reconcile(name) {
      const rr = ctx.cache.get(name);
      if (!rr) return {};
      const step = retentionStep(rr, now(), retentionMs);
      switch (step.action) {
        case 'stamp':
          await patchStatus(ctx, rr, { terminalSince: new Date(now()).toISOString() });
          return requeueAt(now() + retentionMs, now());
        case 'clear':
          await patchStatus(ctx, rr, { terminalSince: null });
          return {};
        case 'wait':
          return requeueAt(step.dueMs, now());
        case 'delete':
          try {
            await ctx.kube.deleteRR(rr.metadata.namespace, name, rr.metadata.resourceVersion);
          } catch (err) {
            if (isKubeError(err, 'notFound')) return {};
            throw err;
          }
          log.info('deleted CachedRR past retention', {
            rr: name,
            phase: rr.status?.overallPhase,
            terminalSince: rr.status?.terminalSince,
          });
          return {};
        default:
          return {};
      }
    },
  };
}
