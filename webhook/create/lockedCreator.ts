// Creates the RR for a fingerprint that has no active one. The API server itself refuses a
// second active RR: each fingerprint's RRs have deterministic names, one per generation
// (rrName(fp, n)), and a creator moves on to generation n+1 only after it has seen generation n
// stored and terminal. Two creators of one generation collide (AlreadyExists = "already
// created": read it by name, and it is the duplicate path). The per-fingerprint Lease around it
// keeps creators from racing and tells the next holder the newest generation, but mutual
// exclusion does not depend on its timing (docs/design.md, "Fenced creation").
// In one process, concurrent signals for the same fingerprint share a single attempt
// (single-flight) and then record themselves as occurrences on its result.
import { randomBytes } from 'node:crypto';
import { isActive, PENDING } from '../../operator/api/phase.ts';
import type { RemediationRequest, RemediationRequestStatus } from '../../operator/api/types.ts';
import type { CachedRR, RRCache } from '../../operator/cache/rrCache.ts';
import type { KubeClient } from '../../operator/kube/client.ts';
import { KubeError, readTwiceOnNoAnswer } from '../../operator/kube/errors.ts';
import type { Logger } from '../../operator/observability/logger.ts';
import type { Metrics } from '../../operator/observability/metrics.ts';
import { occurrenceId } from '../dedup/occurrences.ts';
import { generationOf, rrName } from '../signal/fingerprint.ts';
import { LockTimeoutError } from './creationLock.ts';
import type { CreationLock, HeldLock } from './creationLock.ts';
import { buildRemediationRequest, CREATE_ATTEMPT_ANNOTATION } from './rrBuilder.ts';
import type { ClassifiedSignal } from './rrBuilder.ts';

/** `created`: this call created it. `exists`: an active RR appeared (here or elsewhere). */
export type CreateResult = { kind: 'created'; rr: RemediationRequest } | { kind: 'exists' };

export interface LockedCreatorOptions {
  kube: KubeClient;
  cache: RRCache;
  /** Undefined (`intake.lock.enabled: false`, for measuring the lock's cost): names alone fence. */
  lock: CreationLock | undefined;
  maxWaitMs: number;
  /** Lock holder identity; names create attempts. */
  holder?: string;
  metrics?: Metrics;
  logger?: Logger;
}

/** Creation without a Lease: nothing to renew, nothing to release. */
const UNLOCKED: HeldLock = {
  previousRR: undefined,
  named: undefined,
  remainingMs: () => Number.POSITIVE_INFINITY,
  release: async () => undefined,
};

/** A create is sent only with at least this much of the lease left (local monotonic clock). */
export const CREATE_MARGIN_MS = 2000;
/** Generations one attempt may step over (each seen terminal) before giving up with 503. */
const MAX_GENERATION_STEPS = 8;

export class LockedCreator {
  private readonly o: LockedCreatorOptions;
  private readonly inFlight = new Map<string, Promise<CreateResult>>();

  constructor(options: LockedCreatorOptions) {
    this.o = options;
  }

  /**
   * Creates the RR, or reports that one exists. Joiners of an in-flight attempt get `exists`.
   * With `held` (the storm group's Lease, which already serialises every creator of the
   * fingerprint's group) no Lease of the fingerprint's own is taken, and `held` stays the
   * caller's to release.
   */
  async create(c: ClassifiedSignal, signal?: AbortSignal, held?: HeldLock): Promise<CreateResult> {
    const running = this.inFlight.get(c.fingerprint);
    if (running) {
      await running.catch(() => undefined);
      return { kind: 'exists' };
    }
    const attempt = (
      held
        ? this.createUnderLock(c, held, ownPrevious(held.previousRR, c.fingerprint), () => undefined)
        : this.createLocked(c, signal)
    ).finally(() => this.inFlight.delete(c.fingerprint));
    this.inFlight.set(c.fingerprint, attempt);
    return attempt;
  }

