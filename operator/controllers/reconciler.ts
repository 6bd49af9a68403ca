// The shape of one controller: a name, which work-queue keys a RemediationRequest change wakes,
// and one level-triggered reconcile function that converges the state of a key as the shared
// cache shows it now. Retries and time-based revisits are expressed by the returned WorkResult.
import type { WorkResult } from '../runtime/workqueue.ts';
import type { CachedRR } from '../cache/projection.ts';

export interface Reconciler {
  readonly name: string;
  /** Keys handled at the same time (default 1). */
  readonly concurrency?: number;
  /** The keys an added, changed or deleted RR wakes; none when the controller does not care. */
  keysOf(rr: CachedRR): string[];
  /**
   * Whether an update (old -> new) can matter to this controller; absent: every update does.
   * Lets a controller skip the updates it never reads (a duplicate's count, for the storm rules).
   */
  wakesOnUpdate?(oldRR: CachedRR, newRR: CachedRR): boolean;
  /** Keys every periodic resync enqueues besides those of every cached RR. */
  resyncKeys?(): string[];
  /** Converges one key. A conflict (optimistic write lost) may be thrown: the key is retried. */
  reconcile(key: string, signal: AbortSignal): Promise<WorkResult>;
}

/** setTimeout overflows above 2^31-1 ms; far-away revisits are left to the periodic resync. */
export const MAX_REQUEUE_MS = 60 * 60_000;

export function requeueAt(dueMs: number, nowMs: number): WorkResult {
  return { requeueAfterMs: Math.min(MAX_REQUEUE_MS, Math.max(1, Math.ceil(dueMs - nowMs))) };
}
