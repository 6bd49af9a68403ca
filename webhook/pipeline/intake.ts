// The path of one signal: resolve target -> fingerprint -> (resolved? mark) -> occurrence on the
// active RR | fold into a storm | locked create. Every outcome it returns is stored in the API
// server; anything it cannot store ends in an error that the HTTP layer turns into a 503.
import { stormGroupKey } from '../../operator/cache/rrCache.ts';
import type { RRCache } from '../../operator/cache/rrCache.ts';
import { receivedLabels } from '../../operator/observability/labelValues.ts';
import type { Metrics } from '../../operator/observability/metrics.ts';
import { resourceKey } from '../../operator/storm/policy.ts';
import type { TargetResource } from '../../operator/api/types.ts';
import type { LockedCreator } from '../create/lockedCreator.ts';
import type { ClassifiedSignal } from '../create/rrBuilder.ts';
import { markResolved, recordOccurrence } from '../dedup/mutations.ts';
import { RRNotActiveError } from '../dedup/statusBatcher.ts';
import type { StatusBatcher } from '../dedup/statusBatcher.ts';
import { priorityFor } from '../signal/classify.ts';
import type { PriorityMatrix } from '../signal/classify.ts';
import { fingerprint } from '../signal/fingerprint.ts';
import type { NormalizedSignal } from '../signal/types.ts';
import { absorb } from '../storm/absorb.ts';
import { bufferable, pendingMember } from '../storm/pending.ts';
import type { StormGate } from '../storm/stormGate.ts';
import type { EnvironmentResolver } from './environmentResolver.ts';
import type { TargetResolver } from './targetResolver.ts';

export type OutcomeStatus = 'created' | 'duplicate' | 'aggregated' | 'buffered' | 'resolved' | 'ignored';

export interface Outcome {
  status: OutcomeStatus;
  fingerprint: string;
  remediationRequestName?: string;
  remediationRequestNamespace?: string;
  occurrenceCount?: number;
  /** The occurrence had been counted before (a redelivery): nothing was counted again. */
  redelivered?: boolean;
  stormId?: string;
}

export class SignalNotSettledError extends Error {
  override name = 'SignalNotSettledError';
}

export interface IntakeDeps {
  cache: RRCache;
  targets: TargetResolver;
  environments: EnvironmentResolver;
  batcher: StatusBatcher;
  creator: LockedCreator;
  storms: StormGate;
  priorityMatrix: PriorityMatrix;
  metrics?: Metrics;
}

const MAX_ROUNDS = 8;

export class Intake {
  private readonly d: IntakeDeps;

  constructor(deps: IntakeDeps) {
    this.d = deps;
  }

