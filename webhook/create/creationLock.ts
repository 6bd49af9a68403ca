// The per-fingerprint creation lock: a coordination.k8s.io/v1 Lease `gw-lock-<fp16>` that
// serialises RR creation for one fingerprint across every replica. Acquire creates the Lease, or
// takes it over when it is free (released) or expired; release keeps the Lease object but clears
// the holder and records the RR just created, so the next holder can check that RR even when its
// own cache has not seen it yet. Waiting is bounded, cancellable and backs off with jitter.
import { V1MicroTime } from '@kubernetes/client-node';
import type { V1Lease } from '@kubernetes/client-node';
import { LABEL_MANAGED_BY, MANAGED_BY } from '../../operator/api/types.ts';
import type { KubeClient } from '../../operator/kube/client.ts';
import { KubeError } from '../../operator/kube/errors.ts';
import type { Logger } from '../../operator/observability/logger.ts';
import type { Metrics } from '../../operator/observability/metrics.ts';
import { parseMicroTime } from '../../operator/runtime/leaseRecord.ts';
import { lockLeaseName } from '../signal/fingerprint.ts';

export const LOCK_LABEL = 'kubernaut.ai/lock';
export const LAST_CREATED_ANNOTATION = 'kubernaut.ai/last-created';

export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

export interface HeldLock {
  /** The RR the previous holder created, when it said so on release. */
  previousRR: string | undefined;
  release(createdRR?: string): Promise<void>;
}

export type AcquireResult = { held: HeldLock } | { deduplicated: true };

export interface AcquireOptions {
  deadlineMs: number;
  signal?: AbortSignal;
  /** Checked before each wait: true when the RR appeared meanwhile, so the lock is not needed. */
  satisfied: () => boolean;
}

export interface CreationLockOptions {
  kube: KubeClient;
  namespace: string;
  holder: string;
  leaseDurationSeconds: number;
  metrics?: Metrics;
  logger?: Logger;
}

export function isLeaseFree(lease: V1Lease, nowMs: number): boolean {
  const spec = lease.spec ?? {};
  if (!spec.holderIdentity) return true;
  const renewed = parseMicroTime(spec.renewTime ?? spec.acquireTime) ?? 0;
  return renewed + (spec.leaseDurationSeconds ?? 0) * 1000 < nowMs;
}

export class CreationLock {
  private readonly o: CreationLockOptions;

  constructor(options: CreationLockOptions) {
    this.o = options;
  }

  async acquire(fingerprint: string, opts: AcquireOptions): Promise<AcquireResult> {
    const name = lockLeaseName(fingerprint);
    const started = performance.now();
    const outcome = (result: string) => {
      this.o.metrics?.lockAcquisition.inc({ outcome: result });
      this.o.metrics?.lockWait.observe((performance.now() - started) / 1000);
    };
    for (let attempt = 0; ; attempt++) {
      const got = await this.tryAcquire(name);
      if (got) {
        outcome(got.how);
        return { held: got.lock };
      }
      if (opts.satisfied()) {
        outcome('deduplicated');
        return { deduplicated: true };
      }
      const delay = Math.min(500, 10 * 2 ** attempt) * (0.5 + Math.random());
      if (Date.now() + delay > opts.deadlineMs || opts.signal?.aborted) {
        outcome('timeout');
        throw new LockTimeoutError(`creation lock ${name} not obtained in time`);
      }
      await new Promise((r) => setTimeout(r, delay));
      if (opts.satisfied()) {
        outcome('deduplicated');
        return { deduplicated: true };
      }
    }
  }

  private async tryAcquire(name: string): Promise<{ lock: HeldLock; how: string } | undefined> {
    const now = new V1MicroTime(Date.now());
    const spec = {
      holderIdentity: this.o.holder,
      leaseDurationSeconds: this.o.leaseDurationSeconds,
      acquireTime: now,
      renewTime: now,
    };
    try {
      const created = await this.o.kube.createLease(this.o.namespace, {
        metadata: { name, labels: { [LABEL_MANAGED_BY]: MANAGED_BY, [LOCK_LABEL]: 'creation' } },
        spec,
      });
      return { lock: this.held(created, undefined), how: 'acquired' };
    } catch (err) {
      if (!(err instanceof KubeError && err.kind === 'alreadyExists')) throw err;
    }
    const current = await this.o.kube.getLease(this.o.namespace, name).catch((err: unknown) => {
      if (err instanceof KubeError && err.kind === 'notFound') return undefined; // released meanwhile
      throw err;
    });
    if (!current || !isLeaseFree(current, Date.now())) return undefined;
    const previousRR = current.metadata?.annotations?.[LAST_CREATED_ANNOTATION];
    try {
      const taken = await this.o.kube.replaceLease(this.o.namespace, {
        ...current,
        spec: { ...current.spec, ...spec, leaseTransitions: (current.spec?.leaseTransitions ?? 0) + 1 },
      });
      return {
        lock: this.held(taken, previousRR),
        how: current.spec?.holderIdentity ? 'taken_over' : 'acquired',
      };
    } catch (err) {
      // Another replica won, or the lease-cleanup controller deleted the idle lock meanwhile.
      if (err instanceof KubeError && (err.kind === 'conflict' || err.kind === 'notFound')) return undefined;
      throw err;
    }
  }

  private held(lease: V1Lease, previousRR: string | undefined): HeldLock {
    let released = false;
    return {
      previousRR,
      release: async (createdRR?: string) => {
        if (released) return;
        released = true;
        const annotations = { ...lease.metadata?.annotations };
        if (createdRR) annotations[LAST_CREATED_ANNOTATION] = createdRR;
        try {
          await this.o.kube.replaceLease(this.o.namespace, {
            ...lease,
            metadata: { ...lease.metadata, annotations },
            spec: { ...lease.spec, holderIdentity: '', renewTime: new V1MicroTime(Date.now()) },
          });
        } catch (err) {
          // It expires on its own; a conflict means someone took an expired lock over.
          this.o.logger?.warn('creation lock release failed', {
            lease: lease.metadata?.name,
            err: String(err),
          });
        }
      },
    };
  }
}
