// The RemediationRequest API types (kubernaut.ai/v1alpha1), as stored in the API server.
// Field names and meanings follow the CRD in crds/remediationrequest.yaml.
import type { V1ObjectMeta } from '../kube/types.ts';

export const GROUP = 'kubernaut.ai';
export const VERSION = 'v1alpha1';
export const PLURAL = 'remediationrequests';
export const KIND = 'RemediationRequest';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'kubernaut-intake';
export const LABEL_SIGNAL_NAME = 'kubernaut.ai/signal-name';
/** On a storm's leader and the members that have their own RR: `kubectl get rr -l kubernaut.ai/storm=<stormId>`. */
export const LABEL_STORM = 'kubernaut.ai/storm';

export type SignalType = 'prometheus-alert' | 'kubernetes-event';
export type Priority = 'P0' | 'P1' | 'P2' | 'P3';

export interface TargetResource {
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface RemediationRequestSpec {
  signalFingerprint: string;
  signalName: string;
  severity: string;
  environment: string;
  priority: Priority;
  signalType: SignalType;
  signalSource: string;
  targetResource: TargetResource;
  clusterID?: string;
  firingTime: string;
  receivedTime: string;
  signalLabels?: Record<string, string>;
  signalAnnotations?: Record<string, string>;
}

export interface DeduplicationStatus {
  firstSeenAt?: string;
  lastSeenAt?: string;
  occurrenceCount?: number;
}

export type StormType = 'rate' | 'pattern';

export interface StormAggregationStatus {
  stormId?: string;
  isPartOfStorm?: boolean;
  aggregatedCount?: number;
  stormDetectedAt?: string;
  stormType?: StormType;
  affectedResources?: string[];
  aggregatedFingerprints?: string[];
  /** Extension: when a signal was last folded into this storm (drives the quiet period). */
  lastAggregatedAt?: string;
  /** Extension: set by the controller when the storm closed. */
  closedAt?: string;
  /** Extension: signals counted in aggregatedCount whose member is not listed (lists capped). */
  unlistedMembers?: number;
  /**
   * Extension: new fingerprints of the group recorded on this RR during its buffer window
   * (storm.bufferSeconds); they become storm members, or get their own RRs when the window ends.
   */
  pendingMembers?: PendingMember[];
}

/** A signal buffered on its group's first RR: everything needed to create its own RR later. */
export interface PendingMember {
  fingerprint: string;
  resource: string;
  /** When the intake received its first signal (the RR created later keeps it). */
  receivedTime: string;
  lastSeenAt: string;
  occurrences: number;
  severity: string;
  priority: Priority;
  environment: string;
  signalType: SignalType;
  signalSource: string;
  clusterID?: string;
  firingTime: string;
  targetResource: TargetResource;
  signalLabels?: Record<string, string>;
  signalAnnotations?: Record<string, string>;
  /** The occurrence key of its first signal: its own RR is created with it (redelivery detection). */
  occurrenceKey?: string;
  /** Ids of its recent occurrences (occurrences.ts), carried to its own RR's record. */
  recentOccurrences?: string[];
}

export interface RemediationRequestStatus {
  overallPhase?: string;
  signalResolvedAt?: string;
  /** Extension: when the operator first saw a terminal phase; retention counts from it. */
  terminalSince?: string;
  deduplication?: DeduplicationStatus;
  stormAggregation?: StormAggregationStatus;
  /**
   * Extension: ids of the most recent occurrences counted on this RR (oldest first, bounded),
   * so a redelivered notification is recognised (webhook/dedup/occurrences.ts).
   */
  recentOccurrences?: string[];
}

export interface RemediationRequest {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: V1ObjectMeta & { name: string; namespace: string };
  spec: RemediationRequestSpec;
  status?: RemediationRequestStatus;
}
