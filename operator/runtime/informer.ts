// A resilient list-then-watch informer over one collection (client-go's reflector + indexer,
// reduced to what this operator needs). It lists the collection in pages, then watches from the
// list's resourceVersion; a watch that ends cleanly is resumed from the last resourceVersion
// seen (events and BOOKMARKs), a 410 Gone (HTTP status or ERROR event) triggers a full relist,
// and any other failure is retried with capped exponential backoff. A watchdog restarts a watch
// that has gone silent. Cached objects are shared (and frozen under tests): callers must never
// mutate them.
import type { KubeClient, ListOptions } from '../kube/client.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { AbortedError, INFORMER_BACKOFF, backoffDelay, raceAbort, sleep } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import { DeltaStore } from './deltaStore.ts';
import type { Delta } from './deltaStore.ts';
import { fieldMatcher, labelMatcher, namespaceOfPath } from './selector.ts';
import type { IndexFn, KubeObject } from './store.ts';
import { isGoneError, runWatch, watchErrorOutcome } from './watchStream.ts';
import type { WatchOutcome, WatchParams } from './watchStream.ts';

export interface ListPage<T> {
  items: T[];
  /** Raw lists carry `continue`; client-node's typed lists rename it `_continue`. */
  metadata?: { resourceVersion?: string; continue?: string; _continue?: string };
}

export type ListFn<T> = (opts: ListOptions) => Promise<ListPage<T>>;

export interface InformerOptions<T> {
  /** Names the collection in logs and in the informer_synced{resource} gauge. */
  resource: string;
  /** Collection path to watch, e.g. rrCollectionPath(namespace). */
  path: string;
  /** Lists the same collection (one page per call). */
  list: ListFn<T>;
  watcher: Pick<KubeClient, 'watch'>;
  labelSelector?: string;
  fieldSelector?: string;
  /** List page size (default 500). */
  pageSize?: number;
  /** Server-side watch timeout; a random 0-5 s is added (default 20, keep the sum under 30). */
  watchTimeoutSeconds?: number;
  /** Restart a watch that delivered nothing and did not end for this long (default 90 s). */
  watchdogMs?: number;
  backoff?: BackoffPolicy;
  /** Deep-freeze cached objects (default: under the test tiers only, see deltaStore.ts). */
  freeze?: boolean;
  /**
   * Applied to every object before it is cached (listed, watched or written locally), e.g. to drop
   * fields nobody reads. Default: strip metadata.managedFields, often the largest part of an object.
   */
  transform?: (obj: T) => T;
  logger?: Logger;
  metrics?: Metrics;
}

const MIN_HEALTHY_WATCH_MS = 1000;

/** Drops metadata.managedFields (server-side apply bookkeeping) without touching the input. */
export function stripManagedFields<T extends KubeObject>(obj: T): T {
  const meta = obj.metadata as (KubeObject['metadata'] & { managedFields?: unknown }) | undefined;
  if (!meta?.managedFields) return obj;
  const { managedFields: _dropped, ...rest } = meta;
  return { ...obj, metadata: rest };
}

export class Informer<T extends KubeObject> {
  private readonly opts: InformerOptions<T>;
  private readonly store: DeltaStore<T>;
  private readonly log: Logger | undefined;
  private readonly handlers = {
    add: new Set<(obj: T) => void>(),
    update: new Set<(old: T, obj: T) => void>(),
    delete: new Set<(obj: T) => void>(),
  };
  /** Whether an object is one this informer's list and watch would deliver. */
  private readonly inScope: (obj: T) => boolean;
  private readonly stopper = new AbortController();
  private readonly syncWaiters = new Set<() => void>();
  private resourceVersion: string | undefined;
  private synced = false;
  private running: Promise<void> | undefined;

  constructor(options: InformerOptions<T>) {
    this.opts = options;
    this.store = new DeltaStore<T>({ freeze: options.freeze });
    this.log = options.logger?.child({ component: 'informer', resource: options.resource });
    const labels = labelMatcher(options.labelSelector);
    const fields = fieldMatcher(options.fieldSelector);
    const namespace = namespaceOfPath(options.path);
    this.inScope = (obj) =>
      (namespace === undefined || obj.metadata?.namespace === namespace) && labels(obj) && fields(obj);
    options.metrics?.informerSynced.set({ resource: options.resource }, 0);
  }

