// The one thin module through which the operator and the intake talk to the API server.
// Every call is counted (gateway_k8s_api_requests_total) and every failure is classified once.
import {
  AppsV1Api,
  AuthenticationV1Api,
  AuthorizationV1Api,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type {
  EventsV1Event,
  KubeConfig,
  V1Lease,
  V1Namespace,
  V1ObjectMeta,
  V1SubjectAccessReview,
  V1TokenReview,
} from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '../api/types.ts';
import type { RemediationRequest, RemediationRequestStatus } from '../api/types.ts';
import type { Metrics } from '../observability/metrics.ts';
import { CallLimiter } from './callLimiter.ts';
import type { CallLimits } from './callLimiter.ts';
import { classifyKubeError } from './errors.ts';

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

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const SUCCESS_CODE: Record<string, string> = { create: '201' };

export class KubeClient {
  readonly kc: KubeConfig;
  private readonly metrics: Metrics | undefined;
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly batch: BatchV1Api;
  private readonly coordination: CoordinationV1Api;
  private readonly events: EventsV1Api;
  private readonly authn: AuthenticationV1Api;
  private readonly authz: AuthorizationV1Api;
  private readonly watcher: Watch;
  private readonly limiter: CallLimiter | undefined;

  /** With `limits`, non-watch calls share that many slots (see CallLimiter); watches are exempt. */
  constructor(kc: KubeConfig, metrics?: Metrics, limits?: CallLimits) {
    this.kc = kc;
    this.metrics = metrics;
    this.limiter = limits && new CallLimiter(limits, metrics);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.batch = kc.makeApiClient(BatchV1Api);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
    this.events = kc.makeApiClient(EventsV1Api);
    this.authn = kc.makeApiClient(AuthenticationV1Api);
    this.authz = kc.makeApiClient(AuthorizationV1Api);
    this.watcher = new Watch(kc);
  }

  private call<T>(verb: string, resource: string, fn: () => Promise<T>): Promise<T> {
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
  private rrParams(namespace: string) {
    return { group: GROUP, version: VERSION, plural: PLURAL, namespace };
  }

  createRR(rr: RemediationRequest): Promise<RemediationRequest> {
    const ns = rr.metadata.namespace;
    return this.call('create', PLURAL, () =>
      this.custom.createNamespacedCustomObject({ ...this.rrParams(ns), body: rr }),
    );
  }

  getRR(namespace: string, name: string): Promise<RemediationRequest> {
    return this.call('get', PLURAL, () =>
      this.custom.getNamespacedCustomObject({ ...this.rrParams(namespace), name }),
    );
  }

  listRRs(namespace: string, opts: ListOptions = {}): Promise<RRList> {
    return this.call('list', PLURAL, () =>
      this.custom.listNamespacedCustomObject({
        ...this.rrParams(namespace),
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.limit,
        _continue: opts.continueToken,
        resourceVersion: opts.resourceVersion,
      }),
    );
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
    return this.call('patch', `${PLURAL}/status`, () =>
      this.custom.patchNamespacedCustomObjectStatus({ ...this.rrParams(namespace), name, body }, mergePatch),
    );
  }

  /** Merge-patches an RR's labels (null removes one). The spec is immutable; labels are not. */
  patchRRLabels(
    namespace: string,
    name: string,
    labels: Record<string, string | null>,
  ): Promise<RemediationRequest> {
    const body = { metadata: { labels } };
    return this.call('patch', PLURAL, () =>
      this.custom.patchNamespacedCustomObject({ ...this.rrParams(namespace), name, body }, mergePatch),
    );
  }

  deleteRR(namespace: string, name: string, resourceVersion?: string): Promise<void> {
    const body = resourceVersion ? { preconditions: { resourceVersion } } : undefined;
    return this.call('delete', PLURAL, async () => {
      await this.custom.deleteNamespacedCustomObject({ ...this.rrParams(namespace), name, body });
    });
  }

  // --- Leases ----------------------------------------------------------------------------
  getLease(namespace: string, name: string): Promise<V1Lease> {
    return this.call('get', 'leases', () => this.coordination.readNamespacedLease({ namespace, name }));
  }

  createLease(namespace: string, body: V1Lease): Promise<V1Lease> {
    return this.call('create', 'leases', () => this.coordination.createNamespacedLease({ namespace, body }));
  }

  /** Replaces a lease; the body's resourceVersion makes it optimistic. */
  replaceLease(namespace: string, body: V1Lease): Promise<V1Lease> {
    const name = body.metadata?.name ?? '';
    return this.call('update', 'leases', () =>
      this.coordination.replaceNamespacedLease({ namespace, name, body }),
    );
  }

  deleteLease(namespace: string, name: string, resourceVersion?: string): Promise<void> {
    const body = resourceVersion ? { preconditions: { resourceVersion } } : undefined;
    return this.call('delete', 'leases', async () => {
      await this.coordination.deleteNamespacedLease({ namespace, name, body });
    });
  }

  listLeases(namespace: string, labelSelector?: string): Promise<V1Lease[]> {
    return this.call('list', 'leases', async () => {
      const list = await this.coordination.listNamespacedLease({ namespace, labelSelector });
      return list.items;
    });
  }

  // --- Events, namespaces, owners ----------------------------------------------------------
  createEvent(namespace: string, body: EventsV1Event): Promise<EventsV1Event> {
    return this.call('create', 'events', () => this.events.createNamespacedEvent({ namespace, body }));
  }

  readNamespace(name: string): Promise<V1Namespace> {
    return this.call('get', 'namespaces', () => this.core.readNamespace({ name }));
  }

  /** Reads the metadata (owner references) of one workload object. */
  async readOwnedMeta(kind: OwnedKind, namespace: string, name: string): Promise<V1ObjectMeta> {
    const p = { namespace, name };
    const read: Record<OwnedKind, () => Promise<{ metadata?: V1ObjectMeta }>> = {
      Pod: () => this.core.readNamespacedPod(p),
      ReplicaSet: () => this.apps.readNamespacedReplicaSet(p),
      Deployment: () => this.apps.readNamespacedDeployment(p),
      StatefulSet: () => this.apps.readNamespacedStatefulSet(p),
      DaemonSet: () => this.apps.readNamespacedDaemonSet(p),
      Job: () => this.batch.readNamespacedJob(p),
      CronJob: () => this.batch.readNamespacedCronJob(p),
    };
    const obj = await this.call('get', `${kind.toLowerCase()}s`, read[kind]);
    return obj.metadata ?? {};
  }

  // --- Authentication and authorization ---------------------------------------------------
  tokenReview(body: V1TokenReview): Promise<V1TokenReview> {
    return this.call('create', 'tokenreviews', () => this.authn.createTokenReview({ body }));
  }

  subjectAccessReview(body: V1SubjectAccessReview): Promise<V1SubjectAccessReview> {
    return this.call('create', 'subjectaccessreviews', () => this.authz.createSubjectAccessReview({ body }));
  }

  // --- Watch -----------------------------------------------------------------------------
  /** Opens a watch; `done` is called once when it ends for any reason. */
  watch(
    path: string,
    params: Record<string, string | number | boolean | undefined>,
    onEvent: (type: string, obj: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    this.metrics?.k8sApiRequests.inc({ verb: 'watch', resource: path.split('/').pop() ?? path, code: '200' });
    return this.watcher.watch(path, params, onEvent, done);
  }
}

export function rrCollectionPath(namespace: string): string {
  return `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`;
}
