// `make bench`: one local control plane; raw API baselines; the closed-loop intake cases (new,
// dup90, dup, storm, burst) with 1 and/or 3 replicas; the open-loop cases (vegeta); a profiling
// pass; a replica's memory with 10,000 RRs cached. Writes bench/results/latest.json, report.md
// and the chart SVGs. The goals are reported, never enforced.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from './apiWindow.ts';
import { measureBaselines } from './baselines.ts';
import { startCluster } from './cluster.ts';
import { BUSY_WARNING_PCT, sampleBusy } from './host.ts';
import { AUTH_ENABLED, senderToken } from './identity.ts';
import { measureCacheMemory } from './memory.ts';
import { measureCase } from './measure.ts';
import type { CaseResult } from './measure.ts';
import { measureOpenLoop, OPEN_LOOP_REPLICAS, vegetaBinary } from './openLoop.ts';
import { writeOutputs } from './outputs.ts';
import { profileCase } from './profile.ts';
import { NODE_OPTIONS, operatorEntry } from './replicas.ts';
import { commit, machine, rawSummary, withRatios } from './results.ts';
import type { BenchResults } from './results.ts';
import { round } from './stats.ts';
import { checkTargets } from './targets.ts';
import { CASES } from './workload.ts';

const RESULTS = join(import.meta.dirname, 'results');
const TMP = join(RESULTS, 'tmp');

const started = performance.now();
const log = (line: string) =>
  console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

type Measured = Omit<BenchResults, 'commit' | 'generatedAt' | 'durationSeconds' | 'machine'>;

async function closedCases(env: Env): Promise<CaseResult[]> {
  const cases: CaseResult[] = [];
  for (const spec of CASES) {
    for (const replicas of spec.replicas) {
      const c = await measureCase(env, spec, replicas);
      log(
        `  ${c.case} x${c.replicas}: ${c.signalsPerSec} signals/s, P95 ${c.p95Ms} ms, ${c.errors} errors, ${c.apiRequestsPerSignal} API req/signal, ${c.cpuMsPerSignal.operator} CPU ms/signal, ${c.lockLeasesLeft} lock Leases left`,
      );
      cases.push(c);
    }
  }
  return cases;
}

async function measureAll(env: Env): Promise<Measured> {
  const baselines = await measureBaselines(env);
  log(
    `baselines: ${baselines.rawCreatePerSec} creates/s, ${baselines.rawStatusUpdatePerSec} status updates/s, write P95 ${baselines.rawWriteP95Ms} ms`,
  );
  const cases = await closedCases(env);
  const openLoop = await measureOpenLoop(env);
  const profile = await profileCase(env);
  log(`profile: ${profile.samples} samples, ${profile.totalMs} ms (${profile.idleMs} ms idle)`);
  const memory = await measureCacheMemory(env);
  log(`memory: ${memory.rssMb} MB RSS with ${memory.cachedRRs} RRs cached`);
  return {
    baselines: {
      rawCreatePerSec: baselines.rawCreatePerSec,
      rawStatusUpdatePerSec: baselines.rawStatusUpdatePerSec,
      rawWriteP95Ms: baselines.rawWriteP95Ms,
      concurrency: baselines.concurrency,
      rawCreate: rawSummary(baselines.rawCreate),
      rawStatusUpdate: rawSummary(baselines.rawStatusUpdate),
    },
    cases: cases.map((c) => withRatios(c, baselines)),
    memory,
    targets: checkTargets({ cases, openLoop, memory }),
    openLoop,
    profile,
    setup: { nodeOptions: NODE_OPTIONS, auth: AUTH_ENABLED, openLoopReplicas: OPEN_LOOP_REPLICAS },
  };
}

async function main(): Promise<void> {
  mkdirSync(TMP, { recursive: true });
  const busyBefore = await sampleBusy(3000);
  if (busyBefore > BUSY_WARNING_PCT) {
    log(`warning: the machine is already ${busyBefore}% busy; the numbers will be lower and noisier`);
  }
  vegetaBinary(); // fails early when `make vegeta` has not run
  log(
    `compiling the operator; replicas run with NODE_OPTIONS="${NODE_OPTIONS}", auth ${AUTH_ENABLED ? 'on' : 'off'}`,
  );
  const entry = operatorEntry(TMP);
  log('starting the local control plane');
  const cluster = await startCluster();
  try {
    const token = await senderToken(cluster.kc);
    const measured = await measureAll({ cluster, operatorEntry: entry, tmpDir: TMP, token, log });
    const results: BenchResults = {
      ...measured,
      machine: { ...machine(cluster.version), busyBeforeStartPct: busyBefore },
      commit: commit(),
      generatedAt: new Date().toISOString(),
      durationSeconds: round((performance.now() - started) / 1000, 0),
    };
    writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    const written = await writeOutputs(RESULTS, results);
    for (const t of results.targets)
      log(
        `goal ${t.goal} ${t.met ? 'met    ' : 'MISSED '} ${t.target} [${t.subject}]: ${t.value} vs ${t.limit} ${t.unit}`,
      );
    log(`wrote latest.json, ${written.join(', ')} in ${RESULTS}`);
  } finally {
    await cluster.cp.stop();
  }
}

process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