  /**
   * The active RR of a fingerprint, also when this replica's cache has not seen it yet (for a
   * resolved alert, which must not be ignored just because the watch lags). RR names are
   * deterministic, so the generations are read by name from the newest one the cache knows: one
   * GET when the cache knows the fingerprint, none when it holds the active RR. When it knows no
   * generation and none exists, the fingerprint's Lease is read once for an RR from before
   * deterministic names (`generateName`). A create under the storm group's Lease leaves no
   * fingerprint Lease, so the Lease cannot be the way to find it.
   */
  async findActive(fingerprint: string): Promise<CachedRR | undefined> {
    const { cache } = this.o;
    const cached = cache.activeByFingerprint(fingerprint);
    if (cached) return cached;
    const known = this.knownGenerations(fingerprint, undefined);
    let generation = Math.max(1, ...known);
    for (let step = 0; step < MAX_GENERATION_STEPS; step++, generation++) {
      const name = rrName(fingerprint, generation);
      const rr = cache.get(name) ?? (await this.read(name));
      if (!rr) break;
      if (isActive(rr)) return rr;
    }
    if (known.length > 0) return undefined;
    return this.legacyActive(fingerprint, await this.o.lock?.lastCreated(fingerprint));
  }

  /**
   * The RR a creator of this fingerprint will try first: the newest generation named by the
   * Lease (`previousRR`) or present in the cache, or the next one when the cache shows that one
   * terminal. Written on the Lease when it is acquired.
   */
  intendedName(fp: string, previousRR: string | undefined): string {
    const { cache } = this.o;
    let generation = Math.max(1, ...this.knownGenerations(fp, previousRR));
    for (let step = 0; step < MAX_GENERATION_STEPS; step++, generation++) {
      const seen = cache.get(rrName(fp, generation));
      if (!seen || isActive(seen)) break;
    }
    return rrName(fp, generation);
  }

  private async createLocked(c: ClassifiedSignal, signal?: AbortSignal): Promise<CreateResult> {
    const { cache, lock } = this.o;
    if (!lock) return this.createUnderLock(c, UNLOCKED, undefined, () => undefined);
    const acquired = await lock.acquire(c.fingerprint, {
      deadlineMs: Date.now() + this.o.maxWaitMs,
      signal,
      satisfied: () => cache.activeByFingerprint(c.fingerprint) !== undefined,
      intent: (previousRR) => this.intendedName(c.fingerprint, previousRR),
    });
    if ('deduplicated' in acquired) return { kind: 'exists' };
    const held = acquired.held;
    let newest = held.previousRR;
    let stored = false;
    try {
      return await this.createUnderLock(c, held, held.previousRR, (name, exists) => {
        newest = name;
        stored = exists;
      });
    } finally {
      // Nothing to write when the RR the Lease names now exists: the next creator sees it done.
      await held.release(newest, { stored });
    }
  }

  /** Walks the generations from the newest known one until one is active or ours is created. */
  private async createUnderLock(
    c: ClassifiedSignal,
    held: HeldLock,
    previousRR: string | undefined,
    tried: (name: string, exists: boolean) => void,
  ): Promise<CreateResult> {
    const { cache } = this.o;
    const fp = c.fingerprint;
    const active = cache.activeByFingerprint(fp);
    if (active) {
      tried(active.metadata.name, true);
      return { kind: 'exists' };
    }
    if ((await this.legacyActive(fp, previousRR)) !== undefined) return { kind: 'exists' };
    const known = this.knownGenerations(fp, previousRR);
    const attempt = `${this.o.holder ?? 'intake'}/${randomBytes(6).toString('hex')}`;
    let generation = Math.max(1, ...known);
    for (let step = 0; step < MAX_GENERATION_STEPS; step++, generation++) {
      const name = rrName(fp, generation);
      tried(name, false);
      // A generation known to have been used is read first (one GET, usually "active").
      const seen = cache.get(name) ?? (known.includes(generation) ? await this.read(name) : undefined);
      if (seen) {
        tried(name, true);
        if (isActive(seen)) return { kind: 'exists' };
        continue;
      }
      if (held.remainingMs() < CREATE_MARGIN_MS) {
        throw new LockTimeoutError(`creation lock for ${fp.slice(0, 12)} ran out before the create`);
      }
      const result = await this.createOrFind(
        buildRemediationRequest(c, cache.namespace, generation, attempt),
      );
      tried(name, true);
      const mine = result.created || result.rr.metadata.annotations?.[CREATE_ATTEMPT_ANNOTATION] === attempt;
      if (mine) return { kind: 'created', rr: await this.created(result.rr, c) };
      if (isActive(result.rr)) return { kind: 'exists' };
    }
    throw new LockTimeoutError(`no free generation for ${fp.slice(0, 12)} after ${MAX_GENERATION_STEPS}`);
  }

