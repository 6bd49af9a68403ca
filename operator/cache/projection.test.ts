import type { RemediationRequest } from '../api/types.ts';
import { projectRR } from './projection.ts';
import type { CachedRR } from './projection.ts';

/** An RR as the API server serves it: every field set, managedFields and foreign annotations included. */
function served(): RemediationRequest {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'RemediationRequest',
    metadata: {
      name: 'rr-abc-1',
      namespace: 'kubernaut-system',
      uid: '7f1c2d3e-0000-4000-8000-000000000001',
      resourceVersion: '4711',
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
      deletionTimestamp: '2026-01-02T00:00:00Z',
      finalizers: ['example.com/keep'],
      labels: {
        'app.kubernetes.io/managed-by': 'kubernaut-intake',
        'kubernaut.ai/signal-name': 'KubePodCrashLooping',
        'kubernaut.ai/storm': 'storm-abc-1',
      },
      annotations: {
        'kubernaut.ai/create-attempt': 'pod-0/0123456789ab',
        'kubernaut.ai/creating-occurrence': 'AAAAAAAAAAAAAAAA',
        'kubectl.kubernetes.io/last-applied-configuration': '{"big":"blob"}',
      },
      managedFields: [{ manager: 'node', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: {} }],
    },
    spec: {
      signalFingerprint: 'f'.repeat(64),
      signalName: 'KubePodCrashLooping',
      severity: 'critical',
      environment: 'production',
      priority: 'P0',
      signalType: 'prometheus-alert',
      signalSource: 'alertmanager',
      targetResource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' },
      clusterID: 'c1',
      firingTime: '2026-01-01T00:00:00Z',
      receivedTime: '2026-01-01T00:00:01Z',
      signalLabels: { alertname: 'KubePodCrashLooping', pod: 'web-1' },
      signalAnnotations: { summary: 'crash looping' },
    },
    status: {
      overallPhase: 'Pending',
      signalResolvedAt: '2026-01-01T00:05:00Z',
      terminalSince: '2026-01-01T00:06:00Z',
      deduplication: { firstSeenAt: 'a', lastSeenAt: 'b', occurrenceCount: 3 },
      stormAggregation: {
        stormId: 'storm-abc-1',
        stormDetectedAt: 'c',
        pendingMembers: [
          {
            fingerprint: 'e'.repeat(64),
            resource: 'shop/Deployment/api',
            receivedTime: 'd',
            lastSeenAt: 'e',
            occurrences: 1,
            severity: 'critical',
            priority: 'P0',
            environment: 'production',
            signalType: 'prometheus-alert',
            signalSource: 'alertmanager',
            firingTime: 'f',
            targetResource: { kind: 'Deployment', name: 'api', namespace: 'shop' },
            signalLabels: { pod: 'api-1' },
          },
        ],
      },
      recentOccurrences: ['BBBBBBBBBBBBBBBB'],
    },
  };
}

/** Every field some reader takes from a cached RR, and who reads it. Dropping one fails here. */
const READ_BY: [path: string[], reader: string][] = [
  [['metadata', 'name'], 'cache keys, every write, intake responses, storm ids and Event names'],
  [['metadata', 'namespace'], 'cache keys, status patches, retention deletes, storm Events'],
  [['metadata', 'uid'], 'storm Events (regarding.uid)'],
  [['metadata', 'resourceVersion'], 'optimistic status writes, retention delete precondition, local writes'],
  [['metadata', 'creationTimestamp'], 'byCreation order, initial-phase grace, buffer window'],
  [['metadata', 'deletionTimestamp'], 'isActive, initial phase, retention'],
  [['metadata', 'labels', 'app.kubernetes.io/managed-by'], 'informer label selector'],
  [['metadata', 'labels', 'kubernaut.ai/storm'], 'storm plan (which RRs still need the label)'],
  [['metadata', 'annotations', 'kubernaut.ai/creating-occurrence'], 'redelivery detection (occurrences.ts)'],
  [['metadata', 'annotations', 'kubernaut.ai/create-attempt'], 'create settlement (lockedCreator.ts)'],
  [['spec', 'signalFingerprint'], 'fingerprint index, absorb, lockedCreator, storm members'],
  [['spec', 'signalName'], 'storm group key, storm Events, buffered members (stormBuffer.ts)'],
  [['spec', 'targetResource', 'namespace'], 'storm group key, storm Events'],
  [['spec', 'targetResource', 'kind'], 'resourceKey (storm members)'],
  [['spec', 'targetResource', 'name'], 'resourceKey (storm members)'],
  [['spec', 'receivedTime'], 'storm windows and buffer end (policy.ts, plan.ts)'],
  [['status', 'overallPhase'], 'isActive, retention'],
  [['status', 'signalResolvedAt'], 'markResolved'],
  [['status', 'terminalSince'], 'retention'],
  [['status', 'deduplication', 'occurrenceCount'], 'recordOccurrence, redelivery detection'],
  [['status', 'stormAggregation', 'stormId'], 'storm gate and plan'],
  [['status', 'stormAggregation', 'pendingMembers'], 'storm controller creates buffered members from it'],
  [['status', 'recentOccurrences'], 'redelivery detection'],
];

