// What the orchestrator asks of the load generator (a separate process), and what it reports.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LatencySummary } from './stats.ts';

export type LoadJob =
  | {
      mode: 'intake';
      caseName: string;
      urls: string[];
      concurrency: number;
      /** Bearer token for the intake ('' with auth off). */
      token: string;
      /** Send the case's prime alerts (the RRs that must exist first) instead of its signals. */
      prime?: boolean;
    }
  | { mode: 'raw-create'; kubeconfigPath: string; namespace: string; count: number; concurrency: number }
  | { mode: 'raw-status'; kubeconfigPath: string; namespace: string; count: number; concurrency: number }
  | { mode: 'seed'; kubeconfigPath: string; namespace: string; count: number; concurrency: number };

export interface LoadResult {
  mode: LoadJob['mode'];
  requests: number;
  concurrency: number;
  durationMs: number;
  perSec: number;
  latency: LatencySummary;
  /** HTTP status code (or `network`) -> count. */
  codes: Record<string, number>;
  /** Intake outcome (`created`, `duplicate`, `aggregated`, ...) -> count. */
  outcomes: Record<string, number>;
  errors: number;
  errorSamples: string[];
}

const HERE = import.meta.dirname;

/** Runs one job in a fresh `node bench/loadgen.ts` process and returns its report. */
export function runLoad(job: LoadJob, tmpDir: string, tag: string): Promise<LoadResult> {
  const jobFile = join(tmpDir, `job-${tag}.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(HERE, 'loadgen.ts'), jobFile],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator (${tag}) exited with ${code}`));
      try {
        resolve(JSON.parse(out) as LoadResult);
      } catch {
        reject(new Error(`load generator (${tag}) printed no result: ${out.slice(0, 300)}`));
      }
    });
  });
}
