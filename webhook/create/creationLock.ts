// The per-fingerprint creation lock: a coordination.k8s.io/v1 Lease `gw-lock-<fp16>` that
// serialises RR creation for one fingerprint across every replica. It is not what prevents a
// second active RR (the RR's deterministic name does that, see lockedCreator.ts); it keeps
// creators from racing, and it carries the name of the last RR created for the fingerprint
// (annotation) to the next holder, whose cache may not have seen that RR yet.
//
// The acquiring write names the RR its holder is about to create (the annotation). A holder
// that created (or found) exactly that RR does not release: the Lease is done once the RR it
// names exists, and the next creator, which sees that RR in its cache, may take it over at once.
// So a new fingerprint costs one Lease write (plus its eventual clean-up), not two.
//
// Time is judged only on the local monotonic clock, never by comparing another node's renewTime
// with ours: a held Lease is taken over once its resourceVersion has stayed unchanged for its
// leaseDurationSeconds as observed here (as leader election and client-go do), and a holder
// counts its own lease from before it sent the acquiring write. Clock skew between nodes
// therefore changes nothing; only the clocks' rates must roughly agree.
import type { V1Lease } from '../../operator/kube/types.ts';
import { LRUCache } from 'lru-cache';
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
  /** The RR the acquiring write named as the one this holder is about to create. */
  named: string | undefined;
  /** Milliseconds of the lease left on the local monotonic clock (negative once past). */
  remainingMs(): number;
  /**
   * Ends the hold, naming the newest RR this holder created, found or tried to create. With
   * `stored` (that RR exists) and the Lease already naming it, nothing is written: the Lease is
   * done as it stands. Otherwise the Lease is released (empty holder) with the name.
   */
  release(lastRR?: string, opts?: { stored?: boolean }): Promise<void>;
}

export type AcquireResult = { held: HeldLock } | { deduplicated: true };

export interface AcquireOptions {
  deadlineMs: number;
  signal?: AbortSignal;
  /** Checked before each wait: true when the RR appeared meanwhile, so the lock is not needed. */
  satisfied: () => boolean;
  /**
   * The RR this holder will create, given the one the Lease names from earlier holders; written
   * on the Lease by the acquiring write.
   */
  intent?: (previousRR: string | undefined) => string | undefined;
}

export interface CreationLockOptions {
  kube: KubeClient;
  namespace: string;
  holder: string;
  leaseDurationSeconds: number;
  clock?: LockClock;
  /**
   * Whether an RR exists or existed (this process's cache, or seen deleted): a held Lease naming
   * such an RR is done, since its holder created or found it.
   */
  exists?: (rrName: string) => boolean;
  metrics?: Metrics;
  logger?: Logger;
}

/** How many held Leases' observations are remembered (oldest forgotten first). */
const MAX_OBSERVED = 10_000;
/** How many Leases this process last wrote are remembered, to take them again in one write. */
const MAX_KNOWN = 5_000;

export class CreationLock {
  private readonly o: CreationLockOptions;
  private readonly clock: LockClock;
  /** Per Lease: its resourceVersion as last read, and when (monotonic) it was first seen. */
  private readonly observed = new Map<string, ObservedLease>();
  /** Leases as this process last wrote them: re-taking one is a single optimistic update. */
  private readonly known = new LRUCache<string, V1Lease>({ max: MAX_KNOWN });

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
      const got = await this.tryAcquire(name, opts.intent ?? (() => undefined));
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

  private async tryAcquire(
    name: string,
    intent: (previousRR: string | undefined) => string | undefined,
  ): Promise<{ lock: HeldLock; how: string } | undefined> {
    // A Lease this process wrote last and that is free by what it wrote: one optimistic update.
    const mine = this.known.get(name);
    if (mine && this.isFree(name, mine)) {
      const taken = await this.take(name, mine, intent);
      if (taken) return taken;
    }
    // Our lease starts before the write is sent: whatever delays the write only shortens it.
    const since = this.clock.monoMs();
    const named = intent(undefined);
    try {
      const created = await this.o.kube.createLease(this.o.namespace, {
        metadata: {
          name,
          labels: { [LABEL_MANAGED_BY]: MANAGED_BY, [LOCK_LABEL]: 'creation' },
          ...(named ? { annotations: { [LAST_CREATED_ANNOTATION]: named } } : {}),
        },
        spec: this.spec(this.clock.wallMs()),
      });
      return { lock: this.held(created, undefined, since), how: 'acquired' };
    } catch (err) {
      if (!(err instanceof KubeError && err.kind === 'alreadyExists')) throw err;
    }
    const current = await this.readLease(name);
    if (!current || !this.isFree(name, current)) return undefined;
    return this.take(name, current, intent);
  }

