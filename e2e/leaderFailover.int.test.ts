// Controller leader election with two real operator processes: exactly one leads (the Lease and
// gateway_leader agree), a SIGKILLed leader is replaced within the lease duration plus retry
// periods, and storm work after the fail-over is applied exactly once (the new leader neither
// re-opens the storm nor announces it again nor counts anything twice).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventsV1Api } from '@kubernetes/client-node';
import type { RemediationRequest } from '../operator/api/types.ts';
import type { KubeClient } from '../operator/kube/client.ts';
import { parseMicroTime } from '../operator/runtime/leaseRecord.ts';
import { fixtureRR } from '../operator/storm/testFixtures.ts';
import {
  adminClient,
  adminKubeConfig,
  controlPlaneInfo,
  eventually,
  freshNamespace,
} from '../test/support/cluster.ts';
import { PROMETHEUS, alert, alertmanagerPayload, post } from '../test/support/operator.ts';
import { REPO_ROOT } from './controlplane/install.ts';
import { freePort } from './controlplane/ports.ts';

const LEASE_SECONDS = 6;
const RETRY_MS = (LEASE_SECONDS * 1000) / 3; // the elector's default retry period
const LEADER_LEASE = 'kubernaut-intake-leader';
const SIGNAL = 'FailoverStorm';

interface Operator {
  name: string;
  proc: ChildProcess;
  intake: string;
  health: string;
  metrics: string;
  logPath: string;
  exited: Promise<unknown>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

async function spawnOperator(
  name: string,
  namespace: string,
  dir: string,
  configFile: string,
): Promise<Operator> {
  const [intake, health, metrics] = [await freePort(), await freePort(), await freePort()];
  const logPath = join(dir, `${name}.log`);
  const log = openSync(logPath, 'w');
  const proc = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(REPO_ROOT, 'operator', 'main.ts')],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        KUBECONFIG: controlPlaneInfo().kubeconfigPath,
        CONFIG_FILE: configFile,
        POD_NAMESPACE: namespace,
        POD_NAME: name,
        CLUSTER_ID: 'e2e',
        INTAKE_PORT: String(intake),
        HEALTH_PORT: String(health),
        METRICS_PORT: String(metrics),
        INTAKE_AUTH_ENABLED: 'false',
        LOG_LEVEL: 'info',
      },
    },
  );
  live.add(proc);
  const exited = new Promise((resolve) => proc.on('exit', resolve)).finally(() => live.delete(proc));
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return { name, proc, intake: url(intake), health: url(health), metrics: url(metrics), logPath, exited };
}

