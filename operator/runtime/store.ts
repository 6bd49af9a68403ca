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

/** The keys of the objects carrying one index value: just the key while there is one (most). */
type Bucket = string | Set<string>;

interface Index<T> {
  fn: IndexFn<T>;
  buckets: Map<string, Bucket>;
}

/**
 * Index functions must be pure functions of the object: an object is unindexed by the values its
 * stored version yields now (stored objects are never mutated), which keeps no per-object record.
 */
export class IndexedStore<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indices = new Map<string, Index<T>>();

  /** Registers an index; objects already stored are indexed at once. Names must be unique. */
  addIndex(name: string, fn: IndexFn<T>): void {
    if (this.indices.has(name)) throw new Error(`index ${name} already registered`);
    const index: Index<T> = { fn, buckets: new Map() };
    this.indices.set(name, index);
    for (const [key, obj] of this.items) for (const value of fn(obj)) add(index, value, key);
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
    const bucket = index.buckets.get(value);
    const out: T[] = [];
    if (bucket === undefined) return out;
    for (const key of typeof bucket === 'string' ? [bucket] : bucket) {
      const obj = this.items.get(key);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  /** Index values currently known for `name` (for diagnostics and tests). */
  indexValues(name: string): string[] {
    return [...(this.indices.get(name)?.buckets.keys() ?? [])];
  }

  /** Stores `obj` under its key, replacing any previous version; returns the previous version. */
  set(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const index of this.indices.values()) {
      const before = old === undefined ? [] : index.fn(old);
      const after = index.fn(obj);
      for (const value of before) if (!after.includes(value)) remove(index, value, key);
      for (const value of after) add(index, value, key);
    }
    return old;
  }

  /** Removes the object stored under `key`; returns it. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    for (const index of this.indices.values()) for (const value of index.fn(old)) remove(index, value, key);
    this.items.delete(key);
    return old;
  }
}

function add<T>(index: Index<T>, value: string, key: string): void {
  const bucket = index.buckets.get(value);
  if (bucket === undefined) index.buckets.set(value, key);
  else if (typeof bucket !== 'string') bucket.add(key);
  else if (bucket !== key) index.buckets.set(value, new Set([bucket, key]));
}

function remove<T>(index: Index<T>, value: string, key: string): void {
  const bucket = index.buckets.get(value);
  if (bucket === undefined) return;
  if (typeof bucket === 'string') {
    if (bucket === key) index.buckets.delete(value);
    return;
  }
  bucket.delete(key);
  if (bucket.size === 1) index.buckets.set(value, bucket.values().next().value!);
  else if (bucket.size === 0) index.buckets.delete(value);
}