  /** Takes a free Lease over with an update that is optimistic on its resourceVersion. */
  private async take(
    name: string,
    current: V1Lease,
    intent: (previousRR: string | undefined) => string | undefined,
  ): Promise<{ lock: HeldLock; how: string } | undefined> {
    const previousRR = current.metadata?.annotations?.[LAST_CREATED_ANNOTATION];
    const named = intent(previousRR) ?? previousRR;
    const annotations = { ...current.metadata?.annotations };
    if (named) annotations[LAST_CREATED_ANNOTATION] = named;
    const since = this.clock.monoMs();
    try {
      const taken = await this.o.kube.replaceLease(this.o.namespace, {
        ...current,
        metadata: { ...current.metadata, annotations },
        spec: {
          ...current.spec,
          ...this.spec(this.clock.wallMs()),
          leaseTransitions: (current.spec?.leaseTransitions ?? 0) + 1,
        },
      });
      this.observed.delete(name);
      const how = current.spec?.holderIdentity && current.spec.holderIdentity !== this.o.holder;
      return { lock: this.held(taken, previousRR, since), how: how ? 'taken_over' : 'acquired' };
    } catch (err) {
      // Another replica won, or the lease-cleanup controller deleted the idle lock meanwhile.
      this.known.delete(name);
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
   * Free: released (no holder); done (the RR its holder named is in this process's cache or was
   * seen deleted, so the holder created or found it); or held by someone whose Lease has not changed for its
   * whole duration as observed on our monotonic clock. The first sight of a held Lease starts
   * that count; the holder's renewTime is never compared with our clock.
   */
  private isFree(name: string, lease: V1Lease): boolean {
    const now = this.clock.monoMs();
    const seen = observeLease(this.observed.get(name), lease, now, this.o.leaseDurationSeconds);
    this.observed.delete(name);
    if (seen.holder === '') return true;
    const named = lease.metadata?.annotations?.[LAST_CREATED_ANNOTATION];
    if (named && this.o.exists?.(named)) return true;
    this.observed.set(name, seen);
    if (this.observed.size > MAX_OBSERVED) this.observed.delete(this.observed.keys().next().value!);
    // Also a Lease naming us (an earlier process with our POD_NAME) is waited out: this process
    // cannot tell whether that one is still in its critical section.
    return now >= (observedExpiry(seen) ?? now);
  }

  private held(lease: V1Lease, previousRR: string | undefined, sinceMono: number): HeldLock {
    let released = false;
    const durationMs = (lease.spec?.leaseDurationSeconds ?? this.o.leaseDurationSeconds) * 1000;
    const name = lease.metadata?.name ?? '';
    const named = lease.metadata?.annotations?.[LAST_CREATED_ANNOTATION];
    this.known.set(name, lease);
    return {
      previousRR,
      named,
      remainingMs: () => sinceMono + durationMs - this.clock.monoMs(),
      release: async (lastRR?: string, opts: { stored?: boolean } = {}) => {
        if (released) return;
        released = true;
        // Done as it stands: the Lease names the RR, and the RR exists.
        if (opts.stored && lastRR !== undefined && lastRR === named) return;
        const annotations = { ...lease.metadata?.annotations };
        if (lastRR) annotations[LAST_CREATED_ANNOTATION] = lastRR;
        try {
          const freed = await this.o.kube.replaceLease(this.o.namespace, {
            ...lease,
            metadata: { ...lease.metadata, annotations },
            spec: { ...lease.spec, holderIdentity: '', renewTime: toMicroTime(this.clock.wallMs()) },
          });
          this.known.set(name, freed);
        } catch (err) {
          this.known.delete(name);
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
