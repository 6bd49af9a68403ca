// Group commit for status writes to one RemediationRequest. Signals that arrive while a write
// to the same RR is in flight are carried together by the next write; each caller is answered
// only after the write that carries its change succeeded. Writes are optimistic
// (resourceVersion-checked): on 409 the RR is re-read, its phase re-checked, and the whole
// batch re-applied to the fresh object, so no change is lost or applied twice.
import { isActive } from '../../operator/api/phase.ts';
import { holdsPatch, mergePatchDiff } from '../../operator/api/mergePatch.ts';
import type { RemediationRequestStatus } from '../../operator/api/types.ts';
import type { RRCache } from '../../operator/cache/rrCache.ts';
import type { KubeClient } from '../../operator/kube/client.ts';
import { KubeError, readTwiceOnNoAnswer } from '../../operator/kube/errors.ts';
import type { Metrics } from '../../operator/observability/metrics.ts';
import type { CachedRR } from '../../operator/cache/projection.ts';

/** Applies one signal's change to a working copy of the status; returns that signal's result. */
export type StatusMutation<R> = (status: RemediationRequestStatus, nowIso: string, rr: CachedRR) => R;

/** The RR can no longer take this change (terminal or deleted): the signal must go elsewhere. */
export class RRNotActiveError extends Error {
  override name = 'RRNotActiveError';
}

interface Item {
  mutate: StatusMutation<unknown>;
  resolve: (v: { rr: CachedRR; result: unknown }) => void;
  reject: (err: unknown) => void;
  /** Writes carrying this signal that lost to another writer (409). */
  conflicts: number;
}

/** A write lost to another writer (409): its signals go back to the head of the queue. */
class Requeue extends Error {}

const STATUS_KEYS = [
  'overallPhase',
  'signalResolvedAt',
  'deduplication',
  'stormAggregation',
  'recentOccurrences',
] as const;
const MAX_BATCH = 1000;
const MAX_CONFLICT_RETRIES = 20;
/** How long a write that lost (409) waits for the watch to bring the winner before reading it. */
const CONFLICT_WATCH_WAIT_MS = 250;

export interface BatcherOptions {
  /**
   * How long a write waits to gather more signals when writes to its RR queue up (signals
   * arrived while the previous write was in flight). Otherwise a write goes out at once.
   */
  lingerMs?: number;
  metrics?: Metrics;
  clock?: () => Date;
}

export class StatusBatcher {
  private readonly queues = new Map<string, Item[]>();
  /** RRs whose last write found signals queued behind it (judged before its callers resume). */
  private readonly backlogged = new Set<string>();
  /** Per RR: the resourceVersion its last write lost against (409), until the next write. */
  private readonly lost = new Map<string, string>();
  private readonly kube: KubeClient;
  private readonly cache: RRCache;
  private readonly metrics: Metrics | undefined;
  private readonly clock: () => Date;
  private readonly lingerMs: number;

  constructor(kube: KubeClient, cache: RRCache, options: BatcherOptions = {}) {
    this.kube = kube;
    this.cache = cache;
    this.metrics = options.metrics;
    this.clock = options.clock ?? (() => new Date());
    this.lingerMs = options.lingerMs ?? 100;
  }

  /** Queues a change to RR `name`; resolves with the stored RR and this change's result. */
  submit<R>(name: string, mutate: StatusMutation<R>): Promise<{ rr: CachedRR; result: R }> {
    return new Promise((resolve, reject) => {
      const item = { mutate, resolve, reject, conflicts: 0 } as Item;
      const queue = this.queues.get(name);
      if (queue) {
        queue.push(item);
        return;
      }
      this.queues.set(name, [item]);
      void this.drain(name);
    });
  }

  private async drain(name: string): Promise<void> {
    const queue = this.queues.get(name)!;
    // The first write of a drain goes out after one event-loop turn, so requests parsed together
    // share it. A write that finds signals queued behind it (they came while it was in flight)
    // means writes to this RR are queueing up: the next one lingers to carry a burst in few writes.
    while (queue.length > 0) {
      await this.linger(this.backlogged.delete(name));
      const batch = queue.splice(0, MAX_BATCH);
      try {
        await this.write(name, batch);
      } catch (err) {
        if (!(err instanceof Requeue)) {
          for (const item of batch) item.reject(err);
          continue;
        }
        // Lost to another replica's write: the signals wait for the next write, which lingers (so
        // the winner's writes pass and this batch grows) and carries them with whatever came since.
        const kept = batch.filter((item) => item.conflicts <= MAX_CONFLICT_RETRIES);
        const spent = new KubeError('unavailable', 409, `status of ${name} kept conflicting`);
        for (const item of batch) if (item.conflicts > MAX_CONFLICT_RETRIES) item.reject(spent);
        queue.unshift(...kept);
        this.backlogged.add(name);
      }
    }
    this.queues.delete(name);
    this.backlogged.delete(name);
    this.lost.delete(name);
  }

