// The system under test, as a black box: intake, health and metrics URLs per replica, a client
// to read RemediationRequests, and a way to crash replica k. Locally it is N operator processes
// supervised like `REPLICAS=N make run` on the run's control plane; with FAULTS_INTAKE_URLS it is
// an existing deployment (e.g. kind), read with FAULTS_KUBECONFIG in FAULTS_NAMESPACE.
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { KubeClient } from '../../../operator/kube/client.ts';
import { loadKubeConfig } from '../../../operator/kube/kubeconfig.ts';
import { clientNodeConfig } from '../../controlplane/clientNode.ts';
import { adminKubeConfig, controlPlaneInfo, freshNamespace } from '../../../test/support/cluster.ts';
import { bindClusterRole, ensureNamespace, intakeToken } from '../../controlplane/identities.ts';
import { applyObjects, readManifests } from '../../controlplane/install.ts';
import { ReplicaSet } from '../../controlplane/replicas.ts';
import { freeBasePorts } from './ports.ts';

export const EXTERNAL = Boolean(process.env.FAULTS_INTAKE_URLS);

export interface Target {
  intakes: string[];
  healths: string[];
  metrics: string[];
  namespace: string;
  /** Reads RRs (admin locally; FAULTS_KUBECONFIG against a cluster). */
  kube: KubeClient;
  /** Bearer token for senders, when the intake authenticates. */
  token?: string;
  /** SIGKILLs replica k (locally; FAULTS_KILL_CMD with {k} against a cluster). */
  kill(k: number): Promise<void>;
  /** PID of replica k's current process (local only). */
  pid(k: number): number;
  /** Waits until every replica answers /readyz. */
  ready(timeoutMs?: number): Promise<void>;
  logDir?: string;
  stop(): Promise<void>;
}

export interface LocalOptions {
  replicas: number;
  /** Operator config (YAML file) on top of the defaults. */
  config?: Record<string, unknown>;
  auth?: boolean;
  /** Kubeconfig for replica k (e.g. through a Toxiproxy); the run's admin kubeconfig otherwise. */
  kubeconfigFor?: (k: number) => string;
  /** Extra environment (e.g. NODE_OPTIONS with a heap limit). */
  env?: NodeJS.ProcessEnv;
  /** Namespace to use (created when missing); a fresh one otherwise. */
  namespace?: string;
  /** Admin kubeconfig of another control plane than the run's (a test that restarts its API server). */
  kubeconfigPath?: string;
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export async function startTarget(o: LocalOptions): Promise<Target> {
  return EXTERNAL ? externalTarget() : localTarget(o);
}

/** A signal-source token for the run's control plane, bound to the intake's audience (what Alertmanager presents). */
export async function senderToken(name: string): Promise<string> {
  const admin = adminKubeConfig();
  const role = readManifests('rbac').filter((o) => o.metadata?.name === 'kubernaut-signal-source');
  await applyObjects(admin, role);
  const token = await intakeToken(admin, 'monitoring', name);
  await bindClusterRole(admin, 'kubernaut-signal-source', 'monitoring', name);
  return token;
}

async function localTarget(o: LocalOptions): Promise<Target> {
  const namespace = o.namespace ?? (await freshNamespace('faults'));
  if (o.kubeconfigPath) await ensureNamespace(clientNodeConfig(o.kubeconfigPath), namespace);
  const dir = mkdtempSync(join(tmpdir(), 'kubernaut-faults-'));
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, stringify(o.config ?? {}));
  const adminPath = o.kubeconfigPath ?? controlPlaneInfo().kubeconfigPath;
  const set = new ReplicaSet({
    count: o.replicas,
    basePorts: await freeBasePorts(o.replicas),
    pidDir: dir,
    logDir: dir,
    podNamePrefix: `faults-${namespace}`,
    backoff: { initialMs: 200, maxMs: 2000, resetAfterMs: 10_000 },
    env: {
      ...process.env,
      CLUSTER_ID: 'faults',
      LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'info',
      ...o.env,
      CONFIG_FILE: configFile,
      POD_NAMESPACE: namespace,
      INTAKE_AUTH_ENABLED: o.auth ? 'true' : 'false',
    },
    envFor: (k) => ({ KUBECONFIG: o.kubeconfigFor?.(k) ?? adminPath }),
  });
  set.start();
  const token = o.auth ? await senderToken(`faults-${namespace}`) : undefined;
  await set.waitReady(90_000).catch((err: unknown) => {
    const tail = readFileSync(set.replica(0).logPath!, 'utf8').split('\n').slice(-5).join('\n');
    throw new Error(`${String(err)}; replica-0 log ends:\n${tail}`);
  });
  const r = set.replicas;
  return {
    intakes: r.map((x) => x.intake),
    healths: r.map((x) => x.health),
    metrics: r.map((x) => x.metrics),
    namespace,
    kube: new KubeClient(loadKubeConfig({ kubeconfigPath: adminPath })),
    token,
    logDir: dir,
    pid: (k) => set.replica(k).pid,
    kill: async (k) => {
      set.kill(k, 'SIGKILL');
    },
    ready: (t) => set.waitReady(t),
    stop: async () => {
      await set.stop(5000);
      if (!process.env.KEEP_TEST_LOGS) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function externalTarget(): Target {
  const intakes = list(process.env.FAULTS_INTAKE_URLS);
  const healths = list(process.env.FAULTS_HEALTH_URLS);
  const metrics = list(process.env.FAULTS_METRICS_URLS);
  const namespace = process.env.FAULTS_NAMESPACE ?? 'kubernaut-system';
  const kill = process.env.FAULTS_KILL_CMD;
  return {
    intakes,
    healths,
    metrics,
    namespace,
    kube: new KubeClient(loadKubeConfig({ kubeconfigPath: process.env.FAULTS_KUBECONFIG })),
    token: process.env.FAULTS_TOKEN,
    pid: () => 0,
    kill: async (k) => {
      if (!kill)
        throw new Error(
          'FAULTS_KILL_CMD (e.g. "kubectl delete pod ... --force") is needed to crash a replica',
        );
      execSync(kill.replaceAll('{k}', String(k)), { stdio: 'inherit' });
    },
    ready: async (timeoutMs = 90_000) => {
      const deadline = Date.now() + timeoutMs;
      for (const h of healths) {
        while (
          !(await fetch(`${h}/readyz`).then(
            (r) => r.ok,
            () => false,
          ))
        ) {
          if (Date.now() > deadline) throw new Error(`${h} not ready`);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    },
    stop: async () => {},
  };
}
