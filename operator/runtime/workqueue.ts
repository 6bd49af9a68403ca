// A keyed work queue in the manner of client-go's workqueue, for level-triggered controllers:
// - a key waiting to run is held once, however often it is added (dedupe);
// - a key is never handled by two workers at once; a key added while it is being handled runs
//   once more after the current run ends, so no change that arrived mid-run is lost;
// - up to `concurrency` different keys run at the same time, in the order they became ready;
// - the handler's result decides what happens next: nothing (done, failure count reset),
//   `requeueAfterMs` (run again later, failure count reset), `requeue` or a throw (run again
//   after a per-key exponential backoff that grows with consecutive failures).
// Pure TypeScript: no Kubernetes.
import type { Logger } from '../observability/logger.ts';
import { backoffDelay } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';

export interface WorkResult {
  /** Run the key again after this many milliseconds (a success: the failure count is reset). */
  requeueAfterMs?: number;
  /** Run the key again after the rate-limited backoff, as after a failure, without logging one. */
  requeue?: boolean;
}

/**
 * Observers of a queue, in the manner of client-go's workqueue metrics provider (the queue knows
 * nothing about Prometheus). Durations are in seconds.
 */
export interface WorkQueueObserver {
  /** A key became ready that was not ready already (deduplicated adds are not counted). */
  added(): void;
  /** A key was scheduled for a rate-limited retry. */
  retried(): void;
  /** A key left the ready set to be handled, after waiting `queuedSeconds` in it. */
  started(queuedSeconds: number): void;
  /** A handler run ended (successfully or not) after `workSeconds`. */
  finished(workSeconds: number): void;
}

/** Handles one key. `signal` aborts when the queue shuts down without draining. */
export type WorkHandler = (
  key: string,
  signal: AbortSignal,
) => Promise<WorkResult | void> | WorkResult | void;

export interface WorkQueueOptions {
  /** Names the queue in logs. */
  name?: string;
  /** Keys handled at the same time (default 1). */
  concurrency?: number;
  /** Per-key retry backoff (default 100 ms doubling up to 60 s). */
  backoff?: BackoffPolicy;
  logger?: Logger;
  observer?: WorkQueueObserver;
}

export const WORKQUEUE_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 60_000 };

export class WorkQueue {
  private readonly handler: WorkHandler;
  private readonly concurrency: number;
  private readonly backoff: BackoffPolicy;
  private readonly log: Logger | undefined;
  private readonly observer: WorkQueueObserver | undefined;
  /** Keys ready to run, in arrival order, with the time each became ready (ms, monotonic). */
  private readonly ready = new Map<string, number>();
  /** Keys being handled right now, with the time each run started (ms, monotonic). */
  private readonly processing = new Map<string, number>();
  /** Keys added while being handled: they go back to `ready` when their run ends. */
  private readonly again = new Set<string>();
  private readonly scheduled = new Map<string, { due: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly idleWaiters = new Set<() => void>();
  private readonly aborter = new AbortController();
  private closed = false;
  private draining = false;

  constructor(handler: WorkHandler, options: WorkQueueOptions = {}) {
    this.handler = handler;
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.backoff = options.backoff ?? WORKQUEUE_BACKOFF;
    this.log = options.logger?.child({ component: 'workqueue', queue: options.name ?? 'default' });
    this.observer = options.observer;
  }

  /** Makes `key` ready to run. Returns false (and does nothing) after shutdown(). */
  add(key: string): boolean {
    if (this.closed) return false;
    if (this.processing.has(key)) {
      if (!this.again.has(key)) this.observer?.added();
      this.again.add(key);
    } else this.makeReady(key);
    this.pump();
    return true;
  }

  /**
   * Makes `key` ready after `delayMs`. When the key is already scheduled, the earlier of the two
   * times wins. A delay of 0 or less is add(). Returns false after shutdown().
   */
  addAfter(key: string, delayMs: number): boolean {
    if (this.closed) return false;
    if (!(delayMs > 0)) return this.add(key);
    const due = Date.now() + delayMs;
    const existing = this.scheduled.get(key);
    if (existing && existing.due <= due) return true;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.scheduled.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.scheduled.set(key, { due, timer });
    return true;
  }

  /** Clears the key's failure count, so its next failure starts the backoff from the beginning. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Consecutive failures recorded for `key`. */
  failureCount(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Counts for metrics and tests. */
  stats(): { ready: number; processing: number; scheduled: number } {
    return { ready: this.ready.size, processing: this.processing.size, scheduled: this.scheduled.size };
  }

  /** Seconds the longest-running handler has been running (0 when none runs): a stuck reconcile. */
  longestRunningSeconds(): number {
    let oldest = Infinity;
    for (const startedAt of this.processing.values()) oldest = Math.min(oldest, startedAt);
    return oldest === Infinity ? 0 : (performance.now() - oldest) / 1000;
  }

  /** Resolves when no key is ready or running (scheduled keys do not count). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  /**
   * Stops the queue: later adds are refused and scheduled keys are dropped. Without `drain`,
   * ready keys are dropped too and handlers' signals abort; with it, the ready keys run first.
   * Resolves once every running handler has returned.
   */
  async shutdown(options: { drain?: boolean } = {}): Promise<void> {
    this.closed = true;
    this.draining = options.drain ?? false;
    for (const { timer } of this.scheduled.values()) clearTimeout(timer);
    this.scheduled.clear();
    if (!this.draining) {
      this.ready.clear();
      this.again.clear();
      this.aborter.abort();
    }
    await this.whenIdle();
  }

  private isIdle(): boolean {
    return this.processing.size === 0 && this.ready.size === 0;
  }

  private pump(): void {
    while (this.processing.size < this.concurrency && this.ready.size > 0) {
      const [key, readyAt] = this.ready.entries().next().value as [string, number];
      this.ready.delete(key);
      const now = performance.now();
      this.processing.set(key, now);
      this.observer?.started((now - readyAt) / 1000);
      void this.process(key);
    }
    if (this.isIdle() && this.idleWaiters.size > 0) {
      const waiters = [...this.idleWaiters];
      this.idleWaiters.clear();
      for (const wake of waiters) wake();
    }
  }

  private async process(key: string): Promise<void> {
    try {
      const result = await this.handler(key, this.aborter.signal);
      if (result?.requeue) {
        this.retry(key);
      } else {
        this.failures.delete(key);
        if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
      }
    } catch (err) {
      const attempt = this.retry(key);
      this.log?.warn('work item failed; will retry', { key, attempt, err });
    } finally {
      this.observer?.finished((performance.now() - (this.processing.get(key) ?? 0)) / 1000);
      this.processing.delete(key);
      if (this.again.delete(key) && (!this.closed || this.draining)) this.ready.set(key, performance.now());
      this.pump();
    }
  }

  private makeReady(key: string): void {
    if (this.ready.has(key)) return;
    this.ready.set(key, performance.now());
    this.observer?.added();
  }

  /** Schedules a rate-limited retry; returns the failure count. */
  private retry(key: string): number {
    const count = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, count);
    this.observer?.retried();
    this.addAfter(key, backoffDelay(count - 1, this.backoff));
    return count;
  }
}
