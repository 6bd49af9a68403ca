// One watch request through KubeClient.watch, reduced to a single promise of how it ended.
// KubeClient.watch calls `done` once (null for a clean end, a KubeError carrying the HTTP status
// for a non-200 response, a TimeoutError after 30 s of silence, the abort reason after an abort);
// here only the first ending counts and anything after it is ignored.
import type { KubeClient } from '../kube/client.ts';
import { KubeError } from '../kube/errors.ts';

export type WatchOutcome =
  { kind: 'ended' | 'watchdog' | 'stopped' } | { kind: 'gone' | 'error'; err: unknown };

export type WatchParams = Record<string, string | number | boolean | undefined>;

export interface WatchRequest {
  watcher: Pick<KubeClient, 'watch'>;
  path: string;
  params: WatchParams;
  /** Ends the watch with `watchdog` when no event arrives for this long. */
  watchdogMs: number;
  /** Ends the watch with `stopped`. */
  signal: AbortSignal;
  /** Handles one event; returning an outcome ends the watch with it. */
  onEvent: (type: string, obj: unknown) => WatchOutcome | undefined;
  /** Called once the server has answered 200 and the watch is live. */
  onStarted: () => void;
}

/** True for 410 Gone however it arrives: KubeError from a list, HTTP status from a watch, ApiException. */
export function isGoneError(err: unknown): boolean {
  if (err instanceof KubeError) return err.kind === 'gone';
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { statusCode?: unknown; code?: unknown };
  return e.statusCode === 410 || e.code === 410;
}

/** Classifies the Status object of a watch ERROR event: 410 / Expired / Gone mean "relist". */
export function watchErrorOutcome(status: unknown): WatchOutcome {
  const s = (typeof status === 'object' && status !== null ? status : {}) as {
    code?: number;
    reason?: string;
    message?: string;
  };
  const err = new Error(`watch ERROR event: ${s.code ?? '?'} ${s.reason ?? ''} ${s.message ?? ''}`.trim());
  return { kind: s.code === 410 || s.reason === 'Expired' || s.reason === 'Gone' ? 'gone' : 'error', err };
}

/** Runs one watch until it ends, fails, goes silent or is stopped; never rejects. */
export function runWatch(req: WatchRequest): Promise<{ outcome: WatchOutcome; events: number }> {
  return new Promise((resolve) => {
    let events = 0;
    let settled = false;
    let controller: AbortController | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    const finish = (outcome: WatchOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      req.signal.removeEventListener('abort', onStop);
      controller?.abort();
      resolve({ outcome, events });
    };
    const onStop = () => finish({ kind: 'stopped' });
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => finish({ kind: 'watchdog' }), req.watchdogMs);
      watchdog.unref();
    };
    const onEvent = (type: string, obj: unknown) => {
      if (settled) return;
      events++;
      arm();
      const ended = req.onEvent(type, obj);
      if (ended) finish(ended);
    };
    const done = (err: unknown) =>
      finish(err ? { kind: isGoneError(err) ? 'gone' : 'error', err } : { kind: 'ended' });

    if (req.signal.aborted) return finish({ kind: 'stopped' });
    req.signal.addEventListener('abort', onStop, { once: true });
    arm();
    req.watcher.watch(req.path, req.params, onEvent, done).then(
      (c) => {
        controller = c;
        // watch() resolves even when the request failed, after calling done().
        if (settled) c.abort();
        else req.onStarted();
      },
      (err: unknown) => done(err ?? new Error('watch failed to start')),
    );
  });
}
