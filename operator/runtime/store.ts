// The informer's in-memory store: objects keyed by `namespace/name`, plus named secondary indexes
// that stay consistent on every set and delete. Pure: no Kubernetes calls, no events.

/** The part of an object's metadata the runtime relies on. */
export interface ObjectMetaLike {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
}

export interface KubeObject {
  metadata?: ObjectMetaLike;
}

/** Returns the index values of one object (none, one or several). */
export type IndexFn<T> = (obj: T) => readonly string[];

/** `namespace/name` for namespaced objects, `name` for cluster-scoped ones. */
export function objectKey(obj: KubeObject): string {
  const name = obj.metadata?.name ?? '';
  const namespace = obj.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

export function resourceVersionOf(obj: KubeObject | undefined): string | undefined {
  return obj?.metadata?.resourceVersion;
}

/**
 * Orders two resourceVersions when both are decimal integers (etcd revisions, what every real
 * apiserver hands out); returns undefined when they cannot be ordered. Kubernetes calls RVs
 * opaque, so callers must treat undefined as "unknown", never as "equal".
 */
export function compareResourceVersions(a: string | undefined, b: string | undefined): number | undefined {
  if (a === undefined || b === undefined || !/^\d{1,30}$/.test(a) || !/^\d{1,30}$/.test(b)) return undefined;
  const x = BigInt(a);
  const y = BigInt(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Freezes an object graph in place so that an accidental write throws instead of corrupting the cache. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}

export class IndexedStore<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFn<T>>();
  /** index name -> index value -> keys of the objects carrying that value */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  /** key -> index name -> the values the object was indexed under */
  private readonly valuesByKey = new Map<string, Map<string, string[]>>();

  /** Registers an index; objects already stored are indexed at once. Names must be unique. */
  addIndex(name: string, fn: IndexFn<T>): void {
    if (this.indexers.has(name)) throw new Error(`index ${name} already registered`);
    this.indexers.set(name, fn);
    this.indices.set(name, new Map());
    for (const [key, obj] of this.items) this.indexOne(name, fn, key, obj);
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  list(): T[] {
    return [...this.items.values()];
  }

  /** Objects whose index function returned `value`; throws for an index never registered. */
  byIndex(name: string, value: string): T[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`unknown index ${name}`);
    const out: T[] = [];
    for (const key of index.get(value) ?? []) {
      const obj = this.items.get(key);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  /** Index values currently known for `name` (for diagnostics and tests). */
  indexValues(name: string): string[] {
    return [...(this.indices.get(name)?.keys() ?? [])];
  }

  /** Stores `obj` under its key, replacing any previous version; returns the previous version. */
  set(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old !== undefined) this.unindex(key);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) this.indexOne(name, fn, key, obj);
    return old;
  }

  /** Removes the object stored under `key`; returns it. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.unindex(key);
    this.items.delete(key);
    return old;
  }

  private indexOne(name: string, fn: IndexFn<T>, key: string, obj: T): void {
    const index = this.indices.get(name);
    if (!index) return;
    const values = [...new Set(fn(obj))];
    for (const value of values) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
    let byIndex = this.valuesByKey.get(key);
    if (!byIndex) this.valuesByKey.set(key, (byIndex = new Map()));
    byIndex.set(name, values);
  }

  /** Uses the values recorded at indexing time, so an index function need not be deterministic. */
  private unindex(key: string): void {
    for (const [name, values] of this.valuesByKey.get(key) ?? []) {
      const index = this.indices.get(name);
      for (const value of values) {
        const keys = index?.get(value);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index?.delete(value);
      }
    }
    this.valuesByKey.delete(key);
  }
}
