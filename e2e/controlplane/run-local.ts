// `make run`: runs the operator in the foreground. With no cluster configured (no KUBECONFIG, not
// in a pod) it starts the bundled local control plane first, installs the CRD and RBAC, issues
// the operator a ServiceAccount token bound to exactly rbac/, writes .local/kubeconfig (admin) and
// .local/intake-token (a sender allowed to post signals), and prints how to send one.
// REPLICAS=N runs N operator processes (replica k on the base ports + 100k, PID in
// .local/replica-k.pid), restarting any that dies, as a kubelet would.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalControlPlane } from './controlPlane.ts';
import { bindClusterRole, intakeToken, serviceAccountToken } from './identities.ts';
import { REPO_ROOT, installManifests } from './install.ts';
import { writeTokenKubeconfig } from './kubeconfig.ts';
import { ReplicaSet } from './replicas.ts';
import type { Replica } from './replicas.ts';
import { clientNodeConfig } from './clientNode.ts';

// KUBERNAUT_LOCAL_DIR lets the test of this script keep its state away from a developer's .local.
const LOCAL = process.env.KUBERNAUT_LOCAL_DIR ?? join(REPO_ROOT, '.local');
const namespace = process.env.POD_NAMESPACE ?? 'kubernaut-system';
const basePorts = {
  intake: Number(process.env.INTAKE_PORT ?? 8080),
  health: Number(process.env.HEALTH_PORT ?? 8081),
  metrics: Number(process.env.METRICS_PORT ?? 9090),
};

function clusterConfigured(): boolean {
  return Boolean(process.env.KUBECONFIG) || existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');
}

async function startLocal(): Promise<{ cp: LocalControlPlane; operatorKubeconfig: string }> {
  const cp = new LocalControlPlane();
  const started = Date.now();
  console.log('no cluster configured: starting the local control plane (kube-apiserver + etcd)...');
  const info = await cp.start();
  mkdirSync(LOCAL, { recursive: true });
  const adminPath = join(LOCAL, 'kubeconfig');
  copyFileSync(info.kubeconfigPath, adminPath);
  const admin = clientNodeConfig(adminPath);
  await installManifests(admin, namespace);
  const operatorToken = await serviceAccountToken(admin, namespace, 'kubernaut-intake');
  const operatorKubeconfig = join(LOCAL, 'operator.kubeconfig');
  writeTokenKubeconfig(
    operatorKubeconfig,
    { server: info.server, caCertPath: info.caCertPath },
    'kubernaut-intake',
    operatorToken,
  );
  const senderToken = await intakeToken(admin, 'monitoring', 'alertmanager');
  await bindClusterRole(admin, 'kubernaut-signal-source', 'monitoring', 'alertmanager');
  writeFileSync(join(LOCAL, 'intake-token'), `${senderToken}\n`, { mode: 0o600 });
  console.log(
    `local control plane ready in ${Date.now() - started} ms at ${info.server} (logs: ${info.stateDir})`,
  );
  return { cp, operatorKubeconfig };
}

function printNextSteps(replicas: Replica[]): void {
  const first = replicas[0]!;
  const url = `${first.intake}/api/v1/signals/prometheus`;
  const rows = replicas.map(
    (r) =>
      `  replica-${r.k}  pid ${String(r.pid).padEnd(8)} intake ${r.intake}  health ${r.health}/readyz  metrics ${r.metrics}/metrics`,
  );
  console.log(`
${replicas.length} replica${replicas.length > 1 ? 's' : ''} (PIDs in .local/replica-k.pid; a replica that dies is restarted):
${rows.join('\n')}
kubectl:  kubectl --kubeconfig .local/kubeconfig get rr -n ${namespace}

send an alert:
  curl -sS -X POST ${url} \\
    -H "Authorization: Bearer $(cat .local/intake-token)" -H 'Content-Type: application/json' \\
    -d '{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"KubePodCrashLooping","severity":"critical","namespace":"shop","deployment":"checkout"},"annotations":{"summary":"checkout is crash looping"},"startsAt":"2026-01-01T00:00:00Z"}]}'
`);
}

function replicaCount(): number {
  const n = Number(process.env.REPLICAS ?? '1');
  if (!Number.isInteger(n) || n < 1 || n > 20)
    throw new Error(`REPLICAS must be a whole number from 1 to 20 (got ${process.env.REPLICAS})`);
  return n;
}

async function main(): Promise<void> {
  const count = replicaCount();
  let cp: LocalControlPlane | undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, POD_NAMESPACE: namespace };
  if (!clusterConfigured()) {
    const local = await startLocal();
    cp = local.cp;
    env.KUBECONFIG = local.operatorKubeconfig;
  } else {
    console.log(
      `using the configured cluster (${process.env.KUBECONFIG ?? 'in-cluster'}); install crds/ and rbac/ there first`,
    );
  }
  const set = new ReplicaSet({
    count,
    basePorts,
    pidDir: LOCAL,
    env,
    podNamePrefix: process.env.POD_NAME ?? 'kubernaut-intake',
    onEvent: (m) => console.log(m),
  });
  set.start();
  set.waitReady(120_000).then(
    () => {
      console.log(`operator is ready (${count} replica${count > 1 ? 's' : ''})`);
      printNextSteps(set.replicas);
    },
    (err: unknown) => console.error(String(err)),
  );
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await stopped;
  await set.stop();
  if (cp) {
    console.log('stopping the local control plane');
    await cp.stop();
  }
  process.exit(0);
}

main().catch(async (err: unknown) => {
  console.error(`make run failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
