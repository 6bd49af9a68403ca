// The one typed value every adapter produces: parsed input becomes a NormalizedSignal once,
// at the edge, and the rest of the pipeline never sees raw payloads.
import type { SignalType, TargetResource } from '../../operator/api/types.ts';

export interface NormalizedSignal {
  /** alertname, or the Event reason. */
  name: string;
  /** Lower-cased severity label (critical, warning, info, ...); `unknown` when absent. */
  severity: string;
  type: SignalType;
  /** e.g. `alertmanager`, or the Event's reporting component. */
  source: string;
  /** The resource the signal is about, before owner resolution. */
  target: TargetResource;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** RFC 3339 */
  firingTime: string;
  clusterID: string;
  /** True when the source reports the condition as resolved. */
  resolved: boolean;
  /**
   * Identity of this occurrence (webhook/signal/occurrence.ts): equal for a redelivery of the
   * same notification, different for a new firing. Undefined when the input carries none.
   */
  occurrenceKey?: string;
}