  async process(signal: NormalizedSignal, abort?: AbortSignal): Promise<Outcome> {
    const receivedAt = new Date();
    const target = await this.d.targets.resolve(signal.target);
    const fp = fingerprint(signal.clusterID, target);
    this.d.metrics?.signalsReceived.inc(receivedLabels(signal, this.d.priorityMatrix));
    if (signal.resolved) return this.resolve(fp, signal.occurrenceKey);

    const ns = this.d.cache.namespace;
    const named = (name: string) => ({
      fingerprint: fp,
      remediationRequestName: name,
      remediationRequestNamespace: ns,
    });
    const member = {
      fingerprint: fp,
      resource: resourceKey(target),
      occurrenceKey: signal.occurrenceKey,
      unbufferable: !bufferable(signal),
    };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      abort?.throwIfAborted();
      const active = this.d.cache.activeByFingerprint(fp);
      if (active) {
        const done = await this.settled(
          this.d.batcher.submit(active.metadata.name, recordOccurrence(signal.occurrenceKey)),
        );
        if (!done) continue;
        this.countDuplicate(done.result.redelivered);
        return { status: 'duplicate', ...named(done.rr.metadata.name), ...done.result };
      }
      const gate = await this.d.storms.decide(stormGroupKey(target.namespace, signal.name), member, abort);
      if (gate.kind !== 'create') {
        const got = await absorb(gate, this.d.batcher, this.d.storms.cfg, member, async () =>
          pendingMember(await this.classify(signal, target, fp, receivedAt)),
        );
        if (!got) continue;
        if (got.redelivered) {
          this.countDuplicate(true);
          return {
            status: got.status,
            ...named(got.rr.metadata.name),
            stormId: got.stormId,
            redelivered: true,
          };
        }
        if (got.opened) this.d.metrics?.stormsDetected.inc({ type: got.opened });
        if (got.status === 'aggregated') this.d.metrics?.signalsAggregated.inc();
        return { status: got.status, ...named(got.rr.metadata.name), stormId: got.stormId };
      }
      let created;
      try {
        const classified = await this.classify(signal, target, fp, receivedAt);
        created = await this.d.creator.create(classified, abort, gate.lock);
      } finally {
        gate.done(created?.kind === 'created' ? created.rr : undefined);
      }
      if (created.kind === 'created') {
        return { status: 'created', ...named(created.rr.metadata.name) };
      }
    }
    throw new SignalNotSettledError(
      `signal for ${fp.slice(0, 12)} did not settle after ${MAX_ROUNDS} rounds`,
    );
  }

  /**
   * Storm planning for an Alertmanager batch, before any of its alerts is processed: targets are
   * resolved (cached) and fingerprinted once here. Returns the clean-up to run once it is answered.
   */
  async planBatch(signals: NormalizedSignal[], truncatedAlerts = 0): Promise<() => void> {
    const entries = await Promise.all(
      signals
        .filter((s) => !s.resolved)
        .map(async (s) => {
          const target = await this.d.targets.resolve(s.target).catch(() => undefined);
          if (!target) return undefined; // its own processing reports the failure
          const fp = fingerprint(s.clusterID, target);
          const groupKey = stormGroupKey(target.namespace, s.name);
          const active = this.d.cache.activeByFingerprint(fp) !== undefined;
          return { groupKey, fingerprint: fp, resource: resourceKey(target), active };
        }),
    );
    return this.d.storms.planBatch(
      entries.filter((e) => e !== undefined),
      truncatedAlerts,
    );
  }

  private async classify(
    signal: NormalizedSignal,
    target: TargetResource,
    fp: string,
    receivedAt: Date,
  ): Promise<ClassifiedSignal> {
    const environment = await this.d.environments.environmentOf(target.namespace);
    const priority = priorityFor(this.d.priorityMatrix, signal.severity, environment);
    return { signal, target, fingerprint: fp, environment, priority, receivedAt };
  }

  /**
   * Marks the active RR resolved. A replica whose cache lags looks the newest RR up by name
   * before answering `ignored`: Alertmanager sends a resolution once.
   */
  private async resolve(fp: string, occurrenceKey: string | undefined): Promise<Outcome> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const active = await this.d.creator.findActive(fp);
      if (!active) break;
      const done = await this.settled(
        this.d.batcher.submit(active.metadata.name, markResolved(occurrenceKey)),
      );
      if (!done) continue;
      const named = {
        fingerprint: fp,
        remediationRequestName: done.rr.metadata.name,
        remediationRequestNamespace: done.rr.metadata.namespace,
      };
      if (done.result.redelivered) {
        this.countDuplicate(true);
        return {
          status: 'duplicate',
          ...named,
          occurrenceCount: done.result.occurrenceCount,
          redelivered: true,
        };
      }
      this.d.metrics?.signalsResolved.inc({ outcome: 'resolved' });
      return { status: 'resolved', ...named };
    }
    this.d.metrics?.signalsResolved.inc({ outcome: 'ignored' });
    return { status: 'ignored', fingerprint: fp };
  }

  private countDuplicate(redelivered: boolean): void {
    if (redelivered) this.d.metrics?.signalsRedelivered.inc();
    else this.d.metrics?.signalsDeduplicated.inc();
  }

  /** The write's result, or undefined when the RR stopped being active (go round again). */
  private async settled<T>(write: Promise<T>): Promise<T | undefined> {
    try {
      return await write;
    } catch (err) {
      if (err instanceof RRNotActiveError) return undefined;
      throw err;
    }
  }
}