  // --- cache reads --------------------------------------------------------------------------
  /** Registers a secondary index; do this before start(). */
  addIndex(name: string, fn: IndexFn<T>): void {
    this.store.addIndex(name, fn);
  }
  /** The cached object with key `namespace/name` (or `name` when cluster-scoped). */
  get(key: string): T | undefined {
    return this.store.get(key);
  }
  list(): T[] {
    return this.store.list();
  }
  byIndex(name: string, value: string): T[] {
    return this.store.byIndex(name, value);
  }

  // --- events -------------------------------------------------------------------------------
  // Handlers run synchronously, after the store reflects the change; they must be quick (enqueue
  // a key) and must not mutate objects. Objects already cached are not replayed to a handler
  // registered late: use list(). Each returns an unsubscribe function.
  onAdd(fn: (obj: T) => void): () => void {
    this.handlers.add.add(fn);
    return () => this.handlers.add.delete(fn);
  }
  onUpdate(fn: (oldObj: T, newObj: T) => void): () => void {
    this.handlers.update.add(fn);
    return () => this.handlers.update.delete(fn);
  }
  onDelete(fn: (obj: T) => void): () => void {
    this.handlers.delete.add(fn);
    return () => this.handlers.delete.delete(fn);
  }

  /**
   * Puts an object this process has just created or updated into the cache before the watch
   * delivers it (read-your-writes). Accepted when the key is absent (and not deleted recently),
   * or when its resourceVersion differs from the cached one and is newer: compared as integers
   * when both parse as integers, else trusted. Fires onAdd/onUpdate like a watch event; the
   * watch's later delivery of the same version is then a no-op. An object outside this
   * informer's namespace or selectors is refused (the watch would never update or delete it),
   * and a provably older cached version of it is removed, as the watch will report. Returns true
   * when the cache now holds this version or a provably newer one (also when the watch was
   * faster), false when the write was refused.
   */
  upsertLocal(obj: T): boolean {
    if (!this.inScope(obj)) {
      const left = this.store.leaveLocal(obj);
      if (left) this.emit([left]);
      return false;
    }
    const delta = this.store.upsertLocal(this.transform(obj));
    if (delta) this.emit([delta]);
    return delta !== undefined || this.store.holdsAtLeast(obj);
  }

  /**
   * Removes an object this process has learnt is deleted (the API server answered 404) before
   * the watch reports it. Fires onDelete like a watch event; the tombstone carries the cached
   * resourceVersion, so only a provably newer version (a re-creation) can enter again.
   */
  deleteLocal(key: string): void {
    const cached = this.store.get(key);
    if (!cached) return;
    const delta = this.store.applyDelete(cached);
    if (delta) this.emit([delta]);
  }

  // --- lifecycle ----------------------------------------------------------------------------
  hasSynced(): boolean {
    return this.synced;
  }

  /**
   * Starts listing and watching in the background. The promise resolves true once first synced,
   * or false if stop() comes first; it never rejects, and failures are retried for ever.
   */
  start(): Promise<boolean> {
    this.running ??= this.run().catch((err: unknown) => {
      this.log?.error('informer loop crashed', { err });
    });
    return this.waitForSync();
  }

