// Lease-based leader election over coordination.k8s.io/v1, through KubeClient only.
// A candidate tries every retryPeriod to create the lease or take it over (when it is released
// or expired, see leaseRecord.ts); every write is optimistic on resourceVersion, so of two
// candidates racing for one lease version exactly one wins and the other gets a conflict.
// The leader renews every retryPeriod, retrying failed renewals quickly, and steps down (aborts
// the signal given to onStartedLeading) when no renewal has succeeded for renewDeadline, which is
// shorter than the lease duration, so it stops acting before anyone else may take over. After a
// step-down it becomes a candidate again. stop() ends leadership and releases the lease.
import type { V1Lease } from '../kube/types.ts';
import type { KubeClient } from '../kube/client.ts';
import { isKubeError } from '../kube/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { raceAbort, sleep } from './backoff.ts';
import { acquiredLeaseSpec, leaseHeldByOther, observeLease, releasedLeaseSpec } from './leaseRecord.ts';
import type { ObservedLease } from './leaseRecord.ts';

export type LeaseClient = Pick<KubeClient, 'getLease' | 'createLease' | 'replaceLease'>;

export interface LeaderElectionOptions {
  client: LeaseClient;
  namespace: string;
  name: string;
  /** Holder identity, unique per process (POD_NAME). */
  identity: string;
  /** Default 15. */
  leaseDurationSeconds?: number;
  /** Step down when renewals fail for this long (default 2/3 of the lease duration). */
  renewDeadlineMs?: number;
  /** Interval of acquisition attempts and renewals (default 1/3 of the lease duration). */
  retryPeriodMs?: number;
  /**
   * Called on becoming leader. `signal` aborts when leadership ends; a returned promise is
   * awaited (up to renewDeadline) on stop() before the lease is released, so that the leader's
   * work has stopped before a successor starts.
   */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called once each time leadership ends (step-down or stop). */
  onStoppedLeading?: () => void;
  /** Clock used for lease times and expiry decisions (default Date.now). */
  now?: () => number;
  logger?: Logger;
  metrics?: Metrics;
}

export class LeaderElector {
  private readonly opts: LeaderElectionOptions;
  private readonly durationSeconds: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly now: () => number;
  private readonly log: Logger | undefined;
  private readonly stopper = new AbortController();
  private running: Promise<void> | undefined;
  private observed: ObservedLease | undefined;
  /** The lease as we last wrote it while leading: renewals replace it without reading first. */
  private written: V1Lease | undefined;
  private leader: { abort: AbortController; task: Promise<void> } | undefined;
  /** Numbers attempts, so that a late answer to an abandoned attempt is ignored. */
  private epoch = 0;

  constructor(options: LeaderElectionOptions) {
    this.opts = options;
    this.durationSeconds = options.leaseDurationSeconds ?? 15;
    this.renewDeadlineMs = options.renewDeadlineMs ?? (this.durationSeconds * 1000 * 2) / 3;
    this.retryPeriodMs = options.retryPeriodMs ?? (this.durationSeconds * 1000) / 3;
    if (this.renewDeadlineMs >= this.durationSeconds * 1000)
      throw new Error('renewDeadline must be shorter than the lease');
    this.now = options.now ?? Date.now;
    this.log = options.logger?.child({
      component: 'leader-election',
      lease: options.name,
      identity: options.identity,
    });
    options.metrics?.leaderStatus.set(0);
  }

  isLeader(): boolean {
    return this.leader !== undefined;
  }

  /** Starts campaigning in the background; idempotent. */
  start(): void {
    this.running ??= this.run().catch((err: unknown) => {
      this.log?.error('leader election loop crashed', { err });
    });
  }

  /** Ends leadership (awaiting the leader's work, then releasing the lease) and stops campaigning. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const stop = this.stopper.signal;
    while (!stop.aborted) {
      const renewedAt = this.now();
      const won = await this.attempt(renewedAt + this.renewDeadlineMs);
      if (won && stop.aborted) {
        await this.release(); // stop() came while the winning write was in flight
      } else if (won) {
        this.startLeading();
        await this.renewUntilLost(renewedAt);
        await this.stopLeading(stop.aborted);
      } else {
        await sleep(this.retryPeriodMs * (1 + Math.random() * 0.2), stop);
      }
    }
  }

  /** Renews every retryPeriod; returns when the renewDeadline passed without success, or on stop. */
  private async renewUntilLost(lastRenewedAt: number): Promise<void> {
    const stop = this.stopper.signal;
    let renewedAt = lastRenewedAt;
    while (await sleep(this.retryPeriodMs, stop)) {
      for (;;) {
        const started = this.now();
        const deadline = renewedAt + this.renewDeadlineMs;
        if (started >= deadline) {
          this.log?.warn('lease not renewed within the renew deadline; stepping down');
          return;
        }
        if (await this.attempt(deadline)) {
          renewedAt = started;
          break;
        }
        if (stop.aborted) return;
        if (this.observed && leaseHeldByOther(this.observed, this.opts.identity, this.now())) {
          this.log?.warn('lease taken over by another holder; stepping down', {
            holder: this.observed.holder,
          });
          return;
        }
        await sleep(Math.min(this.retryPeriodMs / 4, Math.max(0, deadline - this.now())), stop);
      }
    }
  }

