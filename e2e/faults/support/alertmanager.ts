// Real Alertmanagers (Debian's prometheus-alertmanager) for the fault suite: one, or several
// clustered over loopback with --cluster.peer, each delivering webhooks to the intake.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../../test/support/cluster.ts';
import { freePort } from '../../controlplane/ports.ts';
import { startGuarded, stopProcess } from '../../controlplane/processes.ts';
import type { ManagedProcess } from '../../controlplane/processes.ts';
import { metricSum } from './observe.ts';

export interface AlertmanagerOptions {
  webhookUrl: string;
  token?: string;
  groupBy?: string[];
  /** Peers' cluster addresses; empty = no clustering. */
  peers?: string[];
  clusterPort?: number;
  /** How long a later peer waits for an earlier one's notification (HA dedup); AM default 15s. */
  peerTimeout?: string;
}

export interface RunningAlertmanager {
  url: string;
  clusterAddress: string;
  proc: ManagedProcess;
  /** Posts alerts as Prometheus does (api/v2/alerts). */
  fire(alerts: { labels: Record<string, string>; startsAt?: string; endsAt?: string }[]): Promise<void>;
  /** Sum of `name{integration="webhook"}` on this Alertmanager's /metrics. */
  webhookMetric(name: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startAlertmanager(o: AlertmanagerOptions): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'faults-alertmanager-'));
  const auth = o.token
    ? [
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials_file: ${join(dir, 'token')}`,
      ]
    : [];
  if (o.token) writeFileSync(join(dir, 'token'), o.token);
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    [
      'route:',
      '  receiver: kubernaut',
      `  group_by: [${(o.groupBy ?? ['alertname']).join(', ')}]`,
      '  group_wait: 1s',
      '  group_interval: 2s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: kubernaut',
      '    webhook_configs:',
      `      - url: ${o.webhookUrl}`,
      '        send_resolved: true',
      ...auth,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const clusterPort = o.clusterPort ?? 0;
  const clusterArgs =
    clusterPort > 0
      ? [
          `--cluster.listen-address=127.0.0.1:${clusterPort}`,
          `--cluster.advertise-address=127.0.0.1:${clusterPort}`,
          ...(o.peers ?? []).map((p) => `--cluster.peer=${p}`),
          `--cluster.peer-timeout=${o.peerTimeout ?? '15s'}`,
          '--cluster.gossip-interval=100ms',
          '--cluster.pushpull-interval=1s',
        ]
      : ['--cluster.listen-address='];
  const url = `http://127.0.0.1:${port}`;
  const proc = startGuarded(
    'alertmanager',
    'prometheus-alertmanager',
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...clusterArgs,
      '--log.level=warn',
    ],
    join(dir, 'alertmanager.log'),
  );
  await eventually(
    `Alertmanager ready (log ${join(dir, 'alertmanager.log')})`,
    async () => ((await fetch(`${url}/-/ready`).catch(() => undefined))?.ok ? true : undefined),
    30_000,
  );
  return {
    url,
    clusterAddress: `127.0.0.1:${clusterPort}`,
    proc,
    fire: async (alerts) => {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts.map((a) => ({ annotations: { summary: 'fault suite' }, ...a }))),
      });
      if (res.status !== 200)
        throw new Error(`Alertmanager refused alerts: ${res.status} ${await res.text()}`);
    },
    webhookMetric: (name) => metricSum(url, name, 'integration="webhook"'),
    stop: () => stopProcess(proc),
  };
}

/** Two (or more) Alertmanagers clustered over loopback, each peered with all the others. */
export async function startAlertmanagerCluster(
  count: number,
  o: Omit<AlertmanagerOptions, 'peers' | 'clusterPort' | 'webhookUrl'> & { webhookUrls: string[] },
): Promise<RunningAlertmanager[]> {
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const addrs = ports.map((p) => `127.0.0.1:${p}`);
  return Promise.all(
    ports.map((clusterPort, i) =>
      startAlertmanager({
        ...o,
        webhookUrl: o.webhookUrls[i % o.webhookUrls.length]!,
        clusterPort,
        peers: addrs.filter((_, j) => j !== i),
      }),
    ),
  );
}

/** Waits until every member of the cluster sees all the others. */
export async function waitClustered(ams: RunningAlertmanager[]): Promise<void> {
  await eventually(
    'Alertmanager cluster formed',
    async () => {
      const sizes = await Promise.all(ams.map((a) => metricSum(a.url, 'alertmanager_cluster_members')));
      return sizes.every((s) => s === ams.length) ? true : undefined;
    },
    30_000,
    250,
  );
}
