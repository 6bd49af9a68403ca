// A dedicated profiling pass: one replica under `node --cpu-prof` through the dup90 case (not
// the measured run: the profiler's own cost stays out of the numbers), stopped with SIGTERM so
// it exits cleanly (operator/main.ts) and Node writes the profile; its top self-time entries
// over the load window only.
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../e2e/controlplane/install.ts';
import { sleep } from './apiWindow.ts';
import type { Env } from './apiWindow.ts';
import { topSelfTime } from './cpuProfile.ts';
import type { CpuProfile, ProfileTop } from './cpuProfile.ts';
import { runLoad } from './loadgenJob.ts';
import { bufferEnv, replicaSet } from './measure.ts';
import { startReplicas, stopReplicas } from './replicas.ts';
import { caseSpec } from './workload.ts';

export const PROFILED_CASE = 'dup90';
export const PROFILE_TOP = 15;

export interface ProfileResult extends ProfileTop {
  case: string;
  replicas: number;
  signals: number;
  exitCode: number | null;
}

export async function profileCase(env: Env): Promise<ProfileResult> {
  const spec = caseSpec(PROFILED_CASE);
  const dir = join(env.tmpDir, 'cpuprofile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const set = await replicaSet(env, `${spec.name}-profile`, 1, bufferEnv(spec));
  const replicas = await startReplicas({ ...set, profileArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  env.log(`profile: ${spec.name} x1 under --cpu-prof (${spec.signals} signals)`);
  const run = async () => {
    await sleep(2000);
    const urls = replicas.map((r) => r.intake);
    const from = performance.now();
    await runLoad(
      { mode: 'intake', caseName: spec.name, urls, concurrency: spec.concurrency, token: env.token },
      env.tmpDir,
      `${spec.name}-profile`,
    );
    return { from, to: performance.now() };
  };
  const load = await run().finally(() => stopReplicas(replicas, 30_000));
  const exitCode = await replicas[0]!.exited;
  const exitedAt = performance.now();
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir} (replica exit code ${exitCode})`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const root = join(env.tmpDir, 'dist');
  // The profile ends when the replica exits: the load window, counted back from there (start-up
  // and shutdown stay out; the alignment is good to the few ms the exit takes to be observed).
  const window = {
    fromUs: profile.endTime - (exitedAt - load.from) * 1000,
    toUs: profile.endTime - (exitedAt - load.to) * 1000,
  };
  const top = topSelfTime(profile, PROFILE_TOP, root.startsWith(REPO_ROOT) ? root : REPO_ROOT, window);
  return { case: spec.name, replicas: 1, signals: spec.signals, exitCode, ...top };
}
