// Writes the field descriptions below into crds/remediationrequest.yaml and the chart's copy, so
// `kubectl explain rr.spec` / `rr.status` explain every field. Run after adding a field:
//   node crds/describe.ts && npx prettier --write crds/remediationrequest.yaml
//   cp crds/remediationrequest.yaml charts/kubernaut-intake/crds/
// Only descriptions change (a flow map that gets one is written in block style); a field
// missing here keeps the description it has, and crds/descriptions.test.ts fails on a field
// that has none.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Scalar, YAMLMap, parseDocument } from 'yaml';

const ROOT = join(import.meta.dirname, '..');
const FILES = ['crds/remediationrequest.yaml', 'charts/kubernaut-intake/crds/remediationrequest.yaml'];

/**
 * Dotted paths below openAPIV3Schema ('' is the root). `metadata` takes no description: the API
 * server refuses anything but name and generateName there.
 */
export const DESCRIPTIONS: Record<string, string> = {
  '': 'RemediationRequest is one unit of remediation work: one distinct problem (a signal fingerprint) reported by Alertmanager or a Kubernetes Event, filed once by the kubernaut intake, which counts repeats on it and folds alert storms into it.',
  apiVersion:
    'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
  kind: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
  spec: 'What was signalled. Written once by the intake when it creates the RR, and immutable afterwards.',
  'spec.signalFingerprint':
    'SHA-256 (64 lowercase hex) of clusterID:namespace:kind:name of the target resource, after resolving it to its top-level controller owner. The alert or event name is not part of it: several signals about one workload are one remediation. At most one active RR exists per fingerprint. Selectable: kubectl get rr --field-selector spec.signalFingerprint=<hex>.',
  'spec.signalName':
    'The alertname label of a Prometheus alert, or the reason of a Kubernetes Event, that created the RR. Also in the label kubernaut.ai/signal-name (sanitised).',
  'spec.severity':
    "The signal's severity: the alert's severity label (e.g. critical, warning, info), or warning / info for a Warning / Normal Event. With the environment it decides the priority.",
  'spec.environment':
    "The environment of the target's namespace: its label kubernaut.ai/environment, else its label environment, else the configured default (classification.defaultEnvironment, 'unknown').",
  'spec.priority':
    'P0 (most urgent) to P3, from the configured severity x environment matrix (classification.priorityMatrix).',
  'spec.signalType':
    'prometheus-alert (the Alertmanager webhook route) or kubernetes-event (the Event route).',
  'spec.signalSource':
    "Who reported the signal: 'alertmanager' for alerts; for Events the reporting component (reportingController or source.component), else 'kubernetes'.",
  'spec.targetResource':
    'The resource the problem is about, resolved to its top-level controller owner (Pod -> ReplicaSet -> Deployment; Pod -> StatefulSet, DaemonSet or Job -> CronJob) when the owner chain can be read.',
  'spec.targetResource.apiVersion':
    'API group and version of the target, e.g. apps/v1; empty when not known.',
  'spec.targetResource.kind':
    'Kind of the target, e.g. Deployment, StatefulSet, DaemonSet, CronJob, Pod, Node.',
  'spec.targetResource.name': 'Name of the target.',
  'spec.targetResource.namespace': 'Namespace of the target; empty for cluster-scoped kinds such as Node.',
  'spec.clusterID':
    "The cluster the signal came from (the operator's clusterID setting); part of the fingerprint, so RRs of several clusters can be gathered in one place.",
  'spec.firingTime':
    "When the problem started: the alert's startsAt, or the Event's first timestamp (firstTimestamp or eventTime).",
  'spec.receivedTime': 'When the intake received the signal that created this RR.',
  'spec.signalLabels':
    "Labels of the signal that created the RR: the alert's labels, or for an Event its reason, type, target kind, name and namespace, and reporting component (at most 128 entries).",
  'spec.signalAnnotations':
    "Annotations of the signal that created the RR: the alert's annotations (summary, description, runbook_url, ...), or for an Event its message, count, last timestamp and Event name (at most 128 entries).",
  status:
    'Shared by several writers, each owning its own fields and writing with optimistic concurrency: the intake (deduplication, signalResolvedAt), the storm controller (stormAggregation), the operator (Pending phase, terminalSince), and a remediation engine or a person (overallPhase after Pending).',
  'status.overallPhase':
    'Pending when created. Active: Processing, Analyzing, AwaitingApproval, Executing, Verifying, Blocked. Terminal: Completed, Failed, TimedOut, Skipped, Cancelled. Empty or unknown counts as active. A terminal RR absorbs no more signals: the next signal for its fingerprint creates a new RR.',
  'status.signalResolvedAt':
    'When the source reported the signal resolved (a resolved Alertmanager notification while this RR was active). It does not end the RR; its phase does.',
  'status.terminalSince':
    'Extension to the contract. Set by the operator when it first sees a terminal phase (cleared if the RR becomes active again); retention counts from it.',
  'status.deduplication':
    'Owned by the intake: how often the problem was signalled while this RR was active.',
  'status.deduplication.firstSeenAt': 'When the first occurrence was received.',
  'status.deduplication.lastSeenAt': 'When the latest occurrence was received.',
  'status.deduplication.occurrenceCount':
    'Occurrences counted on this RR, the first included: one per firing of an alert (its Alertmanager identity and startsAt) or new count of an Event. A redelivery of an occurrence already counted (Alertmanager HA peers, retries) is not counted again.',
  'status.stormAggregation':
    'Owned by the storm controller (and the intake when it folds a signal into a storm). On the leader RR of a storm: what was folded into it. On RRs of the storm created before it was detected: isPartOfStorm and stormId only.',
  'status.stormAggregation.stormId': 'Identifier of the storm, the same on its leader and its members.',
  'status.stormAggregation.isPartOfStorm': 'True on every RR of a storm, leader and members.',
  'status.stormAggregation.aggregatedCount':
    'On the leader: how many signals of new fingerprints were folded into the storm instead of getting an RR of their own, including alerts Alertmanager truncated. Exact, even when the lists below are capped.',
  'status.stormAggregation.stormDetectedAt': 'When the storm was detected.',
  'status.stormAggregation.stormType':
    'rate: more new fingerprints of one signalName in one namespace within the rate window than the rate threshold; pattern: more distinct target resources of one signalName in one namespace within the pattern window than the pattern threshold.',
  'status.stormAggregation.affectedResources':
    'On the leader: the target resources of the storm, as kind/namespace/name (capped; aggregatedCount stays exact).',
  'status.stormAggregation.aggregatedFingerprints':
    'On the leader: the fingerprints folded into the storm (capped; aggregatedCount stays exact).',
  'status.stormAggregation.lastAggregatedAt':
    'Extension to the contract. When a signal was last folded in; drives the quiet period.',
  'status.stormAggregation.closedAt': 'Extension to the contract. Set on the leader when its storm closed.',
};