const DROPPED: string[][] = [
  ['metadata', 'managedFields'],
  ['metadata', 'generation'],
  ['metadata', 'finalizers'],
  ['metadata', 'annotations', 'kubectl.kubernetes.io/last-applied-configuration'],
  ['spec', 'severity'],
  ['spec', 'environment'],
  ['spec', 'priority'],
  ['spec', 'signalType'],
  ['spec', 'signalSource'],
  ['spec', 'clusterID'],
  ['spec', 'firingTime'],
  ['spec', 'signalLabels'],
  ['spec', 'signalAnnotations'],
];

function at(obj: unknown, path: string[]): unknown {
  return path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

describe('projectRR', () => {
  it.each(READ_BY)('keeps %j (read by: %s)', (path) => {
    const rr = served();
    expect(at(rr, path)).toBeDefined();
    expect(at(projectRR(rr), path)).toEqual(at(rr, path));
  });

  it.each(DROPPED.map((p) => [p]))('drops %j, which no reader uses', (path) => {
    const rr = served();
    expect(at(rr, path)).toBeDefined();
    expect(at(projectRR(rr), path)).toBeUndefined();
  });

  it('keeps status whole (merge-patch diffs and buffered members are built from it)', () => {
    const rr = served();
    expect(projectRR(rr).status).toEqual(rr.status);
  });

  it('leaves its input untouched, and projecting twice changes nothing', () => {
    const rr = served();
    const copy = structuredClone(rr);
    const once = projectRR(rr);
    expect(rr).toEqual(copy);
    expect(projectRR(once)).toEqual(once);
  });

  it('drops the annotations altogether when none is the intake’s own', () => {
    const rr = served();
    rr.metadata.annotations = { 'example.com/x': 'y' };
    expect(projectRR(rr).metadata.annotations).toBeUndefined();
    delete rr.metadata.annotations;
    expect(projectRR(rr).metadata.annotations).toBeUndefined();
  });

  it('gives every projection one shape, whatever the input had', () => {
    const full = projectRR(served());
    const bare = projectRR({ ...served(), metadata: { name: 'a', namespace: 'b' }, status: undefined });
    expect(Object.keys(bare)).toEqual(Object.keys(full));
    expect(Object.keys(bare.metadata)).toEqual(Object.keys(full.metadata));
    expect(Object.keys(bare.spec)).toEqual(Object.keys(full.spec));
  });

  it('is what the type says: reading a dropped field does not compile', () => {
    const read = (rr: CachedRR) => {
      // @ts-expect-error severity is not cached: a reader that needs it must GET the RR
      void rr.spec.severity;
      // @ts-expect-error the signal's labels are not cached
      void rr.spec.signalLabels;
      // @ts-expect-error managedFields are never cached
      void rr.metadata.managedFields;
      return rr.spec.signalFingerprint;
    };
    expect(read(projectRR(served()))).toBe('f'.repeat(64));
  });
});
