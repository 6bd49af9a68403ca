// Retry timing shared by the informer, the work queue and leader election: a capped exponential
// backoff with jitter (so that many clients restarting at once spread out), and an abortable sleep.

export interface BackoffPolicy {
  /** Delay before the first retry. */
  initialMs: number;
  /** Upper bound of any delay, jitter included. */
  maxMs: number;
  /** Growth per attempt; 2 when omitted. */
  factor?: number;
  /** Fraction (0..1) of the delay that is randomly taken off; 0.2 when omitted. */
  jitter?: number;
}

/** Informer restarts: 200 ms doubling up to 30 s. */
export const INFORMER_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 30_000 };

/**
 * Delay before retry number `attempt` (0 for the first retry): `initialMs * factor^attempt`,
 * capped at `maxMs`, then reduced by up to `jitter` of itself. Jitter only ever shortens the
 * delay, so the cap holds and the result never drops below `(1 - jitter)` of the nominal value.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const factor = policy.factor ?? 2;
  const jitter = Math.min(Math.max(policy.jitter ?? 0.2, 0), 1);
  const exponent = Math.max(0, Math.floor(attempt));
  // Cap the exponent first: factor^exponent overflows to Infinity long before attempts run out.
  const nominal = Math.min(policy.maxMs, policy.initialMs * Math.pow(factor, Math.min(exponent, 64)));
  return Math.max(0, Math.round(nominal * (1 - jitter * random())));
}

/**
 * Waits `ms` milliseconds. Resolves `true` when the time has passed and `false` at once when
 * `signal` aborts (before or during the wait); never rejects. The timer does not keep the
 * process alive.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      },
      Math.max(0, ms),
    );
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Thrown by `raceAbort` when the signal aborts first. */
export class AbortedError extends Error {
  constructor(message = 'aborted') {
    super(message);
    this.name = 'AbortedError';
  }
}

/**
 * Settles like `promise`, or rejects with AbortedError as soon as `signal` aborts. The underlying
 * operation is not cancelled (KubeClient calls take no signal); its late result is dropped.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(new AbortedError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