async function metric(op: Operator, name: string): Promise<number> {
  const text = await (await fetch(`${op.metrics}/metrics`)).text();
  const samples = text.split('\n').filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return samples.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe('controller leader fail-over between two operator processes', () => {
  let kube: KubeClient;
  let events: EventsV1Api;
  let ns: string;
  let ops: Operator[] = [];
  let dir = '';

  beforeAll(async () => {
    kube = adminClient();
    events = adminKubeConfig().makeApiClient(EventsV1Api);
    ns = await freshNamespace('failover');
    dir = mkdtempSync(join(tmpdir(), 'kubernaut-failover-'));
    const configFile = join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      [
        'leaderElection:',
        `  leaseDurationSeconds: ${LEASE_SECONDS}`,
        'lifecycle:',
        '  resyncSeconds: 5',
        'storm:',
        '  quietSeconds: 120',
        '',
      ].join('\n'),
    );
    ops = await Promise.all(['op-a', 'op-b'].map((n) => spawnOperator(n, ns, dir, configFile)));
    for (const op of ops) {
      await eventually(
        `${op.name} ready (log: ${op.logPath})`,
        async () => ((await fetch(`${op.health}/readyz`).catch(() => undefined))?.ok ? true : undefined),
        30_000,
      );
    }
  });

  afterAll(async () => {
    for (const op of ops) op.proc.kill('SIGKILL');
    await Promise.all(ops.map((op) => op.exited));
    if (!process.env.KEEP_TEST_LOGS) rmSync(dir, { recursive: true, force: true }); // the operators' logs
  });

  const holder = async () => (await kube.getLease(ns, LEADER_LEASE)).spec?.holderIdentity ?? '';

  const group = async () => (await kube.listRRs(ns)).items.filter((r) => r.spec.signalName === SIGNAL);

  const stormDetectedEvents = async (leader: RemediationRequest) =>
    (await events.listNamespacedEvent({ namespace: ns })).items.filter(
      (e) => e.regarding?.name === leader.metadata.name && e.reason === 'StormDetected',
    );

  /** The group's one leader once it lists `resources` resources and every other RR is marked. */
  const converged = (resources: number) =>
    eventually(
      `storm to converge on ${resources} resources`,
      async () => {
        const rrs = await group();
        const leaders = rrs.filter((r) => r.status?.stormAggregation?.stormDetectedAt);
        const s = leaders[0]?.status?.stormAggregation;
        if (leaders.length !== 1 || s?.affectedResources?.length !== resources) return undefined;
        const members = rrs.filter((r) => r !== leaders[0]);
        return members.every((m) => m.status?.stormAggregation?.stormId === s.stormId)
          ? { leader: leaders[0]!, members }
          : undefined;
      },
      20_000,
    );

  it('elects one leader, fails over after SIGKILL, and applies later storm work exactly once', async () => {
    // One leader: the Lease names it, and only its gateway_leader is 1.
    const first = await eventually('one leader', async () => {
      const name = await holder();
      const leader = ops.find((o) => o.name === name);
      if (!leader) return undefined;
      const flags = await Promise.all(ops.map((o) => metric(o, 'gateway_leader')));
      return flags.join(',') === ops.map((o) => (o === leader ? 1 : 0)).join(',') ? leader : undefined;
    });
    const second = ops.find((o) => o !== first)!;

    // The first leader's controller opens a storm over 12 RRs created behind the intake's back.
    for (let i = 0; i < 12; i++) {
      await kube.createRR(
        fixtureRR({ namespace: ns, signalName: SIGNAL, targetNamespace: 'shop', pod: `before-${i}` }),
      );
    }
    const opened = await converged(12);
    const storm = opened.leader.status!.stormAggregation!;
    expect(storm.aggregatedCount).toBe(1); // the leader's own signal
    await eventually('StormDetected event', async () =>
      (await stormDetectedEvents(opened.leader)).length === 1 ? true : undefined,
    );
    expect(await metric(first, 'gateway_storms_detected_total')).toBe(1);

    // SIGKILL the leader: no release, the lease has to expire.
    const lastRenewal = parseMicroTime((await kube.getLease(ns, LEADER_LEASE)).spec?.renewTime) ?? Date.now();
    const killedAt = Date.now();
    first.proc.kill('SIGKILL');
    await first.exited;
    await eventually(
      'the other process to lead',
      async () => ((await metric(second, 'gateway_leader')) === 1 ? true : undefined),
      LEASE_SECONDS * 1000 + 3 * RETRY_MS,
      50,
    );
    const ledAt = Date.now();
    const failoverMs = ledAt - killedAt;
    expect(await holder()).toBe(second.name);
    console.log(
      `leader fail-over: ${second.name} led ${failoverMs} ms after SIGKILL of ${first.name} ` +
        `(${ledAt - lastRenewal} ms after its last renewal; lease ${LEASE_SECONDS} s, retry period ${RETRY_MS} ms)`,
    );
    // Expiry is judged from when the candidate saw the lease change (up to one retry period after
    // the last renewal), then it waits for its next attempt (one retry period plus 20 % jitter).
    expect(failoverMs).toBeLessThanOrEqual(LEASE_SECONDS * 1000 + 2 * RETRY_MS * 1.2 + 1000);

    // Storm work after the fail-over: three RRs created directly (the controller marks them and
    // lists them) and three alerts to the surviving intake (folded into the open storm).
    for (let i = 0; i < 3; i++) {
      await kube.createRR(
        fixtureRR({ namespace: ns, signalName: SIGNAL, targetNamespace: 'shop', pod: `after-${i}` }),
      );
    }
    const replies = await Promise.all(
      [0, 1, 2].map((i) =>
        post(
          second.intake + PROMETHEUS,
          alertmanagerPayload([alert({ alertname: SIGNAL, namespace: 'shop', pod: `alert-${i}` })]),
        ),
      ),
    );
    expect(replies.map((r) => [r.status, r.body.status, r.body.stormId])).toEqual(
      [0, 1, 2].map(() => [202, 'aggregated', storm.stormId]),
    );

    const after = await converged(18);
    const s = after.leader.status!.stormAggregation!;
    expect(after.leader.metadata.name).toBe(opened.leader.metadata.name);
    expect(s).toMatchObject({
      stormId: storm.stormId,
      stormDetectedAt: storm.stormDetectedAt,
      aggregatedCount: 4, // the leader's own signal and the three folded alerts
    });
    expect(new Set(s.affectedResources).size).toBe(18);
    expect(s.aggregatedFingerprints).toHaveLength(18);
    expect(new Set(s.aggregatedFingerprints).size).toBe(18);
    expect(after.members).toHaveLength(14);
    expect(await stormDetectedEvents(after.leader)).toHaveLength(1);
    expect(await metric(second, 'gateway_storms_detected_total')).toBe(0);
  });
});
