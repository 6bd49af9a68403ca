import { ValidationProblem } from '../http/problem.ts';
import { parseKubernetesEvent } from './kubernetesEvent.ts';

const ctx = { clusterID: 'home', now: new Date('2025-01-02T03:04:05Z') };

const coreEvent = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'api-1.17a2b3c4d5e6f7a8', namespace: 'shop' },
  involvedObject: {
    apiVersion: 'v1',
    kind: 'Pod',
    name: 'api-1',
    namespace: 'shop',
    fieldPath: 'spec.containers{api}',
  },
  reason: 'BackOff',
  message: 'Back-off restarting failed container',
  type: 'Warning',
  firstTimestamp: '2025-01-01T10:00:00Z',
  lastTimestamp: '2025-01-01T10:05:00Z',
  eventTime: null,
  count: 7,
  source: { component: 'kubelet', host: 'worker-1' },
  reportingComponent: '',
};

const eventsV1 = {
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name: 'web.17a2', namespace: 'shop' },
  regarding: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' },
  reason: 'ScalingReplicaSet',
  note: 'Scaled up replica set web-5d8 to 3',
  type: 'Normal',
  eventTime: '2025-01-01T11:00:00.123456Z',
  reportingController: 'deployment-controller',
  reportingInstance: 'kube-controller-manager-cp-1',
  action: 'Scaling',
  series: { count: 2, lastObservedTime: '2025-01-01T11:10:00.000000Z' },
};

function problemOf(body: unknown): ValidationProblem {
  try {
    parseKubernetesEvent(body, ctx);
  } catch (err) {
    if (err instanceof ValidationProblem) return err;
    throw err;
  }
  throw new Error('expected a ValidationProblem');
}

