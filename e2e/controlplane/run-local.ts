// `make run`: runs the operator in the foreground. With no cluster configured (no KUBECONFIG, not
// in a pod) it starts the bundled local control plane first, installs the CRD and RBAC, issues
// the operator a ServiceAccount token bound to exactly rbac/, writes .local/kubeconfig (admin) and
// .local/intake-token (a sender allowed to post signals), and prints how to send one.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalControlPlane } from './controlPlane.ts';
import { bindClusterRole, intakeToken, serviceAccountToken } from './identities.ts';
import { REPO_ROOT, installManifests } from './install.ts';
import { writeTokenKubeconfig } from './kubeconfig.ts';
import { loadKubeConfig } from '../../operator/kube/kubeconfig.ts';

const LOCAL = join(REPO_ROOT, '.local');
const namespace = process.env.POD_NAMESPACE ?? 'kubernaut-system';
const intakePort = process.env.INTAKE_PORT ?? '8080';

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
  const admin = loadKubeConfig({ kubeconfigPath: adminPath });
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

function printNextSteps(): void {
  const url = `http://127.0.0.1:${intakePort}/api/v1/signals/prometheus`;
  console.log(`
intake:   ${url}
health:   http://127.0.0.1:${process.env.HEALTH_PORT ?? '8081'}/readyz    metrics: http://127.0.0.1:${process.env.METRICS_PORT ?? '9090'}/metrics
kubectl:  kubectl --kubeconfig .local/kubeconfig get rr -n ${namespace}

send an alert:
  curl -sS -X POST ${url} \\
    -H "Authorization: Bearer $(cat .local/intake-token)" -H 'Content-Type: application/json' \\
    -d '{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"KubePodCrashLooping","severity":"critical","namespace":"shop","deployment":"checkout"},"annotations":{"summary":"checkout is crash looping"},"startsAt":"2026-01-01T00:00:00Z"}]}'
`);
}

async function main(): Promise<void> {
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
  const operator = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(REPO_ROOT, 'operator', 'main.ts')],
    {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const ready = `http://127.0.0.1:${process.env.HEALTH_PORT ?? '8081'}/readyz`;
  void (async () => {
    for (let i = 0; i < 300; i++) {
      const ok = await fetch(ready).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) {
        console.log('operator is ready');
        printNextSteps();
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    operator.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await new Promise<number>((resolve) => operator.on('exit', (c) => resolve(c ?? 0)));
  if (cp) {
    console.log('stopping the local control plane');
    await cp.stop();
  }
  process.exit(stopping ? 0 : code);
}

main().catch(async (err: unknown) => {
  console.error(`make run failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
