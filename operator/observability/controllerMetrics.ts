// Controller and work-queue metrics in the manner of controller-runtime and client-go
// (controller_runtime_reconcile_*, workqueue_*), with the gateway_ prefix, plus build_info.
// Label values are bounded: `controller` and `name` only ever hold the fixed controller names.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { WorkQueueObserver } from '../runtime/workqueue.ts';

/** The live numbers of one queue that gauges read at scrape time. */
export interface QueueGaugeSource {
  stats(): { ready: number; processing: number };
  longestRunningSeconds(): number;
}

// Reconciles and queue waits range from sub-millisecond cache reads to API calls held up by
// retries; the buckets span 1 ms to 60 s like controller-runtime's.
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createControllerMetrics(registers: Registry[]) {
  /** Queues of the current leader term, by name; the gauges report 0 for a stopped queue. */
  const queues = new Map<string, QueueGaugeSource>();
  const known = new Set<string>();
  const gaugeOf = (read: (q: QueueGaugeSource) => number) =>
    function (this: Gauge<'name'>) {
      this.reset();
      for (const name of known) {
        const q = queues.get(name);
        this.set({ name }, q ? read(q) : 0);
      }
    };

  const metrics = {
    reconcileTime: new Histogram({
      name: 'gateway_reconcile_time_seconds',
      help: 'Duration of one reconcile, by controller',
      labelNames: ['controller'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    reconcileErrors: new Counter({
      name: 'gateway_reconcile_errors_total',
      help: 'Reconciles that failed with an error and are retried with backoff (conflicts are not errors)',
      labelNames: ['controller'] as const,
      registers,
    }),
    workqueueDepth: new Gauge({
      name: 'gateway_workqueue_depth',
      help: 'Keys waiting in the work queue, by queue (controller) name',
      labelNames: ['name'] as const,
      registers,
      collect: gaugeOf((q) => q.stats().ready),
    }),
    workqueueActive: new Gauge({
      name: 'gateway_workqueue_active_workers',
      help: 'Keys being reconciled right now, by queue (controller) name',
      labelNames: ['name'] as const,
      registers,
      collect: gaugeOf((q) => q.stats().processing),
    }),
    workqueueLongestRunning: new Gauge({
      name: 'gateway_workqueue_longest_running_processor_seconds',
      help: 'Seconds the longest-running reconcile of the queue has been running',
      labelNames: ['name'] as const,
      registers,
      collect: gaugeOf((q) => q.longestRunningSeconds()),
    }),
    workqueueAdds: new Counter({
      name: 'gateway_workqueue_adds_total',
      help: 'Keys added to the work queue (adds of a key already waiting are not counted)',
      labelNames: ['name'] as const,
      registers,
    }),
    workqueueRetries: new Counter({
      name: 'gateway_workqueue_retries_total',
      help: 'Rate-limited retries scheduled by the work queue',
      labelNames: ['name'] as const,
      registers,
    }),
    workqueueQueueDuration: new Histogram({
      name: 'gateway_workqueue_queue_duration_seconds',
      help: 'Time a key waits in the work queue before it is reconciled',
      labelNames: ['name'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    workqueueWorkDuration: new Histogram({
      name: 'gateway_workqueue_work_duration_seconds',
      help: 'Time one key takes to be handled (the reconcile and its bookkeeping)',
      labelNames: ['name'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    buildInfo: new Gauge({
      name: 'gateway_build_info',
      help: 'Always 1; the labels carry the operator version and the Node.js version',
      labelNames: ['version', 'node_version'] as const,
      registers,
    }),
  };
  metrics.buildInfo.set({ version: operatorVersion(), node_version: process.version }, 1);

  /**
   * Registers a running queue under its controller's name and returns its observer. Every series
   * of the controller starts at 0, so rate() and increase() see the first event.
   */
  function observeQueue(name: string): WorkQueueObserver {
    known.add(name);
    metrics.reconcileErrors.inc({ controller: name }, 0);
    metrics.workqueueAdds.inc({ name }, 0);
    metrics.workqueueRetries.inc({ name }, 0);
    return {
      added: () => metrics.workqueueAdds.inc({ name }),
      retried: () => metrics.workqueueRetries.inc({ name }),
      started: (s) => metrics.workqueueQueueDuration.observe({ name }, s),
      finished: (s) => metrics.workqueueWorkDuration.observe({ name }, s),
    };
  }

  return {
    ...metrics,
    observeQueue,
    /** Attaches the queue the gauges read for `name` (after the queue is constructed). */
    attachQueue: (name: string, q: QueueGaugeSource) => {
      known.add(name);
      queues.set(name, q);
    },
    /** Detaches it when the queue stops (leadership lost): its gauges drop to 0. */
    detachQueue: (name: string, q: QueueGaugeSource) => {
      if (queues.get(name) === q) queues.delete(name);
    },
  };
}

/** The version in the operator's package.json, found upwards from this file (source or dist/). */
function operatorVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'kubernaut-intake' && pkg.version) return pkg.version;
    } catch {
      // no package.json at this level: look one up
    }
    dir = dirname(dir);
  }
  return 'unknown';
}
