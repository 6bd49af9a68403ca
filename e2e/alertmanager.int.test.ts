// A real Alertmanager (Debian's prometheus-alertmanager 0.25) delivering to the intake: webhook
// v4 payloads, a bearer token read from credentials_file, alerts grouped by alertname into one
// batch (a storm arrives as a single webhook), and resolved notifications.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyObjects, readManifests } from './controlplane/install.ts';
import { bindClusterRole, intakeToken } from './controlplane/identities.ts';
import { freePort } from './controlplane/ports.ts';
import { startGuarded, stopProcess } from './controlplane/processes.ts';
import type { ManagedProcess } from './controlplane/processes.ts';
import type { RemediationRequest } from '../operator/api/types.ts';
import type { KubeClient } from '../operator/kube/client.ts';
import { adminClient, adminKubeConfig, eventually, freshNamespace } from '../test/support/cluster.ts';
import { PROMETHEUS, startOperator } from '../test/support/operator.ts';
import type { RunningOperator } from '../test/support/operator.ts';

describe('a real Alertmanager delivering to the intake', () => {
  let kube: KubeClient;
  let ns: string;
  let op: RunningOperator;
  let am: ManagedProcess;
  let amUrl: string;
  const rrs = async (name: string) =>
    (await kube.listRRs(ns)).items.filter((r) => r.spec.signalName === name);

  beforeAll(async () => {
    kube = adminClient();
    ns = await freshNamespace('am');
    const admin = adminKubeConfig();
    const signalSource = readManifests('rbac').filter((o) => o.metadata?.name === 'kubernaut-signal-source');
    await applyObjects(admin, signalSource);
    const token = await intakeToken(admin, 'monitoring', `alertmanager-${ns}`);
    await bindClusterRole(admin, 'kubernaut-signal-source', 'monitoring', `alertmanager-${ns}`);
    op = await startOperator(ns, {
      intake: { auth: { enabled: true, cacheTtlSeconds: 10 } } as never,
      storm: {
        rate: { threshold: 10, windowSeconds: 60 },
        pattern: { threshold: 5, windowSeconds: 120 },
        quietSeconds: 60,
        maxDurationSeconds: 300,
      },
    });

    const dir = mkdtempSync(join(tmpdir(), 'alertmanager-'));
    writeFileSync(join(dir, 'token'), token);
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      [
        'route:',
        '  receiver: kubernaut',
        '  group_by: [alertname]',
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        '  routes:',
        '    - matchers: [\'alertname="PodTrickle"\']',
        '      group_by: [alertname, pod]',
        'receivers:',
        '  - name: kubernaut',
        '    webhook_configs:',
        `      - url: ${op.endpoints.intake}${PROMETHEUS}`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials_file: ${join(dir, 'token')}`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = startGuarded(
      'alertmanager',
      'prometheus-alertmanager',
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      join(dir, 'alertmanager.log'),
    );
    await eventually(
      'Alertmanager ready',
      async () => ((await fetch(`${amUrl}/-/ready`).catch(() => undefined))?.ok ? true : undefined),
      30_000,
    );
  });
  afterAll(async () => {
    if (am) await stopProcess(am);
    await op?.stop();
  });

  async function fire(alerts: { labels: Record<string, string>; endsAt?: string }[]): Promise<void> {
    const body = alerts.map((a) => ({
      labels: a.labels,
      annotations: { summary: `${a.labels.alertname} on ${a.labels.pod ?? a.labels.deployment}` },
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      ...(a.endsAt ? { endsAt: a.endsAt } : {}),
    }));
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  }

  it('creates an RR from a notification and marks it when Alertmanager resolves the alert', async () => {
    const labels = {
      alertname: 'KubePodCrashLooping',
      severity: 'critical',
      namespace: 'shop',
      deployment: 'checkout',
    };
    await fire([{ labels }]);
    const [rr] = await eventually('the RR from Alertmanager', async () => {
      const found = await rrs('KubePodCrashLooping');
      return found.length > 0 ? found : undefined;
    });
    expect(rr!.spec).toMatchObject({
      signalSource: 'alertmanager',
      signalType: 'prometheus-alert',
      targetResource: { kind: 'Deployment', name: 'checkout', namespace: 'shop' },
    });
    expect(rr!.spec.signalLabels).toMatchObject(labels);

    await fire([{ labels, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    const resolved = await eventually('signalResolvedAt', async () => {
      const fresh: RemediationRequest = await kube.getRR(ns, rr!.metadata.name);
      return fresh.status?.signalResolvedAt ? fresh : undefined;
    });
    expect(resolved.status?.deduplication?.occurrenceCount).toBe(1);
    expect((await rrs('KubePodCrashLooping')).length).toBe(1);
  });

  async function expectOneRR(signalName: string, pods: string[], namespace: string) {
    await fire(
      pods.map((pod) => ({ labels: { alertname: signalName, severity: 'warning', namespace, pod } })),
    );
    const leader = await eventually(
      `all ${pods.length} signals of ${signalName} accounted for`,
      async () => {
        const group = await rrs(signalName);
        const lead = group.find((r) => r.status?.stormAggregation?.stormDetectedAt);
        const folded = lead?.status?.stormAggregation?.aggregatedCount ?? 0;
        return lead && group.length - 1 + folded === pods.length ? lead : undefined;
      },
      30_000,
      250,
    ).catch(async (err: unknown) => {
      const group = await rrs(signalName);
      console.log(group.map((r) => [r.metadata.name, JSON.stringify(r.status).slice(0, 400)]));
      throw err;
    });
    const group = await rrs(signalName);
    expect(group).toHaveLength(1);
    const s = leader.status!.stormAggregation!;
    expect(s.aggregatedCount).toBe(pods.length);
    expect([...s.affectedResources!].sort()).toEqual(pods.map((p) => `Pod/${namespace}/${p}`).sort());
    console.log(
      `real Alertmanager storm: ${pods.length} alerts -> ${group.length} RR, aggregatedCount ${s.aggregatedCount}`,
    );
  }

  it('turns 15 alerts grouped into one notification into one RR', async () => {
    await expectOneRR(
      'PodOOMKilled',
      Array.from({ length: 15 }, (_, i) => `worker-${i}`),
      'batch',
    );
  });

  it('turns a 100-pod storm into one RR', async () => {
    await expectOneRR(
      'PodEvicted',
      Array.from({ length: 100 }, (_, i) => `pod-${i}`),
      'big',
    );
  });

  it('turns a storm that Alertmanager sends one pod per notification into one RR', async () => {
    const pods = Array.from({ length: 15 }, (_, i) => `trickle-${i}`);
    await fire(
      pods.map((pod) => ({
        labels: { alertname: 'PodTrickle', severity: 'warning', namespace: 'drip', pod },
      })),
    );
    const leader = await eventually(
      'all 15 trickled signals accounted for',
      async () => {
        const group = await rrs('PodTrickle');
        const lead = group.find((r) => r.status?.stormAggregation?.stormDetectedAt);
        const folded = lead?.status?.stormAggregation?.aggregatedCount ?? 0;
        return lead && group.length - 1 + folded === pods.length ? lead : undefined;
      },
      30_000,
      250,
    );
    const group = await rrs('PodTrickle');
    expect(group.length).toBeLessThanOrEqual(2);
    const received = group.map((r) => Date.parse(r.spec.receivedTime));
    const lastFold = Date.parse(leader.status!.stormAggregation!.lastAggregatedAt!);
    console.log(
      `real Alertmanager, one notification per pod: 15 alerts -> ${group.length} RR(s); ` +
        `first to last arrival within ${lastFold - Math.min(...received)} ms`,
    );
  });
});
