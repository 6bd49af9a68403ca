// The controller-runtime-style metrics move when real work queues run real (in-memory)
// reconcilers: reconcile time and errors, queue adds, retries, depth, latency, build_info.
import { readFileSync } from 'node:fs';
import { KubeError } from '../kube/errors.ts';
import { instrument } from '../controllers/run.ts';
import type { Reconciler } from '../controllers/reconciler.ts';
import { WorkQueue } from '../runtime/workqueue.ts';
import type { WorkResult } from '../runtime/workqueue.ts';
import { createMetrics } from './metrics.ts';
import type { Metrics } from './metrics.ts';

const FAST = { initialMs: 1, maxMs: 5, jitter: 0 };

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** One sample of the registry's text exposition, by series name and exact label set. */
async function sample(m: Metrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const want = JSON.stringify(Object.entries(labels).sort());
  for (const line of (await m.registry.metrics()).split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]);
    if (JSON.stringify(got.sort()) === want) return Number(match[3]);
  }
  return undefined;
}

/** A queue wired as runControllers wires it, around a reconciler driven by `reconcile`. */
function controller(m: Metrics, name: string, reconcile: (key: string) => Promise<WorkResult>) {
  const r: Reconciler = { name, keysOf: () => [], reconcile };
  const queue = new WorkQueue(instrument({ metrics: m }, r), {
    name,
    backoff: FAST,
    observer: m.controllers.observeQueue(name),
  });
  m.controllers.attachQueue(name, queue);
  return queue;
}

describe('controller metrics', () => {
  it('starts every series of a controller at 0 and publishes build_info', async () => {
    const m = createMetrics({ defaultMetrics: false });
    const q = controller(m, 'retention', () => Promise.resolve({}));
    const text = await m.registry.metrics();
    expect(text).toContain('gateway_reconcile_errors_total{controller="retention"} 0');
    expect(text).toContain('gateway_workqueue_adds_total{name="retention"} 0');
    expect(text).toContain('gateway_workqueue_retries_total{name="retention"} 0');
    expect(text).toContain('gateway_workqueue_depth{name="retention"} 0');
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    expect(await sample(m, 'gateway_build_info', { version, node_version: process.version })).toBe(1);
    await q.shutdown();
  });

  it('counts adds, reconcile time and work duration when reconciles run', async () => {
    const m = createMetrics({ defaultMetrics: false });
    const q = controller(m, 'initial-phase', () => Promise.resolve({}));
    for (const key of ['a', 'b', 'b', 'c']) q.add(key);
    await q.whenIdle();
    // 'b' was waiting already when added again: three adds, three reconciles.
    expect(await sample(m, 'gateway_workqueue_adds_total', { name: 'initial-phase' })).toBe(3);
    const histogram = (name: string, label: Record<string, string>) =>
      sample(m, `${name}_count`, label).then((v) => v ?? 0);
    expect(await histogram('gateway_reconcile_time_seconds', { controller: 'initial-phase' })).toBe(3);
    expect(await histogram('gateway_workqueue_queue_duration_seconds', { name: 'initial-phase' })).toBe(3);
    expect(await histogram('gateway_workqueue_work_duration_seconds', { name: 'initial-phase' })).toBe(3);
    expect(await sample(m, 'gateway_reconcile_errors_total', { controller: 'initial-phase' })).toBe(0);
    await q.shutdown();
  });

  it('counts errors and retries, but a conflict only as a retry', async () => {
    const m = createMetrics({ defaultMetrics: false });
    let runs = 0;
    const q = controller(m, 'storm', () => {
      runs++;
      if (runs === 1) return Promise.reject(new Error('boom'));
      if (runs === 2) return Promise.reject(new KubeError('conflict', 409, 'the object has been modified'));
      return Promise.resolve({});
    });
    q.add('s');
    await waitFor(() => runs >= 3);
    await q.whenIdle();
    expect(await sample(m, 'gateway_reconcile_errors_total', { controller: 'storm' })).toBe(1);
    expect(await sample(m, 'gateway_workqueue_retries_total', { name: 'storm' })).toBe(2);
    expect(await sample(m, 'gateway_reconcile_total', { controller: 'storm', result: 'error' })).toBe(1);
    expect(await sample(m, 'gateway_reconcile_total', { controller: 'storm', result: 'conflict' })).toBe(1);
    expect(await sample(m, 'gateway_reconcile_total', { controller: 'storm', result: 'success' })).toBe(1);
    await q.shutdown();
  });

  it('reports depth, active workers and the longest run while a reconcile is stuck', async () => {
    const m = createMetrics({ defaultMetrics: false });
    const gate = deferred();
    const q = controller(m, 'lease-cleanup', (key) =>
      key === 'stuck' ? gate.promise.then(() => ({})) : Promise.resolve({}),
    );
    q.add('stuck');
    q.add('x');
    q.add('y');
    const gauge = (name: string) => sample(m, name, { name: 'lease-cleanup' });
    expect(await gauge('gateway_workqueue_depth')).toBe(2);
    expect(await gauge('gateway_workqueue_active_workers')).toBe(1);
    await waitFor(
      async () => ((await gauge('gateway_workqueue_longest_running_processor_seconds')) ?? 0) > 0,
    );
    gate.resolve();
    await q.whenIdle();
    expect(await gauge('gateway_workqueue_depth')).toBe(0);
    expect(await gauge('gateway_workqueue_active_workers')).toBe(0);
    expect(await gauge('gateway_workqueue_longest_running_processor_seconds')).toBe(0);
    await q.shutdown();
  });

  it('drops the gauges of a stopped queue to 0 (leadership lost)', async () => {
    const m = createMetrics({ defaultMetrics: false });
    const gate = deferred();
    const q = controller(m, 'retention', () => gate.promise.then(() => ({})));
    q.add('a');
    q.add('b');
    expect(await sample(m, 'gateway_workqueue_depth', { name: 'retention' })).toBe(1);
    m.controllers.detachQueue('retention', q);
    expect(await sample(m, 'gateway_workqueue_depth', { name: 'retention' })).toBe(0);
    gate.resolve();
    await q.shutdown();
  });
});
