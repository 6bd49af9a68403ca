// The one cache of RemediationRequests, shared by the intake and the controllers: an informer
// restricted to the operator's namespace and label, indexed by fingerprint and by storm group
// (target namespace + signal name). Nothing else holds Kubernetes state in memory.
import { LABEL_MANAGED_BY, MANAGED_BY } from '../api/types.ts';
import type { RemediationRequest } from '../api/types.ts';
import { isActive } from '../api/phase.ts';
import { rrCollectionPath } from '../kube/client.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { Informer } from '../runtime/informer.ts';

const BY_FINGERPRINT = 'fingerprint';
const BY_GROUP = 'group';

export function stormGroupKey(targetNamespace: string | undefined, signalName: string): string {
  return `${targetNamespace ?? ''}/${signalName}`;
}

export function groupKeyOf(rr: RemediationRequest): string {
  return stormGroupKey(rr.spec.targetResource.namespace, rr.spec.signalName);
}

export class RRCache {
  readonly informer: Informer<RemediationRequest>;
  readonly namespace: string;

  constructor(kube: KubeClient, namespace: string, opts: { logger?: Logger; metrics?: Metrics } = {}) {
    this.namespace = namespace;
    this.informer = new Informer<RemediationRequest>({
      resource: 'remediationrequests',
      path: rrCollectionPath(namespace),
      list: (o) => kube.listRRs(namespace, o),
      watcher: kube,
      labelSelector: `${LABEL_MANAGED_BY}=${MANAGED_BY}`,
      logger: opts.logger,
      metrics: opts.metrics,
    });
    this.informer.addIndex(BY_FINGERPRINT, (rr) => [rr.spec.signalFingerprint]);
    this.informer.addIndex(BY_GROUP, (rr) => [groupKeyOf(rr)]);
  }

  start(): Promise<boolean> {
    return this.informer.start();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  hasSynced(): boolean {
    return this.informer.hasSynced();
  }

  get(name: string): RemediationRequest | undefined {
    return this.informer.get(`${this.namespace}/${name}`);
  }

  list(): RemediationRequest[] {
    return this.informer.list();
  }

  /** The active RR for a fingerprint; the oldest one if (against the rules) there are several. */
  activeByFingerprint(fingerprint: string): RemediationRequest | undefined {
    const active = this.informer.byIndex(BY_FINGERPRINT, fingerprint).filter(isActive);
    return active.sort(byCreation)[0];
  }

  /** Every cached RR of a fingerprint, active or not. */
  byFingerprint(fingerprint: string): RemediationRequest[] {
    return this.informer.byIndex(BY_FINGERPRINT, fingerprint);
  }

  /** All cached RRs of one storm group, oldest first. */
  byGroup(groupKey: string): RemediationRequest[] {
    return this.informer.byIndex(BY_GROUP, groupKey).sort(byCreation);
  }

  /**
   * Drops an RR the API server has just reported gone (404) before the watch says so, so the
   * intake stops offering it. A later watch or local write of a newer version brings it back.
   */
  forget(name: string): void {
    this.informer.deleteLocal(`${this.namespace}/${name}`);
  }

  /** Makes an object this process just wrote visible before its watch event arrives. */
  recordLocal(rr: RemediationRequest): void {
    this.informer.upsertLocal(rr);
  }
}

function creationMs(rr: RemediationRequest): number {
  return Date.parse(rr.metadata.creationTimestamp ?? '') || 0;
}

function byCreation(a: RemediationRequest, b: RemediationRequest): number {
  return creationMs(a) - creationMs(b) || a.metadata.name.localeCompare(b.metadata.name);
}

export { creationMs };