describe('parseKubernetesEvent', () => {
  it('gives an Event an occurrence identity: uid + count (core/v1) or series.count', () => {
    const withUid = (e: Record<string, unknown>, uid = 'u-1') => ({
      ...e,
      metadata: { ...(e.metadata as object), uid },
    });
    expect(parseKubernetesEvent(withUid(coreEvent), ctx).occurrenceKey).toBe('ev:u-1:7');
    expect(parseKubernetesEvent(withUid({ ...coreEvent, count: 8 }), ctx).occurrenceKey).toBe('ev:u-1:8');
    expect(parseKubernetesEvent(withUid(eventsV1, 'u-2'), ctx).occurrenceKey).toBe('ev:u-2:2');
    const single = { ...eventsV1, series: undefined };
    expect(parseKubernetesEvent(withUid(single, 'u-3'), ctx).occurrenceKey).toBe('ev:u-3:1');
    expect(parseKubernetesEvent(coreEvent, ctx).occurrenceKey).toBeUndefined(); // no uid
  });

  it('normalises a core/v1 Event', () => {
    expect(parseKubernetesEvent(coreEvent, ctx)).toEqual({
      name: 'BackOff',
      severity: 'warning',
      type: 'kubernetes-event',
      source: 'kubelet',
      target: { apiVersion: 'v1', kind: 'Pod', name: 'api-1', namespace: 'shop' },
      labels: {
        reason: 'BackOff',
        type: 'Warning',
        kind: 'Pod',
        name: 'api-1',
        namespace: 'shop',
        component: 'kubelet',
        fieldPath: 'spec.containers{api}',
      },
      annotations: {
        message: 'Back-off restarting failed container',
        count: '7',
        lastTimestamp: '2025-01-01T10:05:00.000Z',
        event: 'api-1.17a2b3c4d5e6f7a8',
      },
      firingTime: '2025-01-01T10:00:00.000Z',
      clusterID: 'home',
      resolved: false,
    });
  });

  it('normalises an events.k8s.io/v1 Event', () => {
    expect(parseKubernetesEvent(eventsV1, ctx)).toEqual({
      name: 'ScalingReplicaSet',
      severity: 'info',
      type: 'kubernetes-event',
      source: 'deployment-controller',
      target: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' },
      labels: {
        reason: 'ScalingReplicaSet',
        type: 'Normal',
        kind: 'Deployment',
        name: 'web',
        namespace: 'shop',
        component: 'deployment-controller',
        action: 'Scaling',
      },
      annotations: {
        message: 'Scaled up replica set web-5d8 to 3',
        count: '2',
        lastTimestamp: '2025-01-01T11:10:00.000Z',
        event: 'web.17a2',
      },
      firingTime: '2025-01-01T11:00:00.123Z',
      clusterID: 'home',
      resolved: false,
    });
  });

  it('prefers deprecatedFirstTimestamp and falls back to deprecatedSource', () => {
    const { reportingController: _r, ...rest } = eventsV1;
    const signal = parseKubernetesEvent(
      { ...rest, deprecatedFirstTimestamp: '2025-01-01T09:00:00Z', deprecatedSource: { component: 'old' } },
      ctx,
    );
    expect(signal.firingTime).toBe('2025-01-01T09:00:00.000Z');
    expect(signal.source).toBe('old');
  });

  it('uses reportingComponent, then "kubernetes", when source.component is absent', () => {
    const { source: _s, ...noSource } = coreEvent;
    expect(parseKubernetesEvent({ ...noSource, reportingComponent: 'my-op' }, ctx).source).toBe('my-op');
    expect(parseKubernetesEvent(noSource, ctx).source).toBe('kubernetes');
  });

  it('fires at the first known time, else now', () => {
    const base = { ...coreEvent, firstTimestamp: null, lastTimestamp: null };
    expect(parseKubernetesEvent({ ...base, eventTime: '2025-01-01T08:00:00.5Z' }, ctx).firingTime).toBe(
      '2025-01-01T08:00:00.500Z',
    );
    expect(parseKubernetesEvent(base, ctx).firingTime).toBe(ctx.now.toISOString());
  });

  it('infers the API from the object field when TypeMeta is stripped', () => {
    const { apiVersion: _a, kind: _k, ...bareCore } = coreEvent;
    const { apiVersion: _b, kind: _l, ...bareNew } = eventsV1;
    expect(parseKubernetesEvent(bareCore, ctx).target.kind).toBe('Pod');
    expect(parseKubernetesEvent(bareNew, ctx).target.kind).toBe('Deployment');
  });

  it('gives a Node target no namespace and defaults a missing type to Normal', () => {
    const { type: _t, ...untyped } = coreEvent;
    const signal = parseKubernetesEvent(
      {
        ...untyped,
        metadata: { namespace: 'default' },
        involvedObject: { kind: 'Node', name: 'w1', namespace: '' },
      },
      ctx,
    );
    expect(signal.target).toEqual({ apiVersion: 'v1', kind: 'Node', name: 'w1' });
    expect(signal.severity).toBe('info');
    expect(signal.labels.namespace).toBeUndefined();
  });

  it('takes the Event namespace for a namespaced object reported without one', () => {
    const signal = parseKubernetesEvent(
      { ...coreEvent, involvedObject: { kind: 'Pod', name: 'api-1' } },
      ctx,
    );
    expect(signal.target).toEqual({ apiVersion: 'v1', kind: 'Pod', name: 'api-1', namespace: 'shop' });
  });

  it.each([
    ['not an object', 'x', 'body'],
    ['wrong kind', { ...coreEvent, kind: 'Pod' }, 'kind'],
    ['unknown apiVersion', { ...coreEvent, apiVersion: 'v2' }, 'apiVersion'],
    ['nothing to infer from', { reason: 'X' }, 'apiVersion'],
    ['missing reason', { ...coreEvent, reason: '' }, 'reason'],
    ['missing involvedObject', { ...coreEvent, involvedObject: undefined }, 'involvedObject'],
    ['involvedObject without kind', { ...coreEvent, involvedObject: { name: 'a' } }, 'involvedObject.kind'],
    ['regarding without name', { ...eventsV1, regarding: { kind: 'Pod' } }, 'regarding.name'],
    ['v1 fields under events.k8s.io', { ...coreEvent, apiVersion: 'events.k8s.io/v1' }, 'regarding'],
    ['bad type', { ...coreEvent, type: 'Error' }, 'type'],
    ['bad firstTimestamp', { ...coreEvent, firstTimestamp: 'then' }, 'firstTimestamp'],
    ['bad eventTime', { ...eventsV1, eventTime: 12 }, 'eventTime'],
    [
      'bad series time',
      { ...eventsV1, series: { count: 1, lastObservedTime: 'x' } },
      'series.lastObservedTime',
    ],
    ['negative count', { ...coreEvent, count: -1 }, 'count'],
    [
      'namespaced object, no namespace anywhere',
      { ...coreEvent, metadata: {}, involvedObject: { kind: 'Pod', name: 'a' } },
      'involvedObject.namespace',
    ],
  ])('rejects %s naming the field', (_case, body, field) => {
    const p = problemOf(body);
    expect(p.field).toBe(field);
    expect(p.status).toBe(400);
    expect(p.detail.startsWith(field)).toBe(true);
  });
});
