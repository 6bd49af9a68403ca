// Raw API baselines, and one intake case at a replica count with every reading taken around its
// load: API server request counts, CPU, RSS. (The 10,000-RR memory measurement is in memory.ts.)
import { minus, readApiserver, sumWhere, total } from './apiserverMetrics.ts';
import type { ApiserverReading, Counters } from './apiserverMetrics.ts';
import type { BenchCluster } from './cluster.ts';
import { freshNamespace } from './cluster.ts';
import { hostSnapshot, hostUse } from './host.ts';
import type { HostUse } from './host.ts';
import { runLoad } from './loadgenJob.ts';
import type { LoadResult } from './loadgenJob.ts';
import { cpuSeconds, operatorApiRequests, rssMb, startReplicas, stopReplicas } from './replicas.ts';
import type { Replica } from './replicas.ts';
import { round } from './stats.ts';
import type { CaseSpec } from './workload.ts';

export const CONCURRENCY = 64;
export const BASELINE_REQUESTS = 2000;
export const IDLE_WINDOW_MS = 10_000;
const SETTLE_MS = 2000;

export interface Env {
  cluster: BenchCluster;
  operatorEntry: string;
  tmpDir: string;
  log: (line: string) => void;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Reading extends ApiserverReading {
  at: number;
}

async function read(env: Env): Promise<Reading> {
  const r = await readApiserver(env.cluster.kc);
  return { ...r, at: performance.now() };
}

/** Background API requests per ms while the replicas are idle (leader election, API server loops). */
async function idleRate(env: Env): Promise<{ rate: number; last: Reading }> {
  const first = await read(env);
  await sleep(IDLE_WINDOW_MS);
  const last = await read(env);
  return { rate: (total(last.counters) - total(first.counters)) / (last.at - first.at), last };
}

/** Waits until the API server sees no more than background traffic (the replicas settled). */
async function quiesce(env: Env, rate: number): Promise<Reading> {
  let prev = await read(env);
  for (let i = 0; i < 60; i++) {
    await sleep(500);
    const cur = await read(env);
    if (total(cur.counters) - total(prev.counters) <= 1 + rate * (cur.at - prev.at)) return cur;
    prev = cur;
  }
  return prev;
}

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

export interface CaseResult {
  case: string;
  replicas: number;
  signals: number;
  signalsPerSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
  apiRequestsPerSignal: number;
  /** After the case, one per replica. */
  rssMb: number[];
  rssIdleMb: number[];
  /** Status writes, conflicts and re-reads per duplicate-or-aggregated signal (see report). */
  apiRequestsPerDuplicate: number | null;
  /** Whole-machine CPU while the load ran: busy, and taken by processes outside the benchmark. */
  host: HostUse;
  /** CPU milliseconds per signal: all replicas together, and the API server. */
  cpuMsPerSignal: { operator: number; apiserver: number };
  operatorApiRequestsPerSignal: number;
  apiRequests: number;
  apiBackgroundSubtracted: number;
  apiBreakdown: Record<string, number>;
  outcomes: Record<string, number>;
  codes: Record<string, number>;
  durationMs: number;
  maxMs: number;
  errorSamples: string[];
}

const operatorCpu = (replicas: Replica[]) => replicas.reduce((s, r) => s + cpuSeconds(r.pid), 0);

interface LoadWindow {
  load: LoadResult;
  delta: Counters;
  drift: number;
  extra: Pick<CaseResult, 'rssMb' | 'cpuMsPerSignal' | 'host'> & { operatorRequests: number };
}

/** Runs the intake load against running replicas, with every reading taken around it. */
async function measureLoad(env: Env, spec: CaseSpec, replicas: Replica[], tag: string): Promise<LoadWindow> {
  const idle = await idleRate(env);
  const before = {
    op: await operatorApiRequests(replicas),
    cpu: operatorCpu(replicas),
    host: hostSnapshot(),
  };
  env.log(`case ${spec.name} x${replicas.length}: ${spec.signals} signals at concurrency ${CONCURRENCY}`);
  const urls = replicas.map((r) => r.intake);
  const load = await runLoad(
    { mode: 'intake', caseName: spec.name, urls, concurrency: CONCURRENCY },
    env.tmpDir,
    tag,
  );
  const host = hostUse(before.host, hostSnapshot());
  const settled = await quiesce(env, idle.rate);
  const after = { op: await operatorApiRequests(replicas), cpu: operatorCpu(replicas) };
  const perSignal = (seconds: number) => round((seconds * 1000) / load.requests, 3);
  return {
    load,
    delta: minus(settled.counters, idle.last.counters),
    drift: idle.rate * (settled.at - idle.last.at),
    extra: {
      rssMb: replicas.map((r) => rssMb(r.pid)),
      operatorRequests: after.op - before.op,
      host,
      cpuMsPerSignal: {
        operator: perSignal(after.cpu - before.cpu),
        apiserver: perSignal(settled.cpuSeconds - idle.last.cpuSeconds),
      },
    },
  };
}

export async function measureCase(env: Env, spec: CaseSpec, replicaCount: number): Promise<CaseResult> {
  const tag = `${spec.name}-r${replicaCount}`;
  const namespace = await freshNamespace(env.cluster, `bench-${tag}`);
  const replicas = await startReplicas({
    entry: env.operatorEntry,
    namespace,
    kubeconfigPath: env.cluster.info.kubeconfigPath,
    count: replicaCount,
    logDir: env.tmpDir,
    tag,
  });
  try {
    await sleep(SETTLE_MS);
    const rssIdleMb = replicas.map((r) => rssMb(r.pid));
    const w = await measureLoad(env, spec, replicas, tag);
    return caseResult(spec, replicaCount, w, rssIdleMb);
  } finally {
    await stopReplicas(replicas);
  }
}

function caseResult(spec: CaseSpec, replicas: number, w: LoadWindow, rssIdleMb: number[]): CaseResult {
  const { load, delta, drift, extra } = w;
  const signals = load.requests;
  const requests = Math.max(0, total(delta) - drift);
  const absorbed = (load.outcomes.duplicate ?? 0) + (load.outcomes.aggregated ?? 0);
  // Every created RR gets exactly one status write of its own; the rest is the duplicates' doing.
  const creates = sumWhere(delta, 'POST remediationrequests');
  const statusWork =
    sumWhere(delta, 'PATCH remediationrequests/status') +
    sumWhere(delta, 'GET remediationrequests') -
    creates;
  return {
    case: spec.name,
    replicas,
    signals,
    signalsPerSec: load.perSec,
    p50Ms: load.latency.p50Ms,
    p95Ms: load.latency.p95Ms,
    p99Ms: load.latency.p99Ms,
    errors: load.errors,
    apiRequestsPerSignal: round(requests / signals, 3),
    rssMb: extra.rssMb,
    rssIdleMb,
    apiRequestsPerDuplicate: absorbed > 0 ? round(Math.max(0, statusWork) / absorbed, 3) : null,
    host: extra.host,
    cpuMsPerSignal: extra.cpuMsPerSignal,
    operatorApiRequestsPerSignal: round(extra.operatorRequests / signals, 3),
    apiRequests: round(requests, 1),
    apiBackgroundSubtracted: round(drift, 1),
    apiBreakdown: Object.fromEntries([...delta].sort((a, b) => b[1] - a[1])),
    outcomes: load.outcomes,
    codes: load.codes,
    durationMs: load.durationMs,
    maxMs: load.latency.maxMs,
    errorSamples: load.errorSamples,
  };
}
