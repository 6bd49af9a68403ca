// RemediationRequest fixtures for tests of the storm rules and the controllers: valid for the CRD,
// labelled so that the operator's cache sees them, with a deterministic fingerprint per target.
import { createHash } from 'node:crypto';
import { API_VERSION, KIND, LABEL_MANAGED_BY, LABEL_SIGNAL_NAME, MANAGED_BY } from '../api/types.ts';
import type { RemediationRequest, RemediationRequestStatus } from '../api/types.ts';

export interface FixtureOptions {
  namespace: string;
  signalName?: string;
  /** Target pod name; also seeds the fingerprint. */
  pod: string;
  targetNamespace?: string;
  createdAt?: Date;
  status?: RemediationRequestStatus;
  resourceVersion?: string;
}

export function fingerprintOf(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

export function fixtureRR(o: FixtureOptions): RemediationRequest {
  const targetNamespace = o.targetNamespace ?? 'shop';
  const signalName = o.signalName ?? 'KubePodCrashLooping';
  const fp = fingerprintOf(`test:${targetNamespace}:Pod:${o.pod}`);
  const rr: RemediationRequest = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: {
      name: `rr-${fp.slice(0, 12)}-${
        o.pod
          .toLowerCase()
          .replace(/[^a-z0-9]/g, '')
          .slice(0, 8) || 'x'
      }`,
      namespace: o.namespace,
      labels: { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_SIGNAL_NAME]: signalName },
    },
    spec: {
      signalFingerprint: fp,
      signalName,
      severity: 'critical',
      environment: 'production',
      priority: 'P0',
      signalType: 'prometheus-alert',
      signalSource: 'alertmanager',
      targetResource: { apiVersion: 'v1', kind: 'Pod', name: o.pod, namespace: targetNamespace },
      clusterID: 'test',
      firingTime: '2026-11-26T10:00:00Z',
      receivedTime: '2026-11-26T10:00:01Z',
    },
  };
  if (o.createdAt) rr.metadata.creationTimestamp = o.createdAt.toISOString();
  if (o.resourceVersion) rr.metadata.resourceVersion = o.resourceVersion;
  if (o.status) rr.status = o.status;
  return rr;
}
