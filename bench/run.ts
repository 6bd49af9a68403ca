// `make bench`: one local control plane; raw API baselines; the intake cases (new, dup90, storm)
// with 1 and 3 replicas; a replica's memory with 10,000 RRs cached. Writes
// bench/results/latest.json, report.md and chart.png. Targets are reported, never enforced.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster } from './cluster.ts';
import { measureCacheMemory } from './memory.ts';
import { measureBaselines, measureCase } from './measure.ts';
import type { CaseResult, Env } from './measure.ts';
import { BUSY_WARNING_PCT, sampleBusy } from './host.ts';
import { operatorEntry } from './replicas.ts';
import { writeOutputs } from './outputs.ts';
import { commit, machine, rawSummary, withRatios } from './results.ts';
import type { BenchResults } from './results.ts';
import { round } from './stats.ts';
import { checkTargets } from './targets.ts';
import { CASES } from './workload.ts';

const RESULTS = join(import.meta.dirname, 'results');
const TMP = join(RESULTS, 'tmp');
const REPLICA_COUNTS = [1, 3];

const started = performance.now();
const log = (line: string) =>
  console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

type Measured = Omit<BenchResults, 'commit' | 'generatedAt' | 'durationSeconds' | 'machine'>;

async function measureAll(env: Env): Promise<Measured> {
  const baselines = await measureBaselines(env);
  log(
    `baselines: ${baselines.rawCreatePerSec} creates/s, ${baselines.rawStatusUpdatePerSec} status updates/s, write P95 ${baselines.rawWriteP95Ms} ms`,
  );
  const cases: CaseResult[] = [];
  for (const spec of CASES) {
    for (const replicas of REPLICA_COUNTS) {
      const c = await measureCase(env, spec, replicas);
      log(
        `  ${c.case} x${c.replicas}: ${c.signalsPerSec} signals/s, P95 ${c.p95Ms} ms, ${c.errors} errors, ${c.apiRequestsPerSignal} API req/signal`,
      );
      cases.push(c);
    }
  }
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
    targets: checkTargets(baselines, cases, memory),
  };
}

async function main(): Promise<void> {
  mkdirSync(TMP, { recursive: true });
  const busyBefore = await sampleBusy(3000);
  if (busyBefore > BUSY_WARNING_PCT) {
    log(`warning: the machine is already ${busyBefore}% busy; the numbers will be lower and noisier`);
  }
  log('compiling the operator');
  const entry = operatorEntry(TMP);
  log('starting the local control plane');
  const cluster = await startCluster();
  try {
    const measured = await measureAll({ cluster, operatorEntry: entry, tmpDir: TMP, log });
    const results: BenchResults = {
      ...measured,
      machine: { ...machine(cluster.version), busyBeforeStartPct: busyBefore },
      commit: commit(),
      generatedAt: new Date().toISOString(),
      durationSeconds: round((performance.now() - started) / 1000, 0),
    };
    writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeOutputs(RESULTS, results);
    for (const t of results.targets)
      log(
        `target ${t.met ? 'met    ' : 'MISSED '} ${t.target} [${t.subject}]: ${t.value} vs ${t.limit} ${t.unit}`,
      );
    log(`wrote ${join(RESULTS, 'latest.json')}, report.md and chart.png`);
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
