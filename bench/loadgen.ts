// The load generator: a separate process (so it never shares an event loop with what it
// measures) that runs one job with a fixed number of requests at a fixed concurrency and prints
// a LoadResult as JSON on stdout. Intake jobs POST with fetch (undici, keep-alive); raw jobs call
// the API server through the product's own KubeClient and pooled KubeConfig.
import { readFileSync } from 'node:fs';
import { KubeClient } from '../operator/kube/client.ts';
import { KubeError } from '../operator/kube/errors.ts';
import { loadKubeConfig } from '../operator/kube/kubeconfig.ts';
import type { LoadJob, LoadResult } from './loadgenJob.ts';
import { initialStatus, rrFor } from './rrBodies.ts';
import { round, summarize } from './stats.ts';
import { alertsFor, caseSpec, primeAlertsFor, webhookPayload } from './workload.ts';

interface Attempt {
  code: string;
  outcome?: string;
  error?: string;
}

/** One request: `i` is its index, `worker` the worker (0..concurrency-1) running it. */
type Send = (i: number, worker: number) => Promise<Attempt>;

async function runPool(
  mode: LoadJob['mode'],
  count: number,
  concurrency: number,
  send: Send,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const codes: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const samples = new Set<string>();
  let errors = 0;
  let next = 0;
  const worker = async (w: number) => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      const r = await send(i, w).catch((err: unknown): Attempt => ({
        code: 'exception',
        error: String(err),
      }));
      latencies.push(performance.now() - t0);
      codes[r.code] = (codes[r.code] ?? 0) + 1;
      if (r.outcome) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      if (r.error !== undefined) {
        errors++;
        if (samples.size < 5) samples.add(`${r.code}: ${r.error.slice(0, 200)}`);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const durationMs = performance.now() - started;
  return {
    mode,
    requests: count,
    concurrency,
    durationMs: round(durationMs),
    perSec: round((count / durationMs) * 1000),
    latency: summarize(latencies),
    codes,
    outcomes,
    errors,
    errorSamples: [...samples],
  };
}

function intakeSender(job: Extract<LoadJob, { mode: 'intake' }>): { count: number; send: Send } {
  const spec = caseSpec(job.caseName);
  const alerts = job.prime ? primeAlertsFor(spec) : alertsFor(spec);
  const bodies = alerts.map((a) => JSON.stringify(webhookPayload(a)));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (job.token) headers.authorization = `Bearer ${job.token}`;
  const send: Send = async (i) => {
    const url = `${job.urls[i % job.urls.length]}/api/v1/signals/prometheus`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers,
        body: bodies[i],
        signal: AbortSignal.timeout(60_000),
      });
    } catch (err) {
      return { code: 'network', error: String(err) };
    }
    const text = await res.text();
    let outcome: string | undefined;
    try {
      outcome = String((JSON.parse(text) as { status?: unknown }).status);
    } catch {
      outcome = 'unparsable';
    }
    return res.ok
      ? { code: String(res.status), outcome }
      : { code: String(res.status), outcome, error: text };
  };
  return { count: bodies.length, send };
}

function failed(err: unknown): Attempt {
  if (err instanceof KubeError) return { code: err.code ? String(err.code) : 'network', error: err.message };
  return { code: 'exception', error: String(err) };
}

async function withKube(fn: () => Promise<unknown>, code: string): Promise<Attempt> {
  try {
    await fn();
    return { code };
  } catch (err) {
    return failed(err);
  }
}

/** Creates `count` RRs; with `withStatus`, each one also gets the intake's initial status write. */
function createSender(kube: KubeClient, namespace: string, withStatus: boolean): Send {
  return (i) =>
    withKube(async () => {
      const at = new Date();
      const rr = await kube.createRR(rrFor(i >= 0 ? i : 200_000 - i, namespace, at));
      if (withStatus) {
        await kube.patchRRStatus(namespace, rr.metadata.name, initialStatus(at), rr.metadata.resourceVersion);
      }
    }, '201');
}

/**
 * resourceVersion-checked status writes of one more occurrence, the write a duplicate costs.
 * Each worker owns one RR and carries its resourceVersion forward, so no write conflicts.
 */
async function statusSender(kube: KubeClient, namespace: string, workers: number): Promise<Send> {
  const owned = await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const at = new Date();
      const rr = await kube.createRR(rrFor(100_000 + w, namespace, at));
      return kube.patchRRStatus(namespace, rr.metadata.name, initialStatus(at), rr.metadata.resourceVersion);
    }),
  );
  return (_i, w) =>
    withKube(async () => {
      const rr = owned[w]!;
      const now = new Date().toISOString();
      const d = rr.status?.deduplication ?? {};
      const deduplication = { ...d, lastSeenAt: now, occurrenceCount: (d.occurrenceCount ?? 1) + 1 };
      owned[w] = await kube.patchRRStatus(
        namespace,
        rr.metadata.name,
        { deduplication },
        rr.metadata.resourceVersion,
      );
    }, '200');
}

/**
 * One untimed request per worker before the timed ones: the baselines are what the API server
 * does with warm connections (every TLS handshake done), the best case the product can reach.
 */
async function warmUp(send: Send, workers: number): Promise<void> {
  await Promise.all(Array.from({ length: workers }, (_, w) => send(-1 - w, w)));
}

async function run(job: LoadJob): Promise<LoadResult> {
  if (job.mode === 'intake') {
    const { count, send } = intakeSender(job);
    return runPool(job.mode, count, job.concurrency, send);
  }
  const kube = new KubeClient(loadKubeConfig({ kubeconfigPath: job.kubeconfigPath }));
  const send =
    job.mode === 'raw-status'
      ? await statusSender(kube, job.namespace, job.concurrency)
      : createSender(kube, job.namespace, job.mode === 'seed');
  if (job.mode !== 'seed') await warmUp(send, job.concurrency);
  return runPool(job.mode, job.count, job.concurrency, send);
}

const jobFile = process.argv[2];
if (!jobFile) {
  process.stderr.write('usage: node bench/loadgen.ts <job.json>\n');
  process.exit(2);
}
run(JSON.parse(readFileSync(jobFile, 'utf8')) as LoadJob).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(
      `loadgen failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
