// Deletes the per-fingerprint creation-lock Leases (label kubernaut.ai/lock=creation) nobody has
// used for lifecycle.leaseCleanupAfterSeconds: no holder (released) or a holder whose lease has
// expired, and last renewed longer ago than that. The intake keeps released locks on purpose (the
// next holder reads the RR its predecessor created), so only long-idle ones go. Deletes carry the
// listed resourceVersion as a precondition: a lock taken meanwhile is kept. The leader-election
// Lease has no lock label and is skipped by name as well.
import type { V1Lease } from '../kube/types.ts';
import { LOCK_LABEL } from '../../webhook/create/creationLock.ts';
import { isKubeError } from '../kube/errors.ts';
import { parseMicroTime } from '../runtime/leaseRecord.ts';
import type { ControllerContext } from './context.ts';
import { requeueAt } from './reconciler.ts';
import type { Reconciler } from './reconciler.ts';

export const LEASE_CLEANUP_KEY = 'creation-locks';

/** When a lock Lease may be deleted: idle for `idleMs` and, when held, past its own expiry. */
export function lockDeletableAtMs(lease: V1Lease, idleMs: number): number {
  const spec = lease.spec ?? {};
  const touched =
    parseMicroTime(spec.renewTime) ??
    parseMicroTime(spec.acquireTime) ??
    parseMicroTime(lease.metadata?.creationTimestamp) ??
    0;
  const expiryMs = spec.holderIdentity ? (spec.leaseDurationSeconds ?? 0) * 1000 + 1 : 0;
  return touched + Math.max(idleMs, expiryMs);
}

export function leaseCleanupController(ctx: ControllerContext, now: () => number = Date.now): Reconciler {
  const { namespace, lifecycle, leaderElection } = ctx.config;
  const log = ctx.logger.child({ controller: 'lease-cleanup' });
  return {
    name: 'lease-cleanup',
    keysOf: () => [],
    resyncKeys: () => [LEASE_CLEANUP_KEY],
    async reconcile() {
      const leases = await ctx.kube.listLeases(namespace, `${LOCK_LABEL}=creation`);
      let next = Infinity;
      for (const lease of leases) {
        const name = lease.metadata?.name;
        if (!name || name === leaderElection.leaseName) continue;
        const due = lockDeletableAtMs(lease, lifecycle.leaseCleanupAfterSeconds * 1000);
        if (due > now()) {
          next = Math.min(next, due);
          continue;
        }
        try {
          await ctx.kube.deleteLease(namespace, name, lease.metadata?.resourceVersion);
          log.debug('deleted idle creation lock', { lease: name });
        } catch (err) {
          // Taken or renewed meanwhile (conflict), or gone already: both mean leave it.
          if (!isKubeError(err, 'conflict') && !isKubeError(err, 'notFound')) throw err;
        }
      }
      return Number.isFinite(next) ? requeueAt(next, now()) : {};
    },
  };
}
