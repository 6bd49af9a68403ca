import { ValidationProblem } from '../http/problem.ts';
import { parseAlertmanagerPayload } from './alertmanager.ts';
import type { AlertResult } from './alertmanager.ts';

const ctx = { clusterID: 'home', now: new Date('2025-01-02T03:04:05Z') };

function alert(labels: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    status: 'firing',
    labels,
    annotations: { summary: 'something broke' },
    startsAt: '2025-01-01T10:00:00.123456789Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus/graph',
    fingerprint: 'c0ffee',
    ...extra,
  };
}

function payload(alerts: unknown[], extra: Record<string, unknown> = {}) {
  return {
    version: '4',
    groupKey: '{}:{alertname="X"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'kubernaut',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager',
    alerts,
    ...extra,
  };
}

function envelopeProblem(body: unknown, maxAlerts?: number): ValidationProblem {
  try {
    parseAlertmanagerPayload(body, { ...ctx, maxAlerts });
  } catch (err) {
    if (err instanceof ValidationProblem) return err;
    throw err;
  }
  throw new Error('expected a ValidationProblem');
}

function only(results: AlertResult[]) {
  expect(results).toHaveLength(1);
  const signal = results[0]?.signal;
  if (!signal) throw new Error(`expected a signal, got ${results[0]?.problem?.detail}`);
  return signal;
}

