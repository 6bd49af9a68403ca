// Operator replicas as real child processes (`node dist/operator/main.js`, NODE_OPTIONS from the
// chart's values), each on its own free ports, logging to a file; plus their memory (VmRSS) and
// their own API request counters.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../e2e/controlplane/ports.ts';
import { REPO_ROOT } from '../e2e/controlplane/install.ts';
import { chartNodeOptions } from './chartValues.ts';
import { AUTH_ENABLED } from './identity.ts';

export interface Replica {
  podName: string;
  namespace: string;
  pid: number;
  intake: string;
  health: string;
  metrics: string;
  logPath: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

export interface ReplicaSet {
  /** The operator's entry file (compiled main.js, or operator/main.ts run by type stripping). */
  entry: string;
  namespace: string;
  kubeconfigPath: string;
  count: number;
  logDir: string;
  tag: string;
  /** Extra environment (e.g. STORM_BUFFER_SECONDS, INTAKE_LOCK_ENABLED). */
  env?: Record<string, string>;
  /** Extra node flags for replica 0 only (e.g. --cpu-prof). */
  profileArgs?: string[];
}

/** The chart's NODE_OPTIONS (read once): the replicas run Node as the chart's pods do. */
export const NODE_OPTIONS = chartNodeOptions();

/**
 * The operator as it ships: the image runs tsc's output (`node dist/operator/main.js`), so the
 * replicas do too (compiled into the benchmark's scratch folder, not the repo's dist/).
 * BENCH_OPERATOR=source runs operator/main.ts through Node's type stripping instead.
 */
export function operatorEntry(tmpDir: string): string {
  if (process.env.BENCH_OPERATOR === 'source') return join(REPO_ROOT, 'operator', 'main.ts');
  const outDir = join(tmpDir, 'dist');
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', outDir], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  return join(outDir, 'operator', 'main.js');
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

async function startOne(s: ReplicaSet, index: number): Promise<Replica> {
  const [intakePort, healthPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const podName = `bench-${s.tag}-${index}`;
  const logPath = join(s.logDir, `${podName}.log`);
  const log = openSync(logPath, 'w');
  // As the image runs it: `node dist/operator/main.js`, no flags besides the chart's NODE_OPTIONS.
  const flags = s.entry.endsWith('.ts') ? ['--disable-warning=ExperimentalWarning'] : [];
  const args = [...flags, ...(index === 0 ? (s.profileArgs ?? []) : []), s.entry];
  const proc = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NODE_OPTIONS,
      KUBECONFIG: s.kubeconfigPath,
      POD_NAME: podName,
      POD_NAMESPACE: s.namespace,
      CLUSTER_ID: 'bench',
      INTAKE_PORT: String(intakePort),
      HEALTH_PORT: String(healthPort),
      METRICS_PORT: String(metricsPort),
      INTAKE_AUTH_ENABLED: String(AUTH_ENABLED),
      LOG_LEVEL: 'warn',
      ...s.env,
    },
  });
  if (proc.pid === undefined) throw new Error(`could not start ${podName}`);
  live.add(proc);
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      live.delete(proc);
      resolve(code);
    }),
  );
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return {
    podName,
    namespace: s.namespace,
    pid: proc.pid,
    intake: url(intakePort),
    health: url(healthPort),
    metrics: url(metricsPort),
    logPath,
    proc,
    exited,
  };
}

async function waitReady(r: Replica, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void r.exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`${r.podName} exited during start-up (log: ${r.logPath})`);
    const ok = await fetch(`${r.health}/readyz`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`${r.podName} was not ready after ${timeoutMs} ms (log: ${r.logPath})`);
}

/** Starts the replicas and resolves once every one answers /readyz (its cache has synced). */
export async function startReplicas(s: ReplicaSet, timeoutMs = 120_000): Promise<Replica[]> {
  const replicas: Replica[] = [];
  for (let i = 0; i < s.count; i++) replicas.push(await startOne(s, i));
  try {
    await Promise.all(replicas.map((r) => waitReady(r, timeoutMs)));
  } catch (err) {
    await stopReplicas(replicas);
    throw err;
  }
  return replicas;
}

export async function stopReplicas(replicas: Replica[], graceMs = 10_000): Promise<void> {
  await Promise.all(
    replicas.map(async (r) => {
      if (r.proc.exitCode !== null || r.proc.signalCode !== null) return;
      r.proc.kill('SIGTERM');
      const timer = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), graceMs).unref());
      if ((await Promise.race([r.exited, timer])) === 'timeout') {
        r.proc.kill('SIGKILL');
        await r.exited;
      }
    }),
  );
}

/** Resident set size of a process in MB, from /proc/<pid>/status (VmRSS). */
export function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Math.round((Number(m[1]) / 1024) * 10) / 10;
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3, utime 14 and stime 15 (1-based), in clock ticks (USER_HZ = 100).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A number from a replica's /metrics (summed over its series), e.g. nodejs_heap_size_used_bytes. */
export async function replicaMetric(r: Replica, name: string): Promise<number> {
  const text = await fetch(`${r.metrics}/metrics`).then((res) => res.text());
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** The replicas' own count of API requests (gateway_k8s_api_requests_total, watches excluded). */
export async function operatorApiRequests(replicas: Replica[]): Promise<number> {
  let sum = 0;
  for (const r of replicas) {
    const text = await fetch(`${r.metrics}/metrics`).then((res) => res.text());
    for (const line of text.split('\n')) {
      if (line.startsWith('gateway_k8s_api_requests_total{') && !line.includes('verb="watch"')) {
        sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
    }
  }
  return sum;
}
