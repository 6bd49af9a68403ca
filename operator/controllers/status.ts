// Optimistic status writes for the controllers: merge-patched with the cached resourceVersion,
// so a write based on a stale view fails with a `conflict` KubeError (the key is reconciled again
// from the newer version). The stored object goes into the cache at once (read-your-writes).
import { isKubeError } from '../kube/errors.ts';
import type { ControllerContext } from './context.ts';
import type { CachedRR } from '../cache/projection.ts';

/** Returns false when the RR no longer exists (nothing left to converge). */
export async function patchStatus(
  ctx: ControllerContext,
  rr: CachedRR,
  status: Record<string, unknown>,
): Promise<boolean> {
  try {
    const stored = await ctx.kube.patchRRStatus(
      rr.metadata.namespace,
      rr.metadata.name,
      status,
      rr.metadata.resourceVersion,
    );
    ctx.cache.recordLocal(stored);
    return true;
  } catch (err) {
    if (isKubeError(err, 'notFound')) return false;
    if (isKubeError(err, 'conflict')) ctx.metrics.statusUpdateConflicts.inc();
    throw err;
  }
}
