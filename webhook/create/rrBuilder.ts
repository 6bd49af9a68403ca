// Builds a new RemediationRequest from a classified signal, under the deterministic name of one
// generation of its fingerprint (so two creators of one generation collide: AlreadyExists).
// Annotations say which create attempt made it (to settle a create that got no answer) and which
// occurrence it counts as its first (to recognise that occurrence's redelivery).
import {
  API_VERSION,
  KIND,
  LABEL_MANAGED_BY,
  LABEL_SIGNAL_NAME,
  MANAGED_BY,
} from '../../operator/api/types.ts';
import type { Priority, RemediationRequest, TargetResource } from '../../operator/api/types.ts';
import { CREATING_OCCURRENCE_ANNOTATION, occurrenceId } from '../dedup/occurrences.ts';
import { rrName } from '../signal/fingerprint.ts';
import { sanitizeLabelValue } from '../signal/labels.ts';
import type { NormalizedSignal } from '../signal/types.ts';

export interface ClassifiedSignal {
  signal: NormalizedSignal;
  /** The target after owner resolution (what the fingerprint is of). */
  target: TargetResource;
  fingerprint: string;
  environment: string;
  priority: Priority;
  receivedAt: Date;
}

/** Names the create attempt that made an RR: `<holder>/<random>`. */
export const CREATE_ATTEMPT_ANNOTATION = 'kubernaut.ai/create-attempt';

export function buildRemediationRequest(
  c: ClassifiedSignal,
  namespace: string,
  generation: number,
  attempt: string,
): RemediationRequest {
  const s = c.signal;
  const annotations: Record<string, string> = { [CREATE_ATTEMPT_ANNOTATION]: attempt };
  if (s.occurrenceKey !== undefined)
    annotations[CREATING_OCCURRENCE_ANNOTATION] = occurrenceId(s.occurrenceKey);
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: {
      name: rrName(c.fingerprint, generation),
      namespace,
      labels: { [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_SIGNAL_NAME]: sanitizeLabelValue(s.name) },
      annotations,
    },
    spec: {
      signalFingerprint: c.fingerprint,
      signalName: s.name,
      severity: s.severity,
      environment: c.environment,
      priority: c.priority,
      signalType: s.type,
      signalSource: s.source,
      targetResource: c.target,
      clusterID: s.clusterID,
      firingTime: s.firingTime,
      receivedTime: c.receivedAt.toISOString(),
      signalLabels: s.labels,
      signalAnnotations: s.annotations,
    },
  };
}
