// The storm controller's writes outside the leader's status: it gives buffered (pending) members
// their own RRs once their holder's window ended without a storm, and labels a storm's RRs with
// `kubernaut.ai/storm=<stormId>` so that `kubectl get rr -l kubernaut.ai/storm=<id>` lists them.
import { mergePatchDiff } from '../api/mergePatch.ts';
import { LABEL_STORM } from '../api/types.ts';
import type { PendingMember } from '../api/types.ts';
import { isKubeError } from '../kube/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { DueBuffer } from '../storm/plan.ts';
import { recordCreation, remember } from '../../webhook/dedup/occurrences.ts';
import { classifiedFromPending } from '../../webhook/storm/pending.ts';
import type { ControllerContext } from './context.ts';
import { patchStatus } from './status.ts';
import type { CachedRR } from '../cache/projection.ts';

export async function labelStorm(ctx: ControllerContext, rr: CachedRR, stormId: string): Promise<void> {
  try {
    const stored = await ctx.kube.patchRRLabels(rr.metadata.namespace, rr.metadata.name, {
      [LABEL_STORM]: stormId,
    });
    ctx.cache.recordLocal(stored);
  } catch (err) {
    if (!isKubeError(err, 'notFound')) throw err;
  }
}

/**
 * Creates each due member's RR through the intake's locked create path (an RR that exists by now
 * is fine: `exists`), carries its buffered repeats over, and only then removes it from the
 * holder. A crash in between repeats the create (found to exist) and the removal, never loses one.
 */
export async function createBuffered(ctx: ControllerContext, b: DueBuffer, log: Logger): Promise<void> {
  if (!ctx.creator) return;
  const done: string[] = [];
  for (const p of b.due) {
    const result = await ctx.creator.create(classifiedFromPending(p, b.holder.spec.signalName));
    if (result.kind === 'created') await carryRepeats(ctx, result.rr, p);
    done.push(p.fingerprint);
  }
  const before = b.holder.status ?? {};
  const storm = before.stormAggregation ?? {};
  const rest = (storm.pendingMembers ?? []).filter((p) => !done.includes(p.fingerprint));
  const after = { ...before, stormAggregation: { ...storm, pendingMembers: rest.length ? rest : undefined } };
  const patch = mergePatchDiff(before as Record<string, unknown>, after as Record<string, unknown>);
  await patchStatus(ctx, b.holder, patch);
  log.info('buffered signals got their own RRs', { holder: b.holder.metadata.name, created: done.length });
}

/**
 * A pending member seen more than once keeps its count, its last time and its occurrence ids on
 * its own RR (the first one is its creating occurrence), so a redelivery is recognised there.
 */
async function carryRepeats(ctx: ControllerContext, rr: CachedRR, p: PendingMember): Promise<void> {
  if (p.occurrences <= 1) return;
  const before = rr.status ?? {};
  const after = structuredClone(before);
  recordCreation(after, rr);
  for (const id of p.recentOccurrences ?? []) remember(after, id);
  const d = before.deduplication ?? {};
  after.deduplication = {
    ...d,
    occurrenceCount: (d.occurrenceCount ?? 1) + p.occurrences - 1,
    lastSeenAt: p.lastSeenAt > (d.lastSeenAt ?? '') ? p.lastSeenAt : d.lastSeenAt,
  };
  await patchStatus(
    ctx,
    rr,
    mergePatchDiff(before as Record<string, unknown>, after as Record<string, unknown>),
  );
}
