// Creates the RR for a fingerprint that has no active one, under the per-fingerprint Lease.
// In one process, concurrent signals for the same fingerprint share a single attempt
// (single-flight) and then record themselves as occurrences on its result.
import { isActive, PENDING } from '../../operator/api/phase.ts';
import type { RemediationRequest } from '../../operator/api/types.ts';
import type { RRCache } from '../../operator/cache/rrCache.ts';
import type { KubeClient } from '../../operator/kube/client.ts';
import { KubeError } from '../../operator/kube/errors.ts';
import type { Logger } from '../../operator/observability/logger.ts';
import type { Metrics } from '../../operator/observability/metrics.ts';
import type { CreationLock } from './creationLock.ts';
import { buildRemediationRequest } from './rrBuilder.ts';
import type { ClassifiedSignal } from './rrBuilder.ts';

/** `created`: this call created it. `exists`: an active RR appeared (here or elsewhere). */
export type CreateResult = { kind: 'created'; rr: RemediationRequest } | { kind: 'exists' };

export interface LockedCreatorOptions {
  kube: KubeClient;
  cache: RRCache;
  lock: CreationLock;
  maxWaitMs: number;
  metrics?: Metrics;
  logger?: Logger;
}

export class LockedCreator {
  private readonly o: LockedCreatorOptions;
  private readonly inFlight = new Map<string, Promise<CreateResult>>();

  constructor(options: LockedCreatorOptions) {
    this.o = options;
  }

  /** Creates the RR, or reports that one exists. Joiners of an in-flight attempt get `exists`. */
  async create(c: ClassifiedSignal, signal?: AbortSignal): Promise<CreateResult> {
    const running = this.inFlight.get(c.fingerprint);
    if (running) {
      await running.catch(() => undefined);
      return { kind: 'exists' };
    }
    const attempt = this.createLocked(c, signal).finally(() => this.inFlight.delete(c.fingerprint));
    this.inFlight.set(c.fingerprint, attempt);
    return attempt;
  }

  private async createLocked(c: ClassifiedSignal, signal?: AbortSignal): Promise<CreateResult> {
    const { cache } = this.o;
    const acquired = await this.o.lock.acquire(c.fingerprint, {
      deadlineMs: Date.now() + this.o.maxWaitMs,
      signal,
      satisfied: () => cache.activeByFingerprint(c.fingerprint) !== undefined,
    });
    if ('deduplicated' in acquired) return { kind: 'exists' };
    let created: RemediationRequest | undefined;
    let ambiguous = false;
    try {
      if (await this.activeExists(c.fingerprint, acquired.held.previousRR)) return { kind: 'exists' };
      try {
        created = await this.o.kube.createRR(buildRemediationRequest(c, cache.namespace));
      } catch (err) {
        // No answer: the RR may exist without anyone knowing its name. Keeping the lock until it
        // expires gives every cache time to see it before the next creator checks.
        ambiguous = !(err instanceof KubeError) || err.kind === 'unavailable';
        throw err;
      }
      const stored = await this.initialiseStatus(created, c.receivedAt);
      cache.recordLocal(stored);
      this.o.metrics?.crdsCreated.inc();
      return { kind: 'created', rr: stored };
    } finally {
      if (!ambiguous) await acquired.held.release(created?.metadata.name);
    }
  }

  /**
   * The authoritative check under the lock. The cache is complete for everything older than a
   * watch round-trip; the one RR it may miss is the previous holder's, which the Lease names.
   */
  private async activeExists(fingerprint: string, previousRR: string | undefined): Promise<boolean> {
    const { cache } = this.o;
    if (cache.activeByFingerprint(fingerprint)) return true;
    if (!previousRR || cache.get(previousRR)) return false;
    try {
      const prev = await this.o.kube.getRR(cache.namespace, previousRR);
      cache.recordLocal(prev);
      return isActive(prev) && prev.spec.signalFingerprint === fingerprint;
    } catch (err) {
      if (err instanceof KubeError && err.kind === 'notFound') return false;
      throw err;
    }
  }

  /** Status is a subresource (ignored on create): the first occurrence is written right after. */
  private async initialiseStatus(rr: RemediationRequest, at: Date): Promise<RemediationRequest> {
    const now = at.toISOString();
    const status = {
      overallPhase: PENDING,
      deduplication: { firstSeenAt: now, lastSeenAt: now, occurrenceCount: 1 },
    };
    try {
      return await this.o.kube.patchRRStatus(
        rr.metadata.namespace,
        rr.metadata.name,
        status,
        rr.metadata.resourceVersion,
      );
    } catch (err) {
      // The RR is stored; a missing count reads as 1 and the controller sets the phase.
      this.o.logger?.warn('initial status write failed', { rr: rr.metadata.name, err: String(err) });
      return rr;
    }
  }
}
