// The one thin module through which the operator and the intake talk to the API server.
// Every call is counted (gateway_k8s_api_requests_total) and every failure is classified once.
// Requests are plain JSON over the shared Transport of the cluster config (see transport.ts).
import { GROUP, PLURAL, VERSION } from '../api/types.ts';
import type { RemediationRequest, RemediationRequestStatus } from '../api/types.ts';
import type { Metrics } from '../observability/metrics.ts';
import { CallLimiter } from './callLimiter.ts';
import type { CallLimits } from './callLimiter.ts';
import { classifyKubeError } from './errors.ts';
import type { ClusterConfig } from './kubeconfig.ts';
import { transportFor } from './transport.ts';
import type { RequestSpec, Transport } from './transport.ts';
import type {
  EventsV1Event,
  V1Lease,
  V1Namespace,
  V1ObjectMeta,
  V1SubjectAccessReview,
  V1TokenReview,
} from './types.ts';
import { openWatch } from './watch.ts';

export interface RRList {
  items: RemediationRequest[];
  metadata: { resourceVersion?: string; continue?: string };
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
}

/** Kinds whose owner references the target resolver follows. */
export type OwnedKind = 'Pod' | 'ReplicaSet' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';

const OWNED_PATH: Record<OwnedKind, string> = {
  Pod: '/api/v1/namespaces/%/pods',
  ReplicaSet: '/apis/apps/v1/namespaces/%/replicasets',
  Deployment: '/apis/apps/v1/namespaces/%/deployments',
  StatefulSet: '/apis/apps/v1/namespaces/%/statefulsets',
  DaemonSet: '/apis/apps/v1/namespaces/%/daemonsets',
  Job: '/apis/batch/v1/namespaces/%/jobs',
  CronJob: '/apis/batch/v1/namespaces/%/cronjobs',
};

const MERGE_PATCH = 'application/merge-patch+json';
const SUCCESS_CODE: Record<string, string> = { create: '201' };
const seg = encodeURIComponent;

const rrPath = (ns: string, name?: string) =>
  name === undefined ? rrCollectionPath(ns) : `${rrCollectionPath(ns)}/${seg(name)}`;
const leasePath = (ns: string, name?: string) =>
  `/apis/coordination.k8s.io/v1/namespaces/${seg(ns)}/leases${name === undefined ? '' : `/${seg(name)}`}`;
const preconditions = (resourceVersion?: string) =>
  resourceVersion ? { preconditions: { resourceVersion } } : undefined;

export class KubeClient {
  readonly kc: ClusterConfig;
  private readonly metrics: Metrics | undefined;
  private readonly transport: Transport;
  private readonly limiter: CallLimiter | undefined;

  /** With `limits`, non-watch calls share that many slots (see CallLimiter); watches are exempt. */
  constructor(kc: ClusterConfig, metrics?: Metrics, limits?: CallLimits) {
    this.kc = kc;
    this.metrics = metrics;
    this.limiter = limits && new CallLimiter(limits, metrics);
    this.transport = transportFor(kc);
  }

  private call<T>(verb: string, resource: string, spec: RequestSpec): Promise<T> {
    const fn = () => this.transport.json<T>(spec);
    return this.limiter
      ? this.limiter.run(() => this.counted(verb, resource, fn))
      : this.counted(verb, resource, fn);
  }

