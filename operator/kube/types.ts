// The few Kubernetes API types this operator reads and writes, as they travel in JSON. Bodies are
// parsed once with JSON.parse and used as they come: timestamps stay RFC 3339 strings, and
// nothing is revived into classes. Fields follow the upstream OpenAPI; only what we use is listed.

/** RFC 3339 with six fractional digits, e.g. 2026-01-01T00:00:00.123000Z (Lease and Event times). */
export type MicroTime = string;

/**
 * The API server accepts MicroTime fields (Lease acquireTime/renewTime, Event eventTime) only with
 * six fractional digits; Date#toISOString gives three.
 */
export function formatMicroTime(ms: number): MicroTime {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

export interface V1OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface V1ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: V1OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

export interface V1LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** Written as MicroTime; a Date is accepted for callers that still hold one. */
  acquireTime?: MicroTime | Date;
  renewTime?: MicroTime | Date;
  leaseTransitions?: number;
  preferredHolder?: string;
  strategy?: string;
}

export interface V1Lease {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: V1LeaseSpec;
}

export interface V1ObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** events.k8s.io/v1 Event. */
export interface EventsV1Event {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  eventTime: MicroTime;
  action?: string;
  reason?: string;
  note?: string;
  type?: string;
  regarding?: V1ObjectReference;
  related?: V1ObjectReference;
  reportingController?: string;
  reportingInstance?: string;
  deprecatedCount?: number;
}

export interface V1Namespace {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  status?: { phase?: string };
}

export interface V1UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface V1TokenReview {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec: { token?: string; audiences?: string[] };
  status?: { authenticated?: boolean; user?: V1UserInfo; audiences?: string[]; error?: string };
}

export interface V1ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

export interface V1SubjectAccessReview {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec: {
    user?: string;
    uid?: string;
    groups?: string[];
    extra?: Record<string, string[]>;
    resourceAttributes?: V1ResourceAttributes;
    nonResourceAttributes?: { path?: string; verb?: string };
  };
  status?: { allowed: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

/** The metav1.Status body of a failed request. */
export interface V1Status {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; kind?: string; retryAfterSeconds?: number };
}
