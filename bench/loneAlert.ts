// Measures what a lone new alert waits for its answer (storm group's first RR: created at once)
// and, where the buffer exists, what a group's second new alert waits (recorded as a pending
// member). Sequential requests against one local operator on its own control plane.
// Usage: node --disable-warning=ExperimentalWarning bench/loneAlert.ts  (LONE_ALERTS=200)
import { LocalControlPlane } from '../e2e/controlplane/controlPlane.ts';
import { ensureNamespace } from '../e2e/controlplane/identities.ts';
import { installManifests } from '../e2e/controlplane/install.ts';
import { clientNodeConfig } from '../e2e/controlplane/clientNode.ts';
import { loadKubeConfig } from '../operator/kube/kubeconfig.ts';
import { alert, alertmanagerPayload, post, PROMETHEUS, startOperator } from '../test/support/operator.ts';
import { summarize } from './stats.ts';

const n = Number(process.env.LONE_ALERTS ?? 200);
const cp = new LocalControlPlane();
const info = await cp.start();
const kc = clientNodeConfig(info.kubeconfigPath);
await installManifests(kc);
await ensureNamespace(kc, 'lone');
const op = await startOperator(
  'lone',
  { leaderElection: { enabled: false } },
  loadKubeConfig({ kubeconfigPath: info.kubeconfigPath }),
);
const url = op.endpoints.intake + PROMETHEUS;
const send = async (ns: string, deployment: string, alertname: string) => {
  const t = performance.now();
  const r = await post(url, alertmanagerPayload([alert({ namespace: ns, deployment, alertname })]));
  return { ms: performance.now() - t, status: String(r.body.status) };
};
try {
  for (let i = 0; i < 20; i++) await send('warm', `w-${i}`, `Warm${i}`);
  const lone: number[] = [];
  const second: number[] = [];
  const statuses = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const a = await send('shop', `lone-${i}`, `Lone${i}`);
    lone.push(a.ms);
    const b = await send('shop', `other-${i}`, `Lone${i}`);
    second.push(b.ms);
    statuses.set(b.status, (statuses.get(b.status) ?? 0) + 1);
  }
  const fmt = (xs: number[]) => {
    const s = summarize(xs);
    return `P50 ${s.p50Ms} ms, P95 ${s.p95Ms} ms`;
  };
  console.log(`lone new alert (${n}): ${fmt(lone)}`);
  console.log(
    `second new alert of its group (${n}, ${JSON.stringify(Object.fromEntries(statuses))}): ${fmt(second)}`,
  );
} finally {
  await op.stop();
  await cp.stop();
}