/**
 * Fields other branches add (storm buffer members): written only where the field has no
 * description yet, so their authors' own texts win. `name[]` steps into an array's items.
 */
const AS_ON_RR = (field: string) => `As ${field} of the RR this pending signal gets if no storm forms.`;
export const FILL_IN: Record<string, string> = {
  'status.stormAggregation.pendingMembers[].fingerprint': AS_ON_RR('spec.signalFingerprint'),
  'status.stormAggregation.pendingMembers[].resource':
    'Its target resource as kind/namespace/name (the form of affectedResources).',
  'status.stormAggregation.pendingMembers[].receivedTime': AS_ON_RR('spec.receivedTime'),
  'status.stormAggregation.pendingMembers[].lastSeenAt': AS_ON_RR('status.deduplication.lastSeenAt'),
  'status.stormAggregation.pendingMembers[].occurrences':
    'Occurrences received while pending; they become the occurrenceCount of its RR or count on the storm.',
  'status.stormAggregation.pendingMembers[].severity': AS_ON_RR('spec.severity'),
  'status.stormAggregation.pendingMembers[].priority': AS_ON_RR('spec.priority'),
  'status.stormAggregation.pendingMembers[].environment': AS_ON_RR('spec.environment'),
  'status.stormAggregation.pendingMembers[].signalType': AS_ON_RR('spec.signalType'),
  'status.stormAggregation.pendingMembers[].signalSource': AS_ON_RR('spec.signalSource'),
  'status.stormAggregation.pendingMembers[].clusterID': AS_ON_RR('spec.clusterID'),
  'status.stormAggregation.pendingMembers[].firingTime': AS_ON_RR('spec.firingTime'),
  'status.stormAggregation.pendingMembers[].targetResource': AS_ON_RR('spec.targetResource'),
  'status.stormAggregation.pendingMembers[].targetResource.apiVersion': AS_ON_RR(
    'spec.targetResource.apiVersion',
  ),
  'status.stormAggregation.pendingMembers[].targetResource.kind': AS_ON_RR('spec.targetResource.kind'),
  'status.stormAggregation.pendingMembers[].targetResource.name': AS_ON_RR('spec.targetResource.name'),
  'status.stormAggregation.pendingMembers[].targetResource.namespace': AS_ON_RR(
    'spec.targetResource.namespace',
  ),
  'status.stormAggregation.pendingMembers[].signalLabels': AS_ON_RR('spec.signalLabels'),
  'status.stormAggregation.pendingMembers[].signalAnnotations': AS_ON_RR('spec.signalAnnotations'),
};

function schemaPath(dotted: string): string[] {
  const base = ['spec', 'versions', 0, 'schema', 'openAPIV3Schema'] as unknown as string[];
  if (dotted === '') return base;
  return [
    ...base,
    ...dotted
      .split('.')
      .flatMap((p) => (p.endsWith('[]') ? ['properties', p.slice(0, -2), 'items'] : ['properties', p])),
  ];
}

export function describe(text: string): string {
  const doc = parseDocument(text);
  const entries = [
    ...Object.entries(DESCRIPTIONS).map(([p, d]) => [p, d, true] as const),
    ...Object.entries(FILL_IN).map(([p, d]) => [p, d, false] as const),
  ];
  for (const [path, description, overwrite] of entries) {
    const node = doc.getIn(schemaPath(path), true);
    if (!(node instanceof YAMLMap)) continue; // a field that is gone or not there yet
    const current = node.get('description');
    if (current === description || (!overwrite && typeof current === 'string' && current.trim())) continue;
    node.flow = false;
    const scalar = doc.createNode(description) as Scalar;
    scalar.type = Scalar.BLOCK_FOLDED;
    node.set('description', scalar);
  }
  return doc.toString({ lineWidth: 100 });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const file of FILES) {
    const path = join(ROOT, file);
    writeFileSync(path, describe(readFileSync(path, 'utf8')));
  }
}
