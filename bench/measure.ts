// One closed-loop intake case at a replica count, with every reading taken around its load: API
// server request counts, the lock Leases it leaves behind, CPU, RSS. Replicas run under their own
// ServiceAccount (identity.ts); cases other than storm run with the storm buffer off (README).
import { CoordinationV1Api } from '@kubernetes/client-node';
import { minus, sumWhere, total } from './apiserverMetrics.ts';
import type { Counters } from './apiserverMetrics.ts';
import { idleRate, quiesce, sleep } from './apiWindow.ts';
import type { Env } from './apiWindow.ts';
import { freshNamespace } from './cluster.ts';
import { hostSnapshot, hostUse } from './host.ts';
import type { HostUse } from './host.ts';
import { operatorKubeconfig } from './identity.ts';
import { runLoad } from './loadgenJob.ts';
import type { LoadResult } from './loadgenJob.ts';
import { cpuSeconds, operatorApiRequests, rssMb, startReplicas, stopReplicas } from './replicas.ts';
import type { Replica, ReplicaSet } from './replicas.ts';
import { round } from './stats.ts';
import type { CaseSpec } from './workload.ts';

const SETTLE_MS = 2000;

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
  /** `gw-lock-*` Leases left in the case's namespace once it settled (each costs a delete later). */
  lockLeasesLeft: number;
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
  concurrency: number;
}

const operatorCpu = (replicas: Replica[]) => replicas.reduce((s, r) => s + cpuSeconds(r.pid), 0);

export async function lockLeases(env: Env, namespace: string): Promise<number> {
  const api = env.cluster.kc.makeApiClient(CoordinationV1Api);
  const { items } = await api.listNamespacedLease({ namespace });
  return items.filter((l) => l.metadata?.name?.startsWith('gw-lock-')).length;
}

/** A fresh namespace with its own ServiceAccount, and the replica set that runs in it. */
export async function replicaSet(env: Env, tag: string, count: number, extraEnv: Record<string, string>) {
  const namespace = await freshNamespace(env.cluster, `bench-${tag}`);
  const set: ReplicaSet = {
    entry: env.operatorEntry,
    namespace,
    kubeconfigPath: await operatorKubeconfig(env.cluster.kc, env.cluster.info, namespace, env.tmpDir),
    count,
    logDir: env.tmpDir,
    tag,
    env: extraEnv,
  };
  return set;
}

export const bufferEnv = (spec: { stormBuffer: boolean }): Record<string, string> =>
  spec.stormBuffer ? {} : { STORM_BUFFER_SECONDS: '0' };

interface LoadWindow {
  load: LoadResult;
  delta: Counters;
  drift: number;
  leases: number;
  extra: Pick<CaseResult, 'rssMb' | 'cpuMsPerSignal' | 'host'> & { operatorRequests: number };
}

/** Runs the intake load against running replicas, with every reading taken around it. */
async function measureLoad(env: Env, spec: CaseSpec, replicas: Replica[], tag: string): Promise<LoadWindow> {
  const urls = replicas.map((r) => r.intake);
  const job = { mode: 'intake' as const, caseName: spec.name, urls, concurrency: spec.concurrency };
  if (spec.prime > 0) {
    await runLoad({ ...job, token: env.token, prime: true }, env.tmpDir, `${tag}-prime`);
  }
  const idle = await idleRate(env);
  const before = {
    op: await operatorApiRequests(replicas),
    cpu: operatorCpu(replicas),
    host: hostSnapshot(),
  };
  env.log(
    `case ${spec.name} x${replicas.length}: ${spec.signals} signals at concurrency ${spec.concurrency}`,
  );
  const load = await runLoad({ ...job, token: env.token }, env.tmpDir, tag);
  const host = hostUse(before.host, hostSnapshot());
  const settled = await quiesce(env, idle.rate);
  const after = { op: await operatorApiRequests(replicas), cpu: operatorCpu(replicas) };
  const perSignal = (seconds: number) => round((seconds * 1000) / load.requests, 3);
  return {
    load,
    delta: minus(settled.counters, idle.last.counters),
    drift: idle.rate * (settled.at - idle.last.at),
    leases: await lockLeases(env, replicas[0]!.namespace),
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
  const replicas = await startReplicas(await replicaSet(env, tag, replicaCount, bufferEnv(spec)));
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
    lockLeasesLeft: w.leases,
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
    concurrency: spec.concurrency,
  };
}
