// The open-loop cases: vegeta sends a fixed number of signals per second for a fixed time,
// whatever the latency of the answers (a closed loop slows down with the system it measures and
// hides queueing). Targets go round-robin over the chart's default replica count.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../e2e/controlplane/install.ts';
import { sleep } from './apiWindow.ts';
import type { Env } from './apiWindow.ts';
import { chartReplicaCount } from './chartValues.ts';
import { bufferEnv, lockLeases, replicaSet } from './measure.ts';
import { startReplicas, stopReplicas } from './replicas.ts';
import { summarizeEncoded, targetLine } from './vegetaResults.ts';
import type { OpenLoopSummary } from './vegetaResults.ts';
import { OPEN_LOOP, openLoopAlerts, webhookPayload } from './workload.ts';
import type { OpenLoopSpec } from './workload.ts';

export const OPEN_LOOP_REPLICAS = chartReplicaCount();
const SETTLE_MS = 2000;

export interface OpenLoopResult extends OpenLoopSummary {
  case: string;
  replicas: number;
  rate: number;
  seconds: number;
  env: Record<string, string>;
  /** `gw-lock-*` Leases in the namespace afterwards: 0 without the lock, if the product honours it. */
  lockLeasesLeft: number;
}

/**
 * The vegeta binary `make vegeta` built into the tools cache: the path build-gotool.sh uses (its
 * cache root and pinned version, read from the script). Never builds: `make bench` depends on
 * `make vegeta`, and a second concurrent build of the same tool is to be avoided.
 */
export function vegetaBinary(): string {
  const script = readFileSync(join(REPO_ROOT, 'e2e', 'controlplane', 'build-gotool.sh'), 'utf8');
  const version = process.env.VEGETA_VERSION ?? /VEGETA_VERSION:-([^}]+)\}/.exec(script)?.[1];
  if (!version) throw new Error('no vegeta version in e2e/controlplane/build-gotool.sh');
  const root =
    process.env.KUBERNAUT_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubernaut-intake');
  const bin = join(root, `vegeta-${version}`, 'vegeta');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`make vegeta\` first`);
  return bin;
}

function attack(vegeta: string, spec: OpenLoopSpec, targetsFile: string, tag: string, tmpDir: string) {
  const bin = join(tmpDir, `vegeta-${tag}.bin`);
  execFileSync(
    vegeta,
    [
      'attack',
      '-format=json',
      `-targets=${targetsFile}`,
      `-rate=${spec.rate}/s`,
      `-duration=${spec.seconds}s`,
      '-timeout=30s',
      `-output=${bin}`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return execFileSync(vegeta, ['encode', '-to', 'json', bin], { encoding: 'utf8', maxBuffer: 256 << 20 });
}

async function runOne(env: Env, vegeta: string, spec: OpenLoopSpec): Promise<OpenLoopResult> {
  const tag = spec.name;
  const set = await replicaSet(env, tag, OPEN_LOOP_REPLICAS, {
    ...bufferEnv({ stormBuffer: false }),
    ...spec.env,
  });
  const replicas = await startReplicas(set);
  try {
    await sleep(SETTLE_MS);
    const lines = openLoopAlerts(spec).map((a, i) =>
      targetLine({
        url: `${replicas[i % replicas.length]!.intake}/api/v1/signals/prometheus`,
        body: JSON.stringify(webhookPayload(a)),
        token: env.token,
      }),
    );
    const targetsFile = join(env.tmpDir, `targets-${tag}.jsonl`);
    writeFileSync(targetsFile, `${lines.join('\n')}\n`);
    env.log(`open loop ${tag} x${replicas.length}: ${spec.rate} signals/s for ${spec.seconds} s (vegeta)`);
    const summary = summarizeEncoded(attack(vegeta, spec, targetsFile, tag, env.tmpDir));
    await sleep(SETTLE_MS);
    return {
      case: tag,
      replicas: replicas.length,
      rate: spec.rate,
      seconds: spec.seconds,
      env: spec.env,
      lockLeasesLeft: await lockLeases(env, set.namespace),
      ...summary,
    };
  } finally {
    await stopReplicas(replicas);
  }
}

export async function measureOpenLoop(env: Env): Promise<OpenLoopResult[]> {
  const vegeta = vegetaBinary();
  const out: OpenLoopResult[] = [];
  for (const spec of OPEN_LOOP) {
    const r = await runOne(env, vegeta, spec);
    env.log(
      `  ${r.case}: sent ${r.sentPerSec}/s, P95 ${r.latency.p95Ms} ms, P99 ${r.latency.p99Ms} ms, codes ${JSON.stringify(r.codes)}`,
    );
    out.push(r);
  }
  return out;
}
