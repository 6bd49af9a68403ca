// Bounded label values for gateway_signals_received_total{source,severity}. Both come from the
// sender (an alert's `severity` label, an Event's reporting component), and every distinct label
// value is a new time series kept for the life of the process: a sender with free-text severities
// could grow the scrape and the heap without limit. A value outside the known set is counted as
// `other` (docs/configuration.md, "Metrics"); the RR itself keeps the real value.
import { WILDCARD } from '../../webhook/signal/classify.ts';
import type { PriorityMatrix } from '../../webhook/signal/classify.ts';

export const OTHER_LABEL = 'other';

/** Severities with a series of their own besides the priority matrix's rows. */
const BASE_SEVERITIES = ['critical', 'high', 'error', 'warning', 'medium', 'low', 'info', 'none', 'unknown'];

/**
 * Reporters with a series of their own: the two adapters' defaults and the components of a
 * standard control plane that report Events about workloads.
 */
export const KNOWN_SOURCES: ReadonlySet<string> = new Set([
  'alertmanager',
  'kubernetes',
  'kubelet',
  'default-scheduler',
  'kube-controller-manager',
  'deployment-controller',
  'replicaset-controller',
  'statefulset-controller',
  'daemonset-controller',
  'job-controller',
  'cronjob-controller',
  'node-controller',
  'horizontal-pod-autoscaler',
  'persistentvolume-controller',
  'attachdetach-controller',
  'cluster-autoscaler',
]);

const severitySets = new WeakMap<PriorityMatrix, ReadonlySet<string>>();

/** The severities counted under their own name: the base set plus the matrix's rows. */
export function knownSeverities(matrix: PriorityMatrix): ReadonlySet<string> {
  let known = severitySets.get(matrix);
  if (!known) {
    known = new Set([...BASE_SEVERITIES, ...Object.keys(matrix).filter((k) => k !== WILDCARD)]);
    severitySets.set(matrix, known);
  }
  return known;
}

export function receivedLabels(
  signal: { source: string; severity: string },
  matrix: PriorityMatrix,
): { source: string; severity: string } {
  const severity = signal.severity.toLowerCase();
  return {
    source: KNOWN_SOURCES.has(signal.source) ? signal.source : OTHER_LABEL,
    severity: knownSeverities(matrix).has(severity) ? severity : OTHER_LABEL,
  };
}