describe('parseAlertmanagerPayload', () => {
  it('normalises a firing pod alert', () => {
    const body = payload([
      alert({ alertname: 'KubePodCrashLooping', severity: 'Critical', namespace: 'shop', pod: 'api-1' }),
    ]);
    expect(only(parseAlertmanagerPayload(body, ctx).alerts)).toEqual({
      name: 'KubePodCrashLooping',
      severity: 'critical',
      type: 'prometheus-alert',
      source: 'alertmanager',
      target: { apiVersion: 'v1', kind: 'Pod', name: 'api-1', namespace: 'shop' },
      labels: { alertname: 'KubePodCrashLooping', severity: 'Critical', namespace: 'shop', pod: 'api-1' },
      annotations: { summary: 'something broke' },
      firingTime: '2025-01-01T10:00:00.123Z',
      clusterID: 'home',
      resolved: false,
      occurrenceKey: 'am:f:c0ffee:2025-01-01T10:00:00.123Z:firing',
    });
  });

  it('gives each alert an occurrence identity: fingerprint (or label set) + startsAt + status', () => {
    const key = (raw: unknown, group: Record<string, unknown> = {}) =>
      only(parseAlertmanagerPayload(payload([raw], group), ctx).alerts).occurrenceKey;
    const labels = { alertname: 'A', namespace: 'shop', pod: 'api-1' };
    const base = key(alert(labels));
    expect(key(alert(labels))).toBe(base); // the same notification again (HA peer, retry)
    expect(key(alert(labels, { startsAt: '2025-01-01T11:00:00Z' }))).not.toBe(base); // a new firing
    expect(key(alert(labels, { status: 'resolved' }))).toBe('am:f:c0ffee:2025-01-01T10:00:00.123Z:resolved');
    expect(key(alert(labels, { fingerprint: 'beef' }))).not.toBe(base);
    // No Alertmanager fingerprint: the label set, whatever order the labels came in.
    const unordered = { pod: 'api-1', alertname: 'A', namespace: 'shop' };
    const byLabels = key(alert(labels, { fingerprint: undefined }));
    expect(byLabels).toMatch(/^am:l:[0-9a-f]{32}:2025-01-01T10:00:00.123Z:firing$/);
    expect(key(alert(unordered, { fingerprint: undefined }))).toBe(byLabels);
    expect(key(alert({ ...labels, pod: 'api-2' }, { fingerprint: undefined }))).not.toBe(byLabels);
    // No startsAt: no identity, so every delivery counts.
    expect(key(alert(labels, { startsAt: undefined }))).toBeUndefined();
  });

  it('reports a bad alert without failing the rest of the batch', () => {
    const body = payload([
      alert({ alertname: 'A', namespace: 'shop', deployment: 'api' }),
      alert({ namespace: 'shop', pod: 'web-1' }),
      alert({ alertname: 'C', node: 'worker-1' }, { status: 'resolved' }),
      alert({ alertname: 'D', namespace: 'shop' }, { startsAt: 'yesterday' }),
      alert({ alertname: 'E', pod: 'lost' }),
      alert({ alertname: 'F', namespace: 'shop' }, { status: 'pending' }),
    ]);
    const results = parseAlertmanagerPayload(body, ctx).alerts;
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.map((r) => r.signal?.name)).toEqual([
      'A',
      undefined,
      'C',
      undefined,
      undefined,
      undefined,
    ]);
    expect(results.map((r) => r.problem?.field)).toEqual([
      undefined,
      'alerts[1].labels.alertname',
      undefined,
      'alerts[3].startsAt',
      'alerts[4].labels.namespace',
      'alerts[5].status',
    ]);
    expect(results[1]?.problem?.detail).toBe('alerts[1].labels.alertname is required');
    expect(results[1]?.problem?.status).toBe(400);
    expect(results[2]?.signal?.resolved).toBe(true);
  });

  it('merges commonLabels and commonAnnotations under the alert’s own', () => {
    const body = payload([alert({ alertname: 'Own', pod: 'api-1' }, { annotations: { summary: 'own' } })], {
      commonLabels: { alertname: 'Common', namespace: 'shop', severity: 'warning', team: 'payments' },
      commonAnnotations: { summary: 'common', runbook_url: 'http://runbook' },
    });
    const signal = only(parseAlertmanagerPayload(body, ctx).alerts);
    expect(signal.name).toBe('Own');
    expect(signal.severity).toBe('warning');
    expect(signal.target).toEqual({ apiVersion: 'v1', kind: 'Pod', name: 'api-1', namespace: 'shop' });
    expect(signal.labels).toEqual({
      alertname: 'Own',
      namespace: 'shop',
      severity: 'warning',
      team: 'payments',
      pod: 'api-1',
    });
    expect(signal.annotations).toEqual({ summary: 'own', runbook_url: 'http://runbook' });
  });

  it('follows exported_namespace for relabelled kube-state-metrics series', () => {
    const labels = {
      alertname: 'KubeDeploymentReplicasMismatch',
      namespace: 'monitoring',
      pod: 'kube-state-metrics-0',
      exported_namespace: 'shop',
      deployment: 'api',
    };
    const signal = only(parseAlertmanagerPayload(payload([alert(labels)]), ctx).alerts);
    expect(signal.target).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'api',
      namespace: 'shop',
    });
  });

  it('gives node alerts a cluster-scoped target', () => {
    const signal = only(
      parseAlertmanagerPayload(payload([alert({ alertname: 'NodeDown', node: 'w1' })]), ctx).alerts,
    );
    expect(signal.target).toEqual({ apiVersion: 'v1', kind: 'Node', name: 'w1' });
  });

  it('takes the cluster from cluster, then cluster_id, else the context', () => {
    const base = { alertname: 'X', namespace: 'ns' };
    const results = parseAlertmanagerPayload(
      payload([
        alert({ ...base, cluster: 'eu-1', cluster_id: 'ignored' }),
        alert({ ...base, cluster_id: 'us-2' }),
        alert(base),
      ]),
      ctx,
    ).alerts;
    expect(results.map((r) => r.signal?.clusterID)).toEqual(['eu-1', 'us-2', 'home']);
  });

  it('defaults severity, status and firing time', () => {
    const raw = { labels: { alertname: 'X', namespace: 'ns' } };
    const signal = only(parseAlertmanagerPayload({ alerts: [raw] }, ctx).alerts);
    expect(signal.severity).toBe('unknown');
    expect(signal.resolved).toBe(false);
    expect(signal.firingTime).toBe('2025-01-02T03:04:05.000Z');
    const resolvedGroup = parseAlertmanagerPayload({ status: 'resolved', alerts: [raw] }, ctx).alerts;
    expect(only(resolvedGroup).resolved).toBe(true);
  });

  it('treats Go zero startsAt as absent', () => {
    const body = payload([alert({ alertname: 'X', namespace: 'ns' }, { startsAt: '0001-01-01T00:00:00Z' })]);
    expect(only(parseAlertmanagerPayload(body, ctx).alerts).firingTime).toBe(ctx.now.toISOString());
  });

  it('validates label and annotation values and sizes per alert', () => {
    const many = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`l${i}`, 'v']));
    const results = parseAlertmanagerPayload(
      payload([
        alert({ alertname: 'X', namespace: 'ns', replicas: 3 as unknown as string }),
        alert({ alertname: 'X', namespace: 'ns', big: 'x'.repeat(4097) }),
        alert({ alertname: 'X', namespace: 'ns' }, { annotations: { description: 'x'.repeat(32769) } }),
        alert({ ...many, alertname: 'X', namespace: 'ns' }),
        alert({ alertname: 'X', namespace: 'ns' }, { labels: 'nope' }),
        'not an alert',
        alert({ alertname: 'X', namespace: 'ns', severity: 's'.repeat(64) }),
        alert({ alertname: 'X', namespace: 'ns', 'app.kubernetes.io/name': 7 as unknown as string }),
      ]),
      ctx,
    ).alerts;
    expect(results.map((r) => r.problem?.field)).toEqual([
      'alerts[0].labels.replicas',
      'alerts[1].labels.big',
      'alerts[2].annotations.description',
      'alerts[3].labels',
      'alerts[4].labels',
      'alerts[5]',
      'alerts[6].labels.severity',
      'alerts[7].labels["app.kubernetes.io/name"]',
    ]);
  });

  it('counts merged labels against the limit', () => {
    const common = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`c${i}`, 'v']));
    const own = Object.fromEntries(Array.from({ length: 29 }, (_, i) => [`o${i}`, 'v']));
    const body = payload([alert({ ...own, alertname: 'X' })], {
      commonLabels: { ...common, namespace: 'ns' },
    });
    expect(parseAlertmanagerPayload(body, ctx).alerts[0]?.problem?.detail).toBe(
      'alerts[0].labels has 131 entries; at most 128 are allowed',
    );
  });

  it('accepts version 4 as string or number', () => {
    const alerts = [alert({ alertname: 'X', namespace: 'ns' })];
    expect(parseAlertmanagerPayload(payload(alerts, { version: 4 }), ctx).alerts[0]?.signal).toBeDefined();
  });

  it.each([
    [null, 'body', 'body must be a JSON object'],
    [[], 'body', 'body must be a JSON object'],
    [payload([alert({})], { version: '3' }), 'version', 'version must be "4" (got "3")'],
    [payload([alert({})], { version: { v: 4 } }), 'version', 'version must be "4"'],
    [{ version: '4' }, 'alerts', 'alerts is required'],
    [payload({} as unknown as unknown[]), 'alerts', 'alerts must be an array'],
    [payload([]), 'alerts', 'alerts must contain at least one alert'],
    [payload([alert({})], { commonLabels: { a: 1 } }), 'commonLabels.a', 'commonLabels.a must be a string'],
    [payload([alert({})], { status: 'weird' }), 'status', 'status must be "firing" or "resolved"'],
  ])('rejects a bad envelope (%#) naming %s', (body, field, detail) => {
    const p = envelopeProblem(body);
    expect(p.field).toBe(field);
    expect(p.detail).toContain(detail);
  });

  it('bounds the batch size', () => {
    const alerts = Array.from({ length: 4 }, () => alert({ alertname: 'X', namespace: 'ns' }));
    expect(parseAlertmanagerPayload(payload(alerts), { ...ctx, maxAlerts: 4 }).alerts).toHaveLength(4);
    expect(envelopeProblem(payload(alerts), 3).detail).toBe(
      'alerts has 4 alerts; at most 3 are accepted per request',
    );
    const tooMany = Array.from({ length: 1001 }, () => ({}));
    expect(envelopeProblem(payload(tooMany)).field).toBe('alerts');
  });
});
