// RemediationRequests exactly as the intake builds them (same parser, fingerprint and builder),
// for the raw API baselines and for filling a namespace before the cache-memory measurement.
import { PENDING } from '../operator/api/phase.ts';
import type { RemediationRequest, RemediationRequestStatus } from '../operator/api/types.ts';
import { buildRemediationRequest } from '../webhook/create/rrBuilder.ts';
import { parseAlertmanagerPayload } from '../webhook/signal/alertmanager.ts';
import { fingerprint } from '../webhook/signal/fingerprint.ts';
import { deploymentAlert, webhookPayload } from './workload.ts';

export const CLUSTER_ID = 'bench';

/** The RR the intake would create for an alert about Deployment `svc-<k>`. */
export function rrFor(k: number, namespace: string, receivedAt = new Date()): RemediationRequest {
  const alert = deploymentAlert(k);
  const parsed = parseAlertmanagerPayload(webhookPayload(alert), { clusterID: CLUSTER_ID, now: receivedAt });
  const signal = parsed.alerts[0]?.signal;
  if (!signal) throw new Error(`bench alert ${k} does not parse`);
  const fp = fingerprint(CLUSTER_ID, signal.target);
  return buildRemediationRequest(
    { signal, target: signal.target, fingerprint: fp, environment: 'production', priority: 'P0', receivedAt },
    namespace,
    1,
    'bench',
  );
}

/** The status the intake writes right after a create (first occurrence, phase Pending). */
export function initialStatus(at: Date): RemediationRequestStatus {
  const now = at.toISOString();
  return { overallPhase: PENDING, deduplication: { firstSeenAt: now, lastSeenAt: now, occurrenceCount: 1 } };
}
