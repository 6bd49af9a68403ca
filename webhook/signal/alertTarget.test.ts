import { ValidationProblem } from '../http/problem.ts';
import { targetFromLabels } from './alertTarget.ts';

const at = (labels: Record<string, string>) => targetFromLabels(labels, 'alerts[0].labels');

function problemOf(labels: Record<string, string>): ValidationProblem {
  try {
    at(labels);
  } catch (err) {
    if (err instanceof ValidationProblem) return err;
    throw err;
  }
  throw new Error('expected a ValidationProblem');
}

describe('targetFromLabels', () => {
  it('prefers the most specific resource label', () => {
    expect(at({ namespace: 'shop', pod: 'api-7d9-x2', deployment: 'api' })).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'api-7d9-x2',
      namespace: 'shop',
    });
  });

  it.each([
    ['deployment', 'Deployment', 'apps/v1'],
    ['statefulset', 'StatefulSet', 'apps/v1'],
    ['daemonset', 'DaemonSet', 'apps/v1'],
    ['replicaset', 'ReplicaSet', 'apps/v1'],
    ['job_name', 'Job', 'batch/v1'],
    ['cronjob', 'CronJob', 'batch/v1'],
    ['service', 'Service', 'v1'],
    ['persistentvolumeclaim', 'PersistentVolumeClaim', 'v1'],
  ])('maps %s to %s (%s)', (label, kind, apiVersion) => {
    expect(at({ namespace: 'ns', [label]: 'x' })).toEqual({ apiVersion, kind, name: 'x', namespace: 'ns' });
  });

  it('never reads the Prometheus scrape `job` label as a Job', () => {
    expect(at({ namespace: 'ns', job: 'kube-state-metrics' })).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      name: 'ns',
      namespace: 'ns',
    });
  });

  it('gives a Node target no namespace', () => {
    expect(at({ node: 'worker-1', namespace: 'monitoring' })).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      name: 'worker-1',
    });
    expect(at({ node: 'worker-1' })).toEqual({ apiVersion: 'v1', kind: 'Node', name: 'worker-1' });
  });

  it('falls back to the Namespace, keeping the namespace on the target', () => {
    expect(at({ namespace: 'shop', alertname: 'Quota' })).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      name: 'shop',
      namespace: 'shop',
    });
  });

  it('takes the subject from exported_* labels when kube-state-metrics was relabelled', () => {
    // Scraped without honor_labels: namespace/pod/service describe the exporter pod.
    const labels = {
      namespace: 'monitoring',
      pod: 'kube-state-metrics-5f7-abc',
      service: 'kube-state-metrics',
      exported_namespace: 'shop',
      deployment: 'api',
    };
    expect(at(labels)).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'shop' });
    expect(at({ ...labels, exported_pod: 'api-1' })).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'api-1',
      namespace: 'shop',
    });
    const { deployment: _d, ...namespaceOnly } = labels;
    expect(at(namespaceOnly)).toMatchObject({ kind: 'Namespace', name: 'shop', namespace: 'shop' });
  });

  it('uses the plain namespace when exported_namespace is empty', () => {
    expect(at({ namespace: 'shop', exported_namespace: '', pod: 'p' })).toMatchObject({ namespace: 'shop' });
  });

  it('requires a namespace for a namespaced kind', () => {
    const p = problemOf({ pod: 'api-1' });
    expect(p.field).toBe('alerts[0].labels.namespace');
    expect(p.detail).toBe('alerts[0].labels.namespace is required for a Pod target');
  });

  it('rejects labels naming no target at all', () => {
    const p = problemOf({ alertname: 'Watchdog', severity: 'none' });
    expect(p.field).toBe('alerts[0].labels');
    expect(p.detail).toMatch(
      /^alerts\[0\]\.labels has no target resource \(need one of pod, deployment, .*or namespace\)$/,
    );
  });

  it('bounds names and namespaces to what the CRD accepts', () => {
    expect(problemOf({ namespace: 'ns', pod: 'p'.repeat(254) }).field).toBe('alerts[0].labels.pod');
    expect(problemOf({ namespace: 'n'.repeat(64), pod: 'p' }).field).toBe('alerts[0].labels.namespace');
  });
});
