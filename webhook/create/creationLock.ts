// The per-fingerprint creation lock: a coordination.k8s.io/v1 Lease `gw-lock-<fp16>` that
// serialises RR creation for one fingerprint across every replica. It is not what prevents a
// second active RR (the RR's deterministic name does that, see lockedCreator.ts); it keeps
// creators from racing, and it carries the name of the last RR created for the fingerprint
// (annotation) to the next holder, whose cache may not have seen that RR yet.
//
// Time is judged only on the local monotonic clock, never by comparing another node's renewTime
// with ours: a held Lease is taken over once its resourceVersion has stayed unchanged for its
// leaseDurationSeconds as observed here (as leader election and client-go do), and a holder
// counts its own lease from before it sent the acquiring write. Clock skew between nodes
// therefore changes nothing; only the clocks' rates must roughly agree.
import type { V1Lease } from '../../operator/kube/types.ts';
import { LABEL_MANAGED_BY, MANAGED_BY } from '../../operator/api/types.ts';
import type { KubeClient } from '../../operator/kube/client.ts';
import { KubeError } from '../../operator/kube/errors.ts';
import type { Logger } from '../../operator/observability/logger.ts';
import type { Metrics } from '../../operator/observability/metrics.ts';
import { observedExpiry, observeLease, toMicroTime } from '../../operator/runtime/leaseRecord.ts';
import type { ObservedLease } from '../../operator/runtime/leaseRecord.ts';
import { lockLeaseName } from '../signal/fingerprint.ts';

export const LOCK_LABEL = 'kubernaut.ai/lock';
export const LAST_CREATED_ANNOTATION = 'kubernaut.ai/last-created';

export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

/** The lock's clocks, injectable so tests can skew or stall them. */
export interface LockClock {
  /** Wall time (ms since the epoch): only written into the Lease for people, never compared. */
  wallMs(): number;
  /** Monotonic time (ms): every expiry judgement. */
  monoMs(): number;
}

export const systemClock: LockClock = { wallMs: () => Date.now(), monoMs: () => performance.now() };

export interface HeldLock {
  /** The RR the previous holders last created (or tried to), when the Lease names one. */
  previousRR: string | undefined;
  /** Milliseconds of the lease left on the local monotonic clock (negative once past). */
  remainingMs(): number;
  /** Releases the lock, naming the newest RR this holder created, found or tried to create. */
  release(lastRR?: string): Promise<void>;
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
  clock?: LockClock;
  metrics?: Metrics;
  logger?: Logger;
}

/** How many held Leases' observations are remembered (oldest forgotten first). */
const MAX_OBSERVED = 10_000;

export class CreationLock {
  private readonly o: CreationLockOptions;
  private readonly clock: LockClock;
  /** Per Lease: its resourceVersion as last read, and when (monotonic) it was first seen. */
  private readonly observed = new Map<string, ObservedLease>();

  constructor(options: CreationLockOptions) {
    this.o = options;
    this.clock = options.clock ?? systemClock;
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

  /** The RR the fingerprint's Lease names as last created (one GET), if the Lease exists. */
  async lastCreated(fingerprint: string): Promise<string | undefined> {
    const lease = await this.readLease(lockLeaseName(fingerprint));
    return lease?.metadata?.annotations?.[LAST_CREATED_ANNOTATION];
  }

  private spec(acquiredAtWall: number) {
    return {
      holderIdentity: this.o.holder,
      leaseDurationSeconds: this.o.leaseDurationSeconds,
      acquireTime: toMicroTime(acquiredAtWall),
      renewTime: toMicroTime(acquiredAtWall),
    };
  }

  private async tryAcquire(name: string): Promise<{ lock: HeldLock; how: string } | undefined> {
    // Our lease starts before the write is sent: whatever delays the write only shortens it.
    let since = this.clock.monoMs();
    try {
      const created = await this.o.kube.createLease(this.o.namespace, {
        metadata: { name, labels: { [LABEL_MANAGED_BY]: MANAGED_BY, [LOCK_LABEL]: 'creation' } },
        spec: this.spec(this.clock.wallMs()),
      });
      return { lock: this.held(created, undefined, since), how: 'acquired' };
    } catch (err) {
      if (!(err instanceof KubeError && err.kind === 'alreadyExists')) throw err;
    }
    const current = await this.readLease(name);
    if (!current || !this.isFree(name, current)) return undefined;
    const previousRR = current.metadata?.annotations?.[LAST_CREATED_ANNOTATION];
    since = this.clock.monoMs();
    try {
      const taken = await this.o.kube.replaceLease(this.o.namespace, {
        ...current,
        spec: {
          ...current.spec,
          ...this.spec(this.clock.wallMs()),
          leaseTransitions: (current.spec?.leaseTransitions ?? 0) + 1,
        },
      });
      this.observed.delete(name);
      return {
        lock: this.held(taken, previousRR, since),
        how: current.spec?.holderIdentity ? 'taken_over' : 'acquired',
      };
    } catch (err) {
      // Another replica won, or the lease-cleanup controller deleted the idle lock meanwhile.
      if (err instanceof KubeError && (err.kind === 'conflict' || err.kind === 'notFound')) return undefined;
      throw err;
    }
  }

  private async readLease(name: string): Promise<V1Lease | undefined> {
    try {
      return await this.o.kube.getLease(this.o.namespace, name);
    } catch (err) {
      if (err instanceof KubeError && err.kind === 'notFound') return undefined; // deleted meanwhile
      throw err;
    }
  }

  /**
   * Free: released (no holder), or held by someone whose Lease has not changed for its whole
   * duration as observed on our monotonic clock. The first sight of a held Lease starts that
   * count; the holder's renewTime is never compared with our clock.
   */
  private isFree(name: string, lease: V1Lease): boolean {
    const now = this.clock.monoMs();
    const seen = observeLease(this.observed.get(name), lease, now, this.o.leaseDurationSeconds);
    this.observed.delete(name);
    if (seen.holder === '') return true;
    this.observed.set(name, seen);
    if (this.observed.size > MAX_OBSERVED) this.observed.delete(this.observed.keys().next().value!);
    // Also a Lease naming us (an earlier process with our POD_NAME) is waited out: this process
    // cannot tell whether that one is still in its critical section.
    return now >= (observedExpiry(seen) ?? now);
  }

  private held(lease: V1Lease, previousRR: string | undefined, sinceMono: number): HeldLock {
    let released = false;
    const durationMs = (lease.spec?.leaseDurationSeconds ?? this.o.leaseDurationSeconds) * 1000;
    return {
      previousRR,
      remainingMs: () => sinceMono + durationMs - this.clock.monoMs(),
      release: async (lastRR?: string) => {
        if (released) return;
        released = true;
        const annotations = { ...lease.metadata?.annotations };
        if (lastRR) annotations[LAST_CREATED_ANNOTATION] = lastRR;
        try {
          await this.o.kube.replaceLease(this.o.namespace, {
            ...lease,
            metadata: { ...lease.metadata, annotations },
            spec: { ...lease.spec, holderIdentity: '', renewTime: toMicroTime(this.clock.wallMs()) },
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