  private async counted<T>(verb: string, resource: string, fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn();
      this.metrics?.k8sApiRequests.inc({ verb, resource, code: SUCCESS_CODE[verb] ?? '200' });
      return result;
    } catch (err) {
      const kerr = classifyKubeError(err);
      this.metrics?.k8sApiRequests.inc({ verb, resource, code: String(kerr.code) });
      throw kerr;
    }
  }

  // --- RemediationRequests -------------------------------------------------------------
  createRR(rr: RemediationRequest): Promise<RemediationRequest> {
    const path = rrPath(rr.metadata.namespace);
    return this.call('create', PLURAL, { method: 'POST', path, body: rr });
  }

  getRR(namespace: string, name: string): Promise<RemediationRequest> {
    return this.call('get', PLURAL, { method: 'GET', path: rrPath(namespace, name) });
  }

  listRRs(namespace: string, opts: ListOptions = {}): Promise<RRList> {
    const query = {
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      limit: opts.limit,
      continue: opts.continueToken,
      resourceVersion: opts.resourceVersion,
    };
    return this.call('list', PLURAL, { method: 'GET', path: rrPath(namespace), query });
  }

  /**
   * Merge-patches the status subresource. With a resourceVersion the write is optimistic:
   * a stale version fails with a `conflict` KubeError.
   */
  patchRRStatus(
    namespace: string,
    name: string,
    status: RemediationRequestStatus | Record<string, unknown>,
    resourceVersion?: string,
  ): Promise<RemediationRequest> {
    const body: Record<string, unknown> = { status };
    if (resourceVersion) body.metadata = { resourceVersion };
    const path = `${rrPath(namespace, name)}/status`;
    return this.call('patch', `${PLURAL}/status`, { method: 'PATCH', path, body, contentType: MERGE_PATCH });
  }

  /** Merge-patches an RR's labels (null removes one). The spec is immutable; labels are not. */
  patchRRLabels(
    namespace: string,
    name: string,
    labels: Record<string, string | null>,
  ): Promise<RemediationRequest> {
    const body = { metadata: { labels } };
    const path = rrPath(namespace, name);
    return this.call('patch', PLURAL, { method: 'PATCH', path, body, contentType: MERGE_PATCH });
  }

  async deleteRR(namespace: string, name: string, resourceVersion?: string): Promise<void> {
    const path = rrPath(namespace, name);
    await this.call('delete', PLURAL, { method: 'DELETE', path, body: preconditions(resourceVersion) });
  }

  // --- Leases ----------------------------------------------------------------------------
  getLease(namespace: string, name: string): Promise<V1Lease> {
    return this.call('get', 'leases', { method: 'GET', path: leasePath(namespace, name) });
  }

  createLease(namespace: string, body: V1Lease): Promise<V1Lease> {
    return this.call('create', 'leases', { method: 'POST', path: leasePath(namespace), body });
  }

  /** Replaces a lease; the body's resourceVersion makes it optimistic. */
  replaceLease(namespace: string, body: V1Lease): Promise<V1Lease> {
    const path = leasePath(namespace, body.metadata?.name ?? '');
    return this.call('update', 'leases', { method: 'PUT', path, body });
  }

  async deleteLease(namespace: string, name: string, resourceVersion?: string): Promise<void> {
    const path = leasePath(namespace, name);
    await this.call('delete', 'leases', { method: 'DELETE', path, body: preconditions(resourceVersion) });
  }

  async listLeases(namespace: string, labelSelector?: string): Promise<V1Lease[]> {
    const path = leasePath(namespace);
    const list = await this.call<{ items?: V1Lease[] }>('list', 'leases', {
      method: 'GET',
      path,
      query: { labelSelector },
    });
    return list.items ?? [];
  }

  // --- Events, namespaces, owners ----------------------------------------------------------
  createEvent(namespace: string, body: EventsV1Event): Promise<EventsV1Event> {
    const path = `/apis/events.k8s.io/v1/namespaces/${seg(namespace)}/events`;
    return this.call('create', 'events', { method: 'POST', path, body });
  }

  readNamespace(name: string): Promise<V1Namespace> {
    return this.call('get', 'namespaces', { method: 'GET', path: `/api/v1/namespaces/${seg(name)}` });
  }

  /** Reads the metadata (owner references) of one workload object. */
  async readOwnedMeta(kind: OwnedKind, namespace: string, name: string): Promise<V1ObjectMeta> {
    const path = `${OWNED_PATH[kind].replace('%', seg(namespace))}/${seg(name)}`;
    const obj = await this.call<{ metadata?: V1ObjectMeta }>('get', `${kind.toLowerCase()}s`, {
      method: 'GET',
      path,
    });
    return obj.metadata ?? {};
  }

  // --- Authentication and authorization ---------------------------------------------------
  tokenReview(body: V1TokenReview): Promise<V1TokenReview> {
    const path = '/apis/authentication.k8s.io/v1/tokenreviews';
    const full = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', ...body };
    return this.call('create', 'tokenreviews', { method: 'POST', path, body: full });
  }

  subjectAccessReview(body: V1SubjectAccessReview): Promise<V1SubjectAccessReview> {
    const path = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
    const full = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', ...body };
    return this.call('create', 'subjectaccessreviews', { method: 'POST', path, body: full });
  }

  // --- Watch -----------------------------------------------------------------------------
  /** Opens a watch; `done` is called once when it ends for any reason (see watch.ts). */
  watch(
    path: string,
    params: Record<string, string | number | boolean | undefined>,
    onEvent: (type: string, obj: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    this.metrics?.k8sApiRequests.inc({ verb: 'watch', resource: path.split('/').pop() ?? path, code: '200' });
    return openWatch(this.transport, path, params, onEvent, done);
  }
}

export function rrCollectionPath(namespace: string): string {
  return `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`;
}
