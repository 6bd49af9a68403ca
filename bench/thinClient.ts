// What the thin API client saves against @kubernetes/client-node 2.0.1, measured in one run on one
// local control plane: the RSS of an idle operator replica and of one with 10,000 RRs cached (old
// and new compiled builds), and the CPU time of one RR status patch in-process (old: client-node's
// CustomObjectsApi with the pooled dispatcher the operator used; new: KubeClient).
// Usage: node --disable-warning=ExperimentalWarning bench/thinClient.ts
//   OLD_ENTRY=<old dist>/operator/main.js NEW_ENTRY=<new dist>/operator/main.js (both compiled
//   with tsconfig.build.json); THIN_PATCHES=2000; THIN_CACHED=10000; THIN_PHASES=idle,patch,cached
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GROUP, PLURAL, VERSION } from '../operator/api/types.ts';
import { KubeClient } from '../operator/kube/client.ts';
import { loadKubeConfig } from '../operator/kube/kubeconfig.ts';
import { fixtureRR } from '../operator/storm/testFixtures.ts';
import { freshNamespace, startCluster } from './cluster.ts';
import { runLoad } from './loadgenJob.ts';
import { sleep } from './apiWindow.ts';
import { rssMb, startReplicas, stopReplicas } from './replicas.ts';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];

/** The operator's former PooledKubeConfig: one undici Agent per context instead of one per request. */
class PooledKubeConfig extends KubeConfig {
  private pooled: ReturnType<RequestContext['getDispatcher']>;
  override async applySecurityAuthentication(ctx: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(ctx);
    if (!ctx.getSignal()) ctx.setSignal(AbortSignal.timeout(10_000));
    const created = ctx.getDispatcher();
    if (this.pooled) ctx.setDispatcher(this.pooled);
    else this.pooled = created;
  }
}

const oldEntry = process.env.OLD_ENTRY ?? '/tmp/kube-dist-old/operator/main.js';
const newEntry = process.env.NEW_ENTRY ?? '/tmp/kube-dist/operator/main.js';
const patches = Number(process.env.THIN_PATCHES ?? 2000);
const cached = Number(process.env.THIN_CACHED ?? 10_000);
const tmp = mkdtempSync(join(tmpdir(), 'bench-thin-'));
const cluster = await startCluster();
const kubeconfigPath = cluster.info.kubeconfigPath;
const phases = new Set((process.env.THIN_PHASES ?? 'idle,patch,cached').split(','));
const results: Record<string, unknown> = { nodeOptions: process.env.NODE_OPTIONS ?? '' };

async function replicaRss(entry: string, namespace: string, tag: string): Promise<number> {
  const [r] = await startReplicas({ entry, namespace, kubeconfigPath, count: 1, logDir: tmp, tag });
  try {
    await sleep(10_000);
    return rssMb(r!.pid);
  } finally {
    await stopReplicas([r!]);
  }
}

async function cpuPerPatch(label: string, patch: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 100; i++) await patch(i); // warm-up
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < patches; i++) await patch(i);
  const used = process.cpuUsage(cpu);
  const runs = (results[label] ??= []) as { cpuMsPerRequest: number; wallMsPerRequest: number }[];
  runs.push({
    cpuMsPerRequest: Math.round(((used.user + used.system) / 1000 / patches) * 1000) / 1000,
    wallMsPerRequest: Math.round(((performance.now() - t) / patches) * 1000) / 1000,
  });
  console.error(label, runs.at(-1));
}

try {
  if (phases.has('idle')) await idlePhase();
  if (phases.has('patch')) await patchPhase();
  if (phases.has('cached')) await cachedPhase();
  console.log(JSON.stringify(results, null, 2));
} finally {
  await cluster.cp.stop();
}

async function idlePhase(): Promise<void> {
  const idle = await freshNamespace(cluster, 'thin-idle');
  results.idleRssOldMb = await replicaRss(oldEntry, idle, 'idle-old');
  results.idleRssNewMb = await replicaRss(newEntry, idle, 'idle-new');
  console.error('idle', results);
}

async function patchPhase(): Promise<void> {
  const ns = await freshNamespace(cluster, 'thin-patch');
  const rr = await cluster.kube.createRR(fixtureRR({ namespace: ns, pod: 'patched' }));
  const name = rr.metadata.name;
  const kube = new KubeClient(loadKubeConfig({ kubeconfigPath }));
  const kc = new PooledKubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const status = (i: number) => ({ status: { overallPhase: 'Pending', occurrenceCount: i + 1 } });
  const viaOld = (i: number) =>
    custom.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, plural: PLURAL, namespace: ns, name, body: status(i) },
      mergePatch,
    );
  const viaNew = (i: number) => kube.patchRRStatus(ns, name, status(i).status);
  for (let round = 0; round < 2; round++) {
    await cpuPerPatch('patchClientNode', viaOld);
    await cpuPerPatch('patchThin', viaNew);
  }
}

async function cachedPhase(): Promise<void> {
  const full = await freshNamespace(cluster, 'thin-10k');
  const seed = await runLoad(
    { mode: 'seed', kubeconfigPath, namespace: full, count: cached, concurrency: 32 },
    tmp,
    'seed',
  );
  if (seed.errors > 0) throw new Error(`seeding failed: ${seed.errorSamples.join('; ')}`);
  results.cachedRRs = cached;
  results.cachedRssOldMb = await replicaRss(oldEntry, full, 'full-old');
  results.cachedRssNewMb = await replicaRss(newEntry, full, 'full-new');
}