  /**
   * One event-loop turn, or the linger when writes to the RR are queueing up (jittered, so that
   * replicas contending for one RR fall out of step).
   */
  private linger(queued: boolean): Promise<unknown> {
    if (queued && this.lingerMs > 0) {
      return new Promise((resolve) => setTimeout(resolve, this.lingerMs * (0.5 + Math.random())));
    }
    return new Promise((resolve) => setImmediate(resolve));
  }

  private async write(name: string, batch: Item[]): Promise<void> {
    let base = this.cache.get(name) ?? (await this.fetch(name));
    const lost = this.lost.get(name);
    if (lost !== undefined && base.metadata.resourceVersion === lost) {
      // The version that beat the last write is on its way through the watch; read only if it is slow.
      base = (await this.cache.newerThan(name, lost, CONFLICT_WATCH_WAIT_MS)) ?? (await this.fetch(name));
    }
    this.lost.delete(name);
    if (!isActive(base)) throw new RRNotActiveError(`${name} is ${base.status?.overallPhase ?? 'deleted'}`);
    const nowIso = this.clock().toISOString();
    const status = structuredClone(base.status ?? {}) as RemediationRequestStatus;
    const results = batch.map((item) => item.mutate(status, nowIso, base));
    const patch = changedKeys(base.status ?? {}, status);
    if (Object.keys(patch).length === 0) {
      // Nothing to store (every signal was a redelivery): what they report is already stored.
      this.finish(name, base, batch, results);
      return;
    }
    try {
      const stored = await this.kube.patchRRStatus(
        base.metadata.namespace,
        name,
        patch,
        base.metadata.resourceVersion,
      );
      this.finish(name, stored, batch, results);
    } catch (err) {
      if (err instanceof KubeError && err.kind === 'conflict') {
        this.metrics?.statusUpdateConflicts.inc();
        this.lost.set(name, base.metadata.resourceVersion ?? '');
        for (const item of batch) item.conflicts++;
        throw new Requeue();
      }
      if (err instanceof KubeError && err.kind === 'notFound') throw this.gone(name);
      // No answer: the write may or may not have landed. Look before reporting failure.
      const landed = await readTwiceOnNoAnswer(() => this.fetch(name)).catch(() => undefined);
      if (
        landed &&
        landed.metadata.resourceVersion !== base.metadata.resourceVersion &&
        carries(landed, patch)
      ) {
        this.finish(name, landed, batch, results);
        return;
      }
      throw err;
    }
  }

  private finish(name: string, stored: CachedRR, batch: Item[], results: unknown[]): void {
    if ((this.queues.get(name)?.length ?? 0) > 0) this.backlogged.add(name);
    this.cache.recordLocal(stored);
    this.metrics?.groupCommitBatchSize.observe(batch.length);
    batch.forEach((item, i) => item.resolve({ rr: stored, result: results[i] }));
  }

  private async fetch(name: string): Promise<CachedRR> {
    try {
      const fresh = await this.kube.getRR(this.cache.namespace, name);
      this.cache.recordLocal(fresh);
      return fresh;
    } catch (err) {
      if (err instanceof KubeError && err.kind === 'notFound') throw this.gone(name);
      throw err;
    }
  }

  /** The API server says the RR is gone: the cache must not keep offering it (its watch lags). */
  private gone(name: string): RRNotActiveError {
    this.cache.forget(name);
    return new RRNotActiveError(`${name} was deleted`);
  }
}

/** What the batch changed, as a real RFC 7386 diff (a removed nested field is sent as null). */
function changedKeys(
  before: RemediationRequestStatus,
  after: RemediationRequestStatus,
): Record<string, unknown> {
  return mergePatchDiff(pick(before), pick(after));
}

function pick(status: RemediationRequestStatus): Record<string, unknown> {
  return Object.fromEntries(STATUS_KEYS.map((k) => [k, status[k]]));
}

/**
 * Whether a stored RR holds exactly what `patch` wrote (timestamps make this specific). The patch
 * is a nested RFC 7386 diff, so it is applied to the stored status and compared canonically (the
 * API server returns object keys sorted, the patch has them in insertion order).
 */
export function carries(rr: CachedRR, patch: Record<string, unknown>): boolean {
  return holdsPatch(rr.status ?? {}, patch);
}
