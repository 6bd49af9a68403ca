// The shape of bench/results/latest.json, and the facts about the run it records.
import { execFileSync } from 'node:child_process';
import { arch, cpus, release, totalmem, type } from 'node:os';
import { REPO_ROOT } from '../e2e/controlplane/install.ts';
import type { HostUse } from './host.ts';
import type { CacheMemory } from './memory.ts';
import type { Baselines, RawRun } from './baselines.ts';
import type { CaseResult } from './measure.ts';
import type { OpenLoopResult } from './openLoop.ts';
import type { ProfileResult } from './profile.ts';
import { round } from './stats.ts';
import type { TargetResult } from './targets.ts';

export interface RawSummary {
  requests: number;
  perSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  apiserverCpuMsPerRequest: number;
  host: HostUse;
}

export interface CaseRow extends CaseResult {
  /** signalsPerSec / rawCreatePerSec. */
  vsRawCreate: number;
  /** signalsPerSec / rawStatusUpdatePerSec. */
  vsRawStatusUpdate: number;
  /** p95Ms / rawWriteP95Ms. */
  p95VsRawWriteP95: number;
}

export interface BenchResults {
  baselines: {
    rawCreatePerSec: number;
    rawStatusUpdatePerSec: number;
    rawWriteP95Ms: number;
    concurrency: number;
    rawCreate: RawSummary;
    rawStatusUpdate: RawSummary;
  };
  cases: CaseRow[];
  memory: CacheMemory;
  targets: TargetResult[];
  /** Open-loop cases (vegeta at a fixed rate). */
  openLoop: OpenLoopResult[];
  /** Top self-time entries of one replica's CPU profile during a dedicated pass. */
  profile: ProfileResult;
  /** How the replicas ran: the chart's NODE_OPTIONS, sender auth, open-loop replica count. */
  setup: { nodeOptions: string; auth: boolean; openLoopReplicas: number };
  machine: Record<string, string | number>;
  commit: string;
  generatedAt: string;
  durationSeconds: number;
}

export function rawSummary(r: RawRun): RawSummary {
  const { p50Ms, p95Ms, p99Ms, maxMs } = r.latency;
  const { requests, perSec, errors, apiserverCpuMsPerRequest, host } = r;
  return { requests, perSec, p50Ms, p95Ms, p99Ms, maxMs, errors, apiserverCpuMsPerRequest, host };
}

export function withRatios(c: CaseResult, b: Baselines): CaseRow {
  return {
    ...c,
    vsRawCreate: round(c.signalsPerSec / b.rawCreatePerSec, 3),
    vsRawStatusUpdate: round(c.signalsPerSec / b.rawStatusUpdatePerSec, 3),
    p95VsRawWriteP95: round(c.p95Ms / b.rawWriteP95Ms, 3),
  };
}

export function machine(apiserverVersion: string): Record<string, string | number> {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
    kubeApiserver: apiserverVersion,
  };
}

/** HEAD's hash, with `-dirty` when tracked files (bench/results/, its own output, aside) differ from it. */
export function commit(): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  try {
    const head = git('rev-parse', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results')
      ? `${head}-dirty`
      : head;
  } catch {
    return 'unknown';
  }
}
