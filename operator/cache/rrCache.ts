// The one cache of RemediationRequests, shared by the intake and the controllers: an informer
// restricted to the operator's namespace and label, indexed by fingerprint and by storm group
// (target namespace + signal name). Nothing else holds Kubernetes state in memory. It holds a
// projection of each RR (projection.ts): readers get CachedRR, and GET what it lacks.
import { LABEL_MANAGED_BY, MANAGED_BY } from '../api/types.ts';
import { isActive } from '../api/phase.ts';
import { rrCollectionPath } from '../kube/client.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { LRUCache } from 'lru-cache';
import { Informer } from '../runtime/informer.ts';
import { compareResourceVersions } from '../runtime/store.ts';
import { VersionWaiters } from './versionWaiters.ts';
import { projectRR } from './projection.ts';
import type { CachedRR } from './projection.ts';

export type { CachedRR } from './projection.ts';

const BY_FINGERPRINT = 'fingerprint';
const BY_GROUP = 'group';

export function stormGroupKey(targetNamespace: string | undefined, signalName: string): string {
  return `${targetNamespace ?? ''}/${signalName}`;
}

export function groupKeyOf(rr: CachedRR): string {
  return stormGroupKey(rr.spec.targetResource.namespace, rr.spec.signalName);
}

export class RRCache {
  readonly informer: Informer<CachedRR>;
  readonly namespace: string;
  private readonly waiters = new VersionWaiters();
  /** Names of RRs this cache saw deleted (bounded): an RR that existed, even if it is gone now. */
  private readonly deleted = new LRUCache<string, true>({ max: 10_000 });

  constructor(kube: KubeClient, namespace: string, opts: { logger?: Logger; metrics?: Metrics } = {}) {
    this.namespace = namespace;
    this.informer = new Informer<CachedRR>({
      resource: 'remediationrequests',
      path: rrCollectionPath(namespace),
      list: (o) => kube.listRRs(namespace, o),
      watcher: kube,
      labelSelector: `${LABEL_MANAGED_BY}=${MANAGED_BY}`,
      transform: projectRR,
      // A page is parsed whole before it is projected: 100 full RRs (~0.5 MB parsed) die young in
      // the chart's 2 MB semi-space, 500 did not and grew the old space (-8 MB RSS at 10k RRs).
      pageSize: 100,
      logger: opts.logger,
      metrics: opts.metrics,
    });
    this.informer.addIndex(BY_FINGERPRINT, (rr) => [rr.spec.signalFingerprint]);
    this.informer.addIndex(BY_GROUP, (rr) => [groupKeyOf(rr)]);
    this.informer.onAdd((rr) => this.waiters.stored(rr));
    this.informer.onUpdate((_old, rr) => this.waiters.stored(rr));
    this.informer.onDelete((rr) => {
      this.deleted.set(rr.metadata.name, true);
      this.waiters.dropped(rr.metadata.name);
    });
  }

  /** Whether RR `name` exists in the cache or was seen deleted (so it was created at some point). */
  seen(name: string): boolean {
    return this.get(name) !== undefined || this.deleted.has(name);
  }

  /**
   * The first version of RR `name` newer than `resourceVersion` that reaches this cache (watch or
   * local write), or undefined when none comes within `timeoutMs` or the RR leaves the cache.
   */
  async newerThan(
    name: string,
    resourceVersion: string | undefined,
    timeoutMs: number,
  ): Promise<CachedRR | undefined> {
    const cached = this.get(name);
    const cmp = compareResourceVersions(cached?.metadata.resourceVersion, resourceVersion);
    if (cached && cmp !== undefined && cmp > 0) return cached;
    return this.waiters.newerThan(name, resourceVersion, timeoutMs);
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

  get(name: string): CachedRR | undefined {
    return this.informer.get(`${this.namespace}/${name}`);
  }

  list(): CachedRR[] {
    return this.informer.list();
  }

  /** The active RR for a fingerprint; the oldest one if (against the rules) there are several. */
  activeByFingerprint(fingerprint: string): CachedRR | undefined {
    const active = this.informer.byIndex(BY_FINGERPRINT, fingerprint).filter(isActive);
    return active.sort(byCreation)[0];
  }

  /** Every cached RR of a fingerprint, active or not. */
  byFingerprint(fingerprint: string): CachedRR[] {
    return this.informer.byIndex(BY_FINGERPRINT, fingerprint);
  }

  /** All cached RRs of one storm group, oldest first. */
  byGroup(groupKey: string): CachedRR[] {
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
  recordLocal(rr: CachedRR): void {
    this.informer.upsertLocal(rr);
  }
}

function creationMs(rr: CachedRR): number {
  return Date.parse(rr.metadata.creationTimestamp ?? '') || 0;
}

function byCreation(a: CachedRR, b: CachedRR): number {
  return creationMs(a) - creationMs(b) || a.metadata.name.localeCompare(b.metadata.name);
}

export { creationMs };
