// Raw API baselines: RR creates and resourceVersion-checked status updates straight to the API
// server through the product's KubeClient, by the same load generator the intake cases use.
import { minus, total } from './apiserverMetrics.ts';
import { read } from './apiWindow.ts';
import type { Env } from './apiWindow.ts';
import { freshNamespace } from './cluster.ts';
import { hostSnapshot, hostUse } from './host.ts';
import type { HostUse } from './host.ts';
import { runLoad } from './loadgenJob.ts';
import type { LoadResult } from './loadgenJob.ts';
import { round } from './stats.ts';
import { SCALE } from './workload.ts';

export const CONCURRENCY = 64;
export const BASELINE_REQUESTS = Math.max(200, Math.round(2000 * SCALE));

/** A raw run, with the API server CPU it cost per request (setup and warm-up requests included). */
export interface RawRun extends LoadResult {
  apiserverCpuMsPerRequest: number;
  host: HostUse;
}

export interface Baselines {
  concurrency: number;
  requests: number;
  rawCreatePerSec: number;
  rawStatusUpdatePerSec: number;
  rawWriteP95Ms: number;
  rawCreate: RawRun;
  rawStatusUpdate: RawRun;
}

async function rawRun(env: Env, mode: 'raw-create' | 'raw-status', namespace: string): Promise<RawRun> {
  const job = {
    mode,
    kubeconfigPath: env.cluster.info.kubeconfigPath,
    namespace: await freshNamespace(env.cluster, namespace),
    count: BASELINE_REQUESTS,
    concurrency: CONCURRENCY,
  };
  const before = await read(env);
  const host = hostSnapshot();
  const result = await runLoad(job, env.tmpDir, mode);
  const hostUsed = hostUse(host, hostSnapshot());
  const after = await read(env);
  if (result.errors > 0) {
    throw new Error(`baseline ${mode} had ${result.errors} errors: ${result.errorSamples.join('; ')}`);
  }
  const requests = total(minus(after.counters, before.counters));
  const cpuMs = (after.cpuSeconds - before.cpuSeconds) * 1000;
  return { ...result, apiserverCpuMsPerRequest: round(cpuMs / Math.max(1, requests), 3), host: hostUsed };
}

export async function measureBaselines(env: Env): Promise<Baselines> {
  env.log(`baseline: ${BASELINE_REQUESTS} raw RR creates at concurrency ${CONCURRENCY}`);
  const create = await rawRun(env, 'raw-create', 'bench-raw-create');
  env.log(`baseline: ${BASELINE_REQUESTS} raw resourceVersion-checked status updates`);
  const status = await rawRun(env, 'raw-status', 'bench-raw-status');
  return {
    concurrency: CONCURRENCY,
    requests: BASELINE_REQUESTS,
    rawCreatePerSec: create.perSec,
    rawStatusUpdatePerSec: status.perSec,
    // The slower of the two write kinds: the intake's writes are a mix of both.
    rawWriteP95Ms: Math.max(create.latency.p95Ms, status.latency.p95Ms),
    rawCreate: create,
    rawStatusUpdate: status,
  };
}