  /**
   * Sends the create. AlreadyExists means "already created"; a failure without a clear answer
   * (timeout, reset, 5xx) may have created it. Either way ONE GET by name settles it.
   */
  private async createOrFind(rr: RemediationRequest): Promise<{ created: boolean; rr: RemediationRequest }> {
    try {
      return { created: true, rr: await this.o.kube.createRR(rr) };
    } catch (err) {
      const exists = err instanceof KubeError && err.kind === 'alreadyExists';
      const unclear = !(err instanceof KubeError) || err.kind === 'unavailable';
      if (!exists && !unclear) throw err;
      const found = await readTwiceOnNoAnswer(() => this.read(rr.metadata.name));
      // Not there: it did not land (or lands later, carrying this occurrence as its first).
      if (!found) throw exists ? new KubeError('unavailable', 409, `${rr.metadata.name} vanished`) : err;
      if (found.spec.signalFingerprint !== rr.spec.signalFingerprint) {
        throw new KubeError('unavailable', 409, `${rr.metadata.name} belongs to another fingerprint`);
      }
      return { created: false, rr: found };
    }
  }

  private async created(rr: RemediationRequest, c: ClassifiedSignal): Promise<RemediationRequest> {
    const stored = await this.initialiseStatus(rr, c);
    this.o.cache.recordLocal(stored);
    this.o.metrics?.crdsCreated.inc();
    return stored;
  }

  /** Generations of this fingerprint named by the Lease or present in the cache. */
  private knownGenerations(fp: string, previousRR: string | undefined): number[] {
    const names = [previousRR, ...this.o.cache.byFingerprint(fp).map((rr) => rr.metadata.name)];
    return names.map((n) => generationOf(n, fp)).filter((g): g is number => g !== undefined);
  }

  /** An RR from before deterministic names (generateName), named by the Lease, when it is active. */
  private async legacyActive(fp: string, previousRR: string | undefined): Promise<CachedRR | undefined> {
    if (!previousRR || generationOf(previousRR, fp) !== undefined) return undefined;
    const prev = this.o.cache.get(previousRR) ?? (await this.read(previousRR));
    return prev && isActive(prev) && prev.spec.signalFingerprint === fp ? prev : undefined;
  }

  /** GET by name into the cache; undefined when it does not exist. */
  private async read(name: string): Promise<RemediationRequest | undefined> {
    try {
      const rr = await this.o.kube.getRR(this.o.cache.namespace, name);
      this.o.cache.recordLocal(rr);
      return rr;
    } catch (err) {
      if (err instanceof KubeError && err.kind === 'notFound') return undefined;
      throw err;
    }
  }

  /**
   * Status is a subresource (ignored on create): the first occurrence is written right after.
   * If this write is lost or beaten, nothing is: a missing count reads as 1, the creating
   * occurrence is on the RR's annotation (occurrences.ts), and the controller sets the phase.
   */
  private async initialiseStatus(rr: RemediationRequest, c: ClassifiedSignal): Promise<RemediationRequest> {
    if (rr.status?.deduplication?.occurrenceCount !== undefined) return rr;
    const now = c.receivedAt.toISOString();
    const status: RemediationRequestStatus = {
      overallPhase: PENDING,
      deduplication: { firstSeenAt: now, lastSeenAt: now, occurrenceCount: 1 },
    };
    if (c.signal.occurrenceKey !== undefined)
      status.recentOccurrences = [occurrenceId(c.signal.occurrenceKey)];
    try {
      return await this.o.kube.patchRRStatus(
        rr.metadata.namespace,
        rr.metadata.name,
        status,
        rr.metadata.resourceVersion,
      );
    } catch (err) {
      this.o.logger?.warn('initial status write failed', { rr: rr.metadata.name, err: String(err) });
      return rr;
    }
  }
}

/** A storm group's Lease names the group's last RR, which is this fingerprint's only if its name says so. */
export function ownPrevious(previousRR: string | undefined, fp: string): string | undefined {
  return previousRR !== undefined && generationOf(previousRR, fp) !== undefined ? previousRR : undefined;
}
