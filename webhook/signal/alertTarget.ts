// Which Kubernetes object an alert is about, read from its labels. The most specific resource
// wins (a Pod label beats a Deployment label): owner resolution later walks up from it to the
// top-level controller, so starting from the most precise object loses nothing.
import type { TargetResource } from '../../operator/api/types.ts';
import { ValidationProblem } from '../http/problem.ts';
import { childPath } from './fields.ts';
import { kindInfo, scopeTarget } from './kinds.ts';

/**
 * Label -> kind, in priority order. Jobs come from `job_name` (kube-state-metrics' label),
 * never from `job`: Prometheus puts the scrape job name in `job` on every series.
 */
export const TARGET_LABELS: readonly { label: string; kind: string }[] = [
  { label: 'pod', kind: 'Pod' },
  { label: 'deployment', kind: 'Deployment' },
  { label: 'statefulset', kind: 'StatefulSet' },
  { label: 'daemonset', kind: 'DaemonSet' },
  { label: 'replicaset', kind: 'ReplicaSet' },
  { label: 'job_name', kind: 'Job' },
  { label: 'cronjob', kind: 'CronJob' },
  { label: 'node', kind: 'Node' },
  { label: 'service', kind: 'Service' },
  { label: 'persistentvolumeclaim', kind: 'PersistentVolumeClaim' },
];

/**
 * Labels Prometheus adds to say where it scraped from. When a series already carries one of
 * these names (kube-state-metrics scraped without honor_labels), Prometheus renames the
 * series' own label to `exported_<name>` and the plain label then describes the exporter
 * pod, not the subject. `exported_namespace` is the tell-tale that this happened.
 */
const SCRAPE_TARGET_LABELS: ReadonlySet<string> = new Set(['namespace', 'pod', 'service']);

// CRD bounds of spec.targetResource.
const MAX_NAME = 253;
const MAX_NAMESPACE = 63;

interface LabelHit {
  key: string;
  value: string;
}

function nonEmpty(labels: Readonly<Record<string, string>>, key: string): LabelHit | undefined {
  const value = Object.hasOwn(labels, key) ? labels[key]?.trim() : undefined;
  return value ? { key, value } : undefined;
}

/** `exported_<name>` first (the subject's own label), then `<name>` unless it names the scraper. */
function readLabel(
  labels: Readonly<Record<string, string>>,
  name: string,
  relabelled: boolean,
): LabelHit | undefined {
  const exported = nonEmpty(labels, `exported_${name}`);
  if (exported) return exported;
  if (relabelled && SCRAPE_TARGET_LABELS.has(name)) return undefined;
  return nonEmpty(labels, name);
}

function bounded(hit: LabelHit, path: string, max: number): string {
  if (hit.value.length > max) {
    throw new ValidationProblem(childPath(path, hit.key), `must be at most ${max} characters`);
  }
  return hit.value;
}

const NEEDED = [...TARGET_LABELS.map((t) => t.label), 'or namespace'].join(', ');

/**
 * The target named by an alert's (merged) labels. `path` is the labels' field path, used in
 * problems (e.g. `alerts[3].labels`). Without any resource label the alert targets its
 * Namespace; the namespace is also set on that target so the fingerprint and storm grouping
 * stay per namespace. No resource and no namespace is a 400: there is nothing to remediate.
 */
export function targetFromLabels(labels: Readonly<Record<string, string>>, path: string): TargetResource {
  const relabelled = nonEmpty(labels, 'exported_namespace') !== undefined;
  const nsHit = readLabel(labels, 'namespace', relabelled);
  const namespace = nsHit ? bounded(nsHit, path, MAX_NAMESPACE) : undefined;
  for (const t of TARGET_LABELS) {
    const hit = readLabel(labels, t.label, relabelled);
    if (!hit) continue;
    const name = bounded(hit, path, MAX_NAME);
    if (kindInfo(t.kind)?.namespaced === false) return scopeTarget({ kind: t.kind, name });
    if (!namespace)
      throw new ValidationProblem(childPath(path, 'namespace'), `is required for a ${t.kind} target`);
    return scopeTarget({ kind: t.kind, name, namespace });
  }
  if (namespace) return scopeTarget({ kind: 'Namespace', name: namespace });
  throw new ValidationProblem(path, `has no target resource (need one of ${NEEDED})`);
}