  /**
   * One acquire-or-renew attempt, abandoned at local time `deadline`; never throws. It is not cut
   * short by stop(), so that a release never races a renewal still in flight.
   */
  private async attempt(deadline: number): Promise<boolean> {
    const epoch = ++this.epoch;
    try {
      return await raceAbort(
        this.tryAcquireOrRenew(epoch),
        AbortSignal.timeout(Math.max(1, deadline - this.now())),
      );
    } catch (err) {
      this.epoch++; // an abandoned request's late answer must not be recorded
      this.written = undefined; // its outcome is unknown: read the lease next time
      this.log?.warn('lease acquire/renew failed', { err: String(err) });
      return false;
    }
  }

  private async tryAcquireOrRenew(epoch: number): Promise<boolean> {
    const { client, namespace, name, identity } = this.opts;
    const now = this.now();
    let lease = this.leader ? this.written : undefined;
    if (!lease) {
      try {
        lease = await client.getLease(namespace, name);
      } catch (err) {
        if (!isKubeError(err, 'notFound')) throw err;
        const body: V1Lease = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace },
          spec: acquiredLeaseSpec(undefined, identity, this.durationSeconds, now),
        };
        return this.write(() => client.createLease(namespace, body), now, epoch);
      }
    }
    if (epoch !== this.epoch) return false;
    this.observed = observeLease(this.observed, lease, now, this.durationSeconds);
    if (leaseHeldByOther(this.observed, identity, now)) return false;
    const body: V1Lease = {
      ...lease,
      metadata: { ...lease.metadata },
      spec: acquiredLeaseSpec(lease.spec, identity, this.durationSeconds, now),
    };
    return this.write(() => client.replaceLease(namespace, body), now, epoch);
  }

  /** Performs an optimistic write; a conflict (or a racing create) means another writer won. */
  private async write(call: () => Promise<V1Lease>, now: number, epoch: number): Promise<boolean> {
    try {
      const lease = await call();
      if (epoch !== this.epoch) return false;
      this.written = lease;
      this.observed = observeLease(this.observed, lease, now, this.durationSeconds);
      return true;
    } catch (err) {
      if (epoch === this.epoch) this.written = undefined;
      if (isKubeError(err, 'conflict') || isKubeError(err, 'alreadyExists')) return false;
      throw err;
    }
  }

  private startLeading(): void {
    const abort = new AbortController();
    this.log?.info('started leading');
    this.opts.metrics?.leaderStatus.set(1);
    const task = Promise.resolve()
      .then(() => this.opts.onStartedLeading(abort.signal))
      .catch((err: unknown) => this.log?.error('onStartedLeading failed', { err }))
      .then(() => undefined);
    this.leader = { abort, task };
  }

  private async stopLeading(release: boolean): Promise<void> {
    const leader = this.leader;
    if (!leader) return;
    this.leader = undefined;
    leader.abort.abort();
    this.opts.metrics?.leaderStatus.set(0);
    this.log?.info('stopped leading', { release });
    try {
      this.opts.onStoppedLeading?.();
    } catch (err) {
      this.log?.error('onStoppedLeading failed', { err });
    }
    if (!release) return;
    await Promise.race([leader.task, sleep(this.renewDeadlineMs)]);
    await this.release();
  }

  /**
   * Gives the lease up if we still hold it. Tries the version we last wrote, then (on a conflict
   * or when that is unknown) the version read now, if it still names us.
   */
  private async release(): Promise<void> {
    this.epoch++;
    let lease = this.written;
    this.written = undefined;
    for (let tries = 0; tries < 2; tries++) {
      lease ??= await this.readOwnLease();
      if (!lease) return;
      const body: V1Lease = {
        ...lease,
        metadata: { ...lease.metadata },
        spec: releasedLeaseSpec(lease.spec, this.now()),
      };
      try {
        await this.opts.client.replaceLease(this.opts.namespace, body);
        this.log?.info('lease released');
        return;
      } catch (err) {
        if (!isKubeError(err, 'conflict')) {
          this.log?.warn('lease release failed', { err: String(err) });
          return;
        }
        lease = undefined;
      }
    }
  }

  /** The lease when it still names us as holder (the last renewal's outcome was unknown). */
  private async readOwnLease(): Promise<V1Lease | undefined> {
    try {
      const lease = await this.opts.client.getLease(this.opts.namespace, this.opts.name);
      return lease.spec?.holderIdentity === this.opts.identity ? lease : undefined;
    } catch {
      return undefined;
    }
  }
}
