// Runs the leader's controllers until `signal` aborts. Each controller gets its own keyed work
// queue, fed by the shared RR cache's events (an RR change enqueues the keys that controller
// derives from it) and by a periodic resync that enqueues every key again, which is what revisits
// time-based conditions (storms going quiet, retention, idle locks) even when nothing changes.
// On abort the queues stop taking keys and the running reconciles are awaited.
import { isKubeError } from '../kube/errors.ts';
import { WorkQueue } from '../runtime/workqueue.ts';
import type { WorkHandler } from '../runtime/workqueue.ts';
import type { ControllerContext } from './context.ts';
import { initialPhaseController } from './initialPhase.ts';
import { leaseCleanupController } from './leaseCleanup.ts';
import type { Reconciler } from './reconciler.ts';
import { retentionController } from './retention.ts';
import { stormController } from './storm.ts';
import type { CachedRR } from '../cache/projection.ts';

export function controllers(ctx: ControllerContext): Reconciler[] {
  return [
    initialPhaseController(ctx),
    stormController(ctx),
    retentionController(ctx),
    leaseCleanupController(ctx),
  ];
}

export async function runControllers(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
  const log = ctx.logger.child({ component: 'controllers' });
  const { informer } = ctx.cache;
  if (!(await informer.waitForSync({ signal }))) return;

  const observed = ctx.metrics.controllers;
  const running = controllers(ctx).map((r) => ({
    r,
    queue: new WorkQueue(instrument(ctx, r), {
      name: r.name,
      concurrency: r.concurrency,
      logger: ctx.logger,
      observer: observed.observeQueue(r.name),
    }),
  }));
  for (const { r, queue } of running) observed.attachQueue(r.name, queue);
  const enqueue = (rr: CachedRR) => {
    for (const { r, queue } of running) for (const key of r.keysOf(rr)) queue.add(key);
  };
  const enqueueUpdate = (old: CachedRR, rr: CachedRR) => {
    for (const { r, queue } of running) {
      if (r.wakesOnUpdate && !r.wakesOnUpdate(old, rr)) continue;
      for (const key of r.keysOf(rr)) queue.add(key);
    }
  };
  const resync = () => {
    for (const rr of ctx.cache.list()) enqueue(rr);
    for (const { r, queue } of running) for (const key of r.resyncKeys?.() ?? []) queue.add(key);
  };
  // Subscribe first, then list: a change between the two is enqueued twice, never missed.
  const unsubscribe = [informer.onAdd(enqueue), informer.onUpdate(enqueueUpdate), informer.onDelete(enqueue)];
  resync();
  const timer = setInterval(resync, ctx.config.lifecycle.resyncSeconds * 1000);
  timer.unref();
  log.info('controllers started', { controllers: running.map(({ r }) => r.name) });

  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearInterval(timer);
  for (const off of unsubscribe) off();
  await Promise.all(running.map(({ queue }) => queue.shutdown()));
  for (const { r, queue } of running) observed.detachQueue(r.name, queue);
  log.info('controllers stopped');
}

/**
 * Counts every reconcile by result and times it; a lost optimistic write is retried without a
 * warning and is not an error (it is the normal outcome of a concurrent change).
 */
export function instrument(ctx: Pick<ControllerContext, 'metrics'>, r: Reconciler): WorkHandler {
  const { reconcileTotal, controllers: m } = ctx.metrics;
  const controller = r.name;
  const count = (result: string) => reconcileTotal.inc({ controller, result });
  return async (key, signal) => {
    const end = m.reconcileTime.startTimer({ controller });
    try {
      const result = await r.reconcile(key, signal);
      count(result.requeue ? 'requeue' : 'success');
      return result;
    } catch (err) {
      if (isKubeError(err, 'conflict')) {
        count('conflict');
        return { requeue: true };
      }
      count('error');
      m.reconcileErrors.inc({ controller });
      throw err;
    } finally {
      end();
    }
  };
}
