// What the RR cache keeps of each RemediationRequest: only the fields some reader of the cache
// uses (dedup, the storm gate, the create path, the controllers), not the whole object. An RR as
// the API server serves it is ~2.8 KB of JSON; most of it is metadata.managedFields and the
// signal's labels and annotations, which nothing reads from the cache.
//
// Kept: status (whole: the status batcher clones it and sends a merge-patch diff of it, the storm
// controller creates members from its pendingMembers), the spec fields below, and the metadata
// below (labels whole, annotations only `kubernaut.ai/*`). A reader that needs anything else must
// GET the RR: the type CachedRR has no other field, so `tsc` fails on a reader that tries.
// Every object the cache stores goes through projectRR (list items, watch events, local writes).
import { API_VERSION, KIND } from '../api/types.ts';
import type { RemediationRequest, RemediationRequestSpec, RemediationRequestStatus } from '../api/types.ts';

/** Spec fields read from cached RRs (fingerprint index, storm groups and rules, Events). */
export const CACHED_SPEC_FIELDS = [
  'signalFingerprint',
  'signalName',
  'targetResource',
  'receivedTime',
] as const;

/** Metadata fields read from cached RRs (keys, optimistic writes, phase, storm labels and Events). */
export const CACHED_METADATA_FIELDS = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
  'labels',
  'annotations',
] as const;

/** Annotations kept: the intake's own (creating occurrence, create attempt). */
export const CACHED_ANNOTATION_PREFIX = 'kubernaut.ai/';

type Metadata = RemediationRequest['metadata'];

export type CachedSpec = Pick<RemediationRequestSpec, (typeof CACHED_SPEC_FIELDS)[number]>;
export type CachedMetadata = Pick<Metadata, (typeof CACHED_METADATA_FIELDS)[number]>;

/** A RemediationRequest as the cache holds it. A full RemediationRequest is also a CachedRR. */
export interface CachedRR {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: CachedMetadata;
  spec: CachedSpec;
  status?: RemediationRequestStatus;
}

/**
 * The cached form of an RR: new top-level, metadata and spec objects of one fixed shape each
 * (V8 shares their hidden classes), holding the input's values. Nested values (status, labels,
 * targetResource) are shared with the input, not copied: callers own the input no longer, or
 * copy first (DeltaStore does for local writes). Projecting a projection changes nothing.
 */
export function projectRR(rr: CachedRR): CachedRR {
  const m = rr.metadata;
  const s = rr.spec;
  const metadata: CachedMetadata = {
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
    creationTimestamp: m.creationTimestamp,
    deletionTimestamp: m.deletionTimestamp,
    labels: m.labels,
    annotations: ownAnnotations(m.annotations),
  };
  const spec: CachedSpec = {
    signalFingerprint: s.signalFingerprint,
    signalName: s.signalName,
    targetResource: s.targetResource,
    receivedTime: s.receivedTime,
  };
  return { apiVersion: API_VERSION, kind: KIND, metadata, spec, status: rr.status };
}

function ownAnnotations(all: Record<string, string> | undefined): Record<string, string> | undefined {
  if (all === undefined) return undefined;
  let foreign = false;
  for (const key in all) {
    if (!key.startsWith(CACHED_ANNOTATION_PREFIX)) {
      foreign = true;
      break;
    }
  }
  if (!foreign) return all;
  const own: Record<string, string> = {};
  for (const [key, value] of Object.entries(all))
    if (key.startsWith(CACHED_ANNOTATION_PREFIX)) own[key] = value;
  return Object.keys(own).length > 0 ? own : undefined;
}