  /** Resolves true when synced; false on timeout, on abort of `signal`, or when the informer stops. */
  waitForSync(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    const signals = [this.stopper.signal];
    if (options.signal) signals.push(options.signal);
    if (options.timeoutMs !== undefined) signals.push(AbortSignal.timeout(options.timeoutMs));
    const signal = AbortSignal.any(signals);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (ok: boolean) => {
        this.syncWaiters.delete(onSync);
        signal.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      const onSync = () => finish(true);
      const onAbort = () => finish(false);
      this.syncWaiters.add(onSync);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Aborts the watch and any retry; resolves once the loop has ended. Not restartable. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.running;
    this.setSynced(false);
  }

  // --- list and watch loop ------------------------------------------------------------------
  private async run(): Promise<void> {
    const stop = this.stopper.signal;
    let failures = 0;
    let needList = true;
    while (!stop.aborted) {
      let outcome: WatchOutcome;
      let healthy = false;
      try {
        if (needList) {
          this.setSynced(false);
          await this.relist();
          needList = false;
        }
        const started = Date.now();
        const watched = await runWatch({
          watcher: this.opts.watcher,
          path: this.opts.path,
          params: this.watchParams(),
          watchdogMs: this.opts.watchdogMs ?? 90_000,
          signal: stop,
          onEvent: (type, obj) => this.handleEvent(type, obj),
          onStarted: () => this.setSynced(true), // listed, and the watch answered 200
        });
        outcome = watched.outcome;
        healthy = watched.events > 0 || Date.now() - started >= MIN_HEALTHY_WATCH_MS;
      } catch (err) {
        outcome =
          err instanceof AbortedError
            ? { kind: 'stopped' }
            : { kind: isGoneError(err) ? 'gone' : 'error', err };
      }
      if (outcome.kind === 'stopped' || stop.aborted) break;
      if (outcome.kind === 'gone') needList = true;
      if (outcome.kind === 'ended' && healthy) {
        failures = 0;
        continue;
      }
      if (outcome.kind === 'gone') {
        this.log?.info('resourceVersion expired (410 Gone); relisting', { err: String(outcome.err) });
      } else if (outcome.kind === 'error') {
        this.log?.warn('list/watch failed; retrying', { err: String(outcome.err), failures });
      } else {
        this.log?.warn('watch restarted', {
          reason: outcome.kind === 'watchdog' ? 'watchdog' : 'short watch',
        });
      }
      if (healthy) failures = 0;
      await sleep(backoffDelay(failures++, this.opts.backoff ?? INFORMER_BACKOFF), stop);
    }
  }

  private async relist(): Promise<void> {
    const items: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion: string | undefined;
    do {
      const page = await raceAbort(
        this.opts.list({
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
          limit: this.opts.pageSize ?? 500,
          continueToken,
        }),
        this.stopper.signal,
      );
      for (const item of page.items) items.push(this.transform(item));
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      continueToken = page.metadata?.continue || page.metadata?._continue || undefined;
    } while (continueToken);
    this.resourceVersion = resourceVersion;
    this.emit(this.store.applyList(items, resourceVersion));
    this.log?.info('listed', { count: items.length, resourceVersion });
  }

  private watchParams(): WatchParams {
    const base = this.opts.watchTimeoutSeconds ?? 20;
    return {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: base + Math.floor(Math.random() * 6),
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
    };
  }

  private transform(obj: T): T {
    return (this.opts.transform ?? stripManagedFields)(obj);
  }

  /** Applies one watch event; returns an outcome when the event ends the watch (ERROR). */
  private handleEvent(type: string, obj: unknown): WatchOutcome | undefined {
    if (type === 'ERROR') return watchErrorOutcome(obj);
    const item = obj as T;
    const rv = item?.metadata?.resourceVersion;
    if (type === 'ADDED' || type === 'MODIFIED') {
      const delta = this.store.applyUpsert(this.transform(item));
      if (delta) this.emit([delta]);
    } else if (type === 'DELETED') {
      const delta = this.store.applyDelete(item);
      if (delta) this.emit([delta]);
    } else if (type !== 'BOOKMARK') {
      return undefined; // unknown event types are ignored
    }
    if (rv) this.resourceVersion = rv;
    return undefined;
  }

  private emit(deltas: readonly Delta<T>[]): void {
    for (const d of deltas) {
      switch (d.type) {
        case 'add':
          for (const fn of this.handlers.add) this.safely(d.type, () => fn(d.obj));
          break;
        case 'update':
          for (const fn of this.handlers.update) this.safely(d.type, () => fn(d.old, d.obj));
          break;
        case 'delete':
          for (const fn of this.handlers.delete) this.safely(d.type, () => fn(d.obj));
      }
    }
  }

  /** A throwing handler is logged and skipped; it must not stop the other handlers or the watch. */
  private safely(type: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.log?.error('informer event handler failed', { type, err });
    }
  }

  private setSynced(value: boolean): void {
    if (this.synced === value) return;
    this.synced = value;
    this.opts.metrics?.informerSynced.set({ resource: this.opts.resource }, value ? 1 : 0);
    if (value) for (const wake of [...this.syncWaiters]) wake();
  }
}
