// A signal buffered on its group's holder as a pending member, and back: the record keeps
// everything its own RR needs (spec fields and original times), so the storm controller can
// create that RR when the buffer window ends without a storm.
import type { PendingMember } from '../../operator/api/types.ts';
import { resourceKey } from '../../operator/storm/policy.ts';
import type { ClassifiedSignal } from '../create/rrBuilder.ts';
import type { NewPendingMember } from '../dedup/mutations.ts';
import type { NormalizedSignal } from '../signal/types.ts';

/**
 * Labels and annotations beyond this many bytes are not buffered on another RR's status (it
 * would carry up to maxAlerts of them): such a signal gets its own RR at once.
 */
export const MAX_PENDING_BYTES = 16 * 1024;

export function bufferable(signal: NormalizedSignal): boolean {
  return (
    JSON.stringify(signal.labels).length + JSON.stringify(signal.annotations).length <= MAX_PENDING_BYTES
  );
}

export function pendingMember(c: ClassifiedSignal): NewPendingMember {
  const s = c.signal;
  return {
    fingerprint: c.fingerprint,
    resource: resourceKey(c.target),
    receivedTime: c.receivedAt.toISOString(),
    severity: s.severity,
    priority: c.priority,
    environment: c.environment,
    signalType: s.type,
    signalSource: s.source,
    clusterID: s.clusterID,
    firingTime: s.firingTime,
    targetResource: c.target,
    signalLabels: s.labels,
    signalAnnotations: s.annotations,
    ...(s.occurrenceKey === undefined ? {} : { occurrenceKey: s.occurrenceKey }),
  };
}

/** The classified signal a pending member's own RR is created from (its original times kept). */
export function classifiedFromPending(p: PendingMember, signalName: string): ClassifiedSignal {
  return {
    signal: {
      name: signalName,
      severity: p.severity,
      type: p.signalType,
      source: p.signalSource,
      target: p.targetResource,
      labels: p.signalLabels ?? {},
      annotations: p.signalAnnotations ?? {},
      firingTime: p.firingTime,
      clusterID: p.clusterID ?? '',
      resolved: false,
      occurrenceKey: p.occurrenceKey,
    },
    target: p.targetResource,
    fingerprint: p.fingerprint,
    environment: p.environment,
    priority: p.priority,
    receivedAt: new Date(p.receivedTime),
  };
}
