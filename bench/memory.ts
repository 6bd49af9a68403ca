// The memory of a replica whose cache holds 10,000 RemediationRequests, and what one cached
// RR weighs as JSON.
import { sleep } from './apiWindow.ts';
import type { Env } from './apiWindow.ts';
import { runLoad } from './loadgenJob.ts';
import { replicaSet } from './measure.ts';
import { SCALE } from './workload.ts';
import { replicaMetric, rssMb, startReplicas, stopReplicas } from './replicas.ts';
import { round } from './stats.ts';

export const CACHED_RRS = Math.max(100, Math.round(10_000 * SCALE));
const SEED_CONCURRENCY = 32;
const RSS_SETTLE_MS = 5000;

export interface CacheMemory {
  cachedRRs: number;
  seedPerSec: number;
  readyMs: number;
  rssMb: number;
  heapUsedMb: number;
  /** Mean size of one stored RR as JSON, and the share of it that is metadata.managedFields. */
  rrJsonBytes: number;
  managedFieldsShare: number;
}

async function rrSize(
  env: Env,
  namespace: string,
): Promise<{ rrJsonBytes: number; managedFieldsShare: number }> {
  const { items } = await env.cluster.kube.listRRs(namespace, { limit: 200 });
  const bytes = items.reduce((s, rr) => s + JSON.stringify(rr).length, 0);
  const managed = items.reduce((s, rr) => s + JSON.stringify(rr.metadata.managedFields ?? []).length, 0);
  return { rrJsonBytes: Math.round(bytes / items.length), managedFieldsShare: round(managed / bytes, 3) };
}

/** Fills a namespace with CACHED_RRS RRs (created and status-initialised like the intake does). */
export async function measureCacheMemory(env: Env): Promise<CacheMemory> {
  const set = await replicaSet(env, 'cache10k', 1, {});
  const namespace = set.namespace;
  env.log(
    `memory: creating ${CACHED_RRS} RemediationRequests (create + status) at concurrency ${SEED_CONCURRENCY}`,
  );
  const seed = await runLoad(
    {
      mode: 'seed',
      kubeconfigPath: env.cluster.info.kubeconfigPath,
      namespace,
      count: CACHED_RRS,
      concurrency: SEED_CONCURRENCY,
    },
    env.tmpDir,
    'seed',
  );
  if (seed.errors > 0) throw new Error(`seeding had ${seed.errors} errors: ${seed.errorSamples.join('; ')}`);
  const started = performance.now();
  const replicas = await startReplicas(set);
  try {
    const readyMs = round(performance.now() - started, 0);
    await sleep(RSS_SETTLE_MS);
    const replica = replicas[0]!;
    return {
      cachedRRs: CACHED_RRS,
      seedPerSec: seed.perSec,
      readyMs,
      rssMb: rssMb(replica.pid),
      heapUsedMb: round((await replicaMetric(replica, 'nodejs_heap_size_used_bytes')) / 1024 ** 2, 1),
      ...(await rrSize(env, namespace)),
    };
  } finally {
    await stopReplicas(replicas);
  }
}
