// The intake's memory bounds: what one replica holds for the requests it has admitted and not
// yet answered. Counting requests alone is not enough (4000 requests of 256 KiB and 1000 alerts
// each would need gigabytes), so bytes of request body and parsed signals are counted too, and a
// request that would pass either bound is answered 503 + Retry-After before it costs more
// (docs/design.md, "Load bounds"). Each request holds a Ticket; closing the response returns it.
import type { Metrics } from '../../operator/observability/metrics.ts';
import { OverloadedProblem } from './problem.ts';
import type { LoadBound } from './problem.ts';

export interface LoadLimits {
  maxInFlight: number;
  maxBytesInFlight: number;
  maxAlertsInFlight: number;
  retryAfterSeconds: number;
}

export class LoadBounds {
  private readonly limits: LoadLimits;
  private readonly metrics: Metrics | undefined;
  private requests = 0;
  private bytes = 0;
  private alerts = 0;

  constructor(limits: LoadLimits, metrics?: Metrics) {
    this.limits = limits;
    this.metrics = metrics;
  }

  /** What is held now (for tests and diagnostics). */
  state(): { requests: number; bytes: number; alerts: number } {
    return { requests: this.requests, bytes: this.bytes, alerts: this.alerts };
  }

  /** Counts one request from its arrival until `release()`; every request gets one. */
  open(): Ticket {
    this.requests++;
    return new Ticket(this);
  }

  /** @internal used by Ticket */
  overRequests(): boolean {
    return this.requests > this.limits.maxInFlight;
  }

  /** @internal used by Ticket: takes `n` more bytes or alerts, or throws a 503 naming the bound. */
  take(bound: 'bytes' | 'alerts', n: number): void {
    const limit = bound === 'bytes' ? this.limits.maxBytesInFlight : this.limits.maxAlertsInFlight;
    const held = bound === 'bytes' ? this.bytes : this.alerts;
    if (held + n > limit) {
      const what = bound === 'bytes' ? 'bytes of request bodies' : 'signals';
      throw this.shed(bound, `${held} ${what} in flight, ${n} more would pass the limit of ${limit}`);
    }
    if (bound === 'bytes') this.bytes += n;
    else this.alerts += n;
    this.publish();
  }

  /** @internal used by Ticket */
  give(bytes: number, alerts: number, request: boolean): void {
    this.bytes -= bytes;
    this.alerts -= alerts;
    if (request) this.requests--;
    this.publish();
  }

  shed(bound: LoadBound, detail: string): OverloadedProblem {
    this.metrics?.intakeShed.inc({ bound });
    return new OverloadedProblem(bound, detail, this.limits.retryAfterSeconds);
  }

  requestsProblem(): OverloadedProblem {
    return this.shed('requests', `more than ${this.limits.maxInFlight} requests in progress`);
  }

  private publish(): void {
    this.metrics?.intakeInFlightBytes.set(this.bytes);
    this.metrics?.intakeInFlightAlerts.set(this.alerts);
  }
}

/** One request's share of the bounds; `release()` is idempotent. */
export class Ticket {
  private readonly bounds: LoadBounds;
  private bytes = 0;
  private alerts = 0;
  private open = true;

  constructor(bounds: LoadBounds) {
    this.bounds = bounds;
  }

  /** Throws a 503 when too many requests are in progress. */
  checkRequests(): void {
    if (this.bounds.overRequests()) throw this.bounds.requestsProblem();
  }

  takeBytes(n: number): void {
    if (!this.open || n <= 0) return;
    this.bounds.take('bytes', n);
    this.bytes += n;
  }

  takeAlerts(n: number): void {
    if (!this.open || n <= 0) return;
    this.bounds.take('alerts', n);
    this.alerts += n;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  release(): void {
    if (!this.open) return;
    this.open = false;
    this.bounds.give(this.bytes, this.alerts, true);
    this.bytes = 0;
    this.alerts = 0;
  }
}
