// The Kubernetes Events (events.k8s.io/v1) announcing a storm on its leader RR. Their names are
// derived from the leader and the storm's detection time, so announcing one storm twice (a retry,
// or a new controller leader after fail-over) hits AlreadyExists instead of adding a duplicate.
import { formatMicroTime } from '../kube/types.ts';
import type { EventsV1Event } from '../kube/types.ts';
import { API_VERSION, KIND } from '../api/types.ts';
import type { StormAggregationStatus } from '../api/types.ts';
import type { CachedRR } from '../cache/projection.ts';

export const REPORTING_CONTROLLER = 'kubernaut.ai/intake';
export type StormReason = 'StormDetected' | 'StormClosed';

export function stormEventName(leader: CachedRR, reason: StormReason, detectedAt: string): string {
  const stamp = (Date.parse(detectedAt) || 0).toString(36);
  return `${leader.metadata.name}.${reason.toLowerCase()}.${stamp}`;
}

function note(reason: StormReason, leader: CachedRR, storm: StormAggregationStatus): string {
  const what = `${storm.stormType ?? 'rate'} storm ${storm.stormId} of ${leader.spec.signalName} in namespace ${leader.spec.targetResource.namespace ?? '-'}`;
  const resources = storm.affectedResources?.length ?? 0;
  const folded = storm.aggregatedCount ?? 0;
  return reason === 'StormDetected'
    ? `${what} detected: ${resources} resources affected so far; new signals are aggregated on this RR`
    : `${what} closed: ${resources} resources affected, ${folded} signals aggregated`;
}

export function stormEvent(
  leader: CachedRR,
  storm: StormAggregationStatus & { stormDetectedAt: string },
  reason: StormReason,
  reportingInstance: string,
  nowMs: number,
): EventsV1Event {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: {
      name: stormEventName(leader, reason, storm.stormDetectedAt),
      namespace: leader.metadata.namespace,
    },
    eventTime: formatMicroTime(nowMs),
    reportingController: REPORTING_CONTROLLER,
    reportingInstance: reportingInstance.slice(0, 128),
    action: 'Aggregate',
    reason,
    type: reason === 'StormDetected' ? 'Warning' : 'Normal',
    note: note(reason, leader, storm).slice(0, 1024),
    regarding: {
      apiVersion: API_VERSION,
      kind: KIND,
      name: leader.metadata.name,
      namespace: leader.metadata.namespace,
      uid: leader.metadata.uid,
    },
  };
}
