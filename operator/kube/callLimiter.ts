// Bounds the Kubernetes API calls one process has open at a time. Under a storm every request
// would otherwise open its own connection and stack up calls the API server answers ever more
// slowly (undici's pool has no connection limit), so the memory they hold and the load they put
// on the API server grow without bound exactly when both are scarce. Callers beyond the limit
// wait in FIFO order; one that cannot get a slot within `maxWaitMs` fails as `unavailable`
// (the HTTP layer answers 503 + Retry-After) instead of queueing for ever.
import type { Metrics } from '../observability/metrics.ts';
import { KubeError } from './errors.ts';

export interface CallLimits {
  /** Non-watch API calls open at once. */
  maxConcurrentRequests: number;
  /** Longest a call waits for a slot before it fails as unavailable. */
  maxWaitMs: number;
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
}

export class CallLimiter {
  private readonly limits: CallLimits;
  private readonly metrics: Metrics | undefined;
  private readonly waiters = new Set<Waiter>();
  private active = 0;

  constructor(limits: CallLimits, metrics?: Metrics) {
    this.limits = limits;
    this.metrics = metrics;
  }

  /** Calls open now and callers waiting for a slot (for tests and diagnostics). */
  state(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiters.size };
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.limits.maxConcurrentRequests && this.waiters.size === 0) {
      this.active++;
      this.publish();
      return Promise.resolve();
    }
    const started = performance.now();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        // release() hands its slot over directly, so `active` does not change here.
        grant: () => {
          clearTimeout(waiter.timer);
          this.observeWait(started);
          resolve();
        },
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          this.publish();
          this.observeWait(started);
          this.metrics?.k8sApiThrottled.inc();
          reject(
            new KubeError(
              'unavailable',
              0,
              `too many concurrent Kubernetes API calls: no slot of ${this.limits.maxConcurrentRequests} free within ${this.limits.maxWaitMs} ms`,
              'ClientThrottled',
            ),
          );
        }, this.limits.maxWaitMs),
      };
      this.waiters.add(waiter);
      this.publish();
    });
  }

  private release(): void {
    const next = this.waiters.values().next();
    if (next.done) {
      this.active--;
    } else {
      this.waiters.delete(next.value);
      next.value.grant();
    }
    this.publish();
  }

  private observeWait(started: number): void {
    this.metrics?.k8sApiWait.observe((performance.now() - started) / 1000);
  }

  private publish(): void {
    this.metrics?.k8sApiInFlight.set(this.active);
    this.metrics?.k8sApiWaiting.set(this.waiters.size);
  }
}
