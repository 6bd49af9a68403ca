// Starts real operator instances (the Manager: intake, cache, leader election) in the test
// process against the run's control plane, on free ports.
import { randomBytes } from 'node:crypto';
import { defaultConfig } from '../../operator/config/schema.ts';
import type { Config } from '../../operator/config/schema.ts';
import { Manager } from '../../operator/manager.ts';
import type { Endpoints } from '../../operator/manager.ts';
import type { ClusterConfig } from '../../operator/kube/kubeconfig.ts';
import { createLogger } from '../../operator/observability/logger.ts';
import { adminClusterConfig } from './cluster.ts';

export type ConfigPatch = { [K in keyof Config]?: Config[K] extends object ? Partial<Config[K]> : Config[K] };

export interface RunningOperator {
  manager: Manager;
  endpoints: Endpoints;
  stop(): Promise<void>;
}

export function testConfig(namespace: string, patch: ConfigPatch = {}): Config {
  const base = defaultConfig();
  const merged = {
    ...base,
    podName: `test-${randomBytes(3).toString('hex')}`,
    namespace,
    clusterID: 'test-cluster',
  } as Config;
  deepMerge(merged as unknown as Record<string, unknown>, patch);
  merged.intake.auth.enabled = patch.intake?.auth?.enabled ?? false;
  return merged;
}

/** Merges nested sections key by key, so a patch of `intake.auth.enabled` keeps the other auth defaults. */
function deepMerge(target: Record<string, unknown>, patch: object): void {
  for (const [k, v] of Object.entries(patch)) {
    const cur = target[k];
    const isSection = (x: unknown): x is Record<string, unknown> =>
      typeof x === 'object' && x !== null && !Array.isArray(x);
    if (isSection(cur) && isSection(v) && k !== 'priorityMatrix') deepMerge(cur, v);
    else target[k] = v;
  }
}

export async function startOperator(
  namespace: string,
  patch: ConfigPatch = {},
  kubeConfig: ClusterConfig = adminClusterConfig(),
): Promise<RunningOperator> {
  const manager = new Manager({
    config: testConfig(namespace, patch),
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'error'),
    kubeConfig,
    ephemeralPorts: true,
    defaultMetrics: false,
  });
  const endpoints = await manager.start();
  return { manager, endpoints, stop: () => manager.stop(2000) };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export interface AlertSpec {
  alertname?: string;
  namespace?: string;
  pod?: string;
  deployment?: string;
  severity?: string;
  status?: 'firing' | 'resolved';
  labels?: Record<string, string>;
}

export function alert(a: AlertSpec) {
  const labels: Record<string, string> = {
    alertname: a.alertname ?? 'KubePodCrashLooping',
    severity: a.severity ?? 'critical',
  };
  if (a.namespace) labels.namespace = a.namespace;
  if (a.pod) labels.pod = a.pod;
  if (a.deployment) labels.deployment = a.deployment;
  return {
    status: a.status ?? 'firing',
    labels: { ...labels, ...a.labels },
    annotations: { summary: 'test alert' },
    startsAt: '2026-11-26T10:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    fingerprint: randomBytes(8).toString('hex'),
  };
}

export function alertmanagerPayload(alerts: ReturnType<typeof alert>[]) {
  return {
    version: '4',
    groupKey: '{}:{alertname="test"}',
    status: 'firing',
    receiver: 'kubernaut',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts,
  };
}

export const PROMETHEUS = '/api/v1/signals/prometheus';
export const K8S_EVENT = '/api/v1/signals/kubernetes-event';

/** Posts like Alertmanager does: a 5xx is retried (here after a short pause), a 4xx is not. */
export async function postRetrying(
  url: string,
  body: unknown,
  attempts = 5,
): Promise<Reply & { retries: number }> {
  for (let i = 0; ; i++) {
    const reply = await post(url, body);
    if (reply.status < 500 || i + 1 >= attempts) return { ...reply, retries: i };
    await new Promise((r) => setTimeout(r, 200));
  }
}
