import { IndexedStore, compareResourceVersions, deepFreeze, objectKey } from './store.ts';

interface Obj {
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  spec?: { fingerprint?: string; tags?: string[] };
}

const obj = (name: string, spec: Obj['spec'] = {}, rv = '1', namespace = 'ns'): Obj => ({
  metadata: { name, namespace, resourceVersion: rv },
  spec,
});

function storeWithIndexes() {
  const store = new IndexedStore<Obj>();
  store.addIndex('fingerprint', (o) => (o.spec?.fingerprint ? [o.spec.fingerprint] : []));
  store.addIndex('tag', (o) => o.spec?.tags ?? []);
  return store;
}

const names = (items: Obj[]) => items.map((o) => o.metadata.name).sort();

describe('objectKey', () => {
  it('is namespace/name, or name for cluster-scoped objects', () => {
    expect(objectKey(obj('a'))).toBe('ns/a');
    expect(objectKey({ metadata: { name: 'node-1' } })).toBe('node-1');
  });
});

describe('IndexedStore', () => {
  it('stores, replaces and deletes by key', () => {
    const store = storeWithIndexes();
    expect(store.set(obj('a', {}, '1'))).toBeUndefined();
    const old = store.get('ns/a');
    expect(store.set(obj('a', {}, '2'))).toBe(old);
    expect(store.get('ns/a')?.metadata.resourceVersion).toBe('2');
    expect(store.size).toBe(1);
    expect(store.delete('ns/a')?.metadata.resourceVersion).toBe('2');
    expect(store.delete('ns/a')).toBeUndefined();
    expect(store.size).toBe(0);
    expect(store.list()).toEqual([]);
  });

  it('keeps an index consistent across add, update and delete', () => {
    const store = storeWithIndexes();
    store.set(obj('a', { fingerprint: 'f1' }));
    store.set(obj('b', { fingerprint: 'f1' }));
    store.set(obj('c', { fingerprint: 'f2' }));
    expect(names(store.byIndex('fingerprint', 'f1'))).toEqual(['a', 'b']);

    store.set(obj('a', { fingerprint: 'f2' }, '2'));
    expect(names(store.byIndex('fingerprint', 'f1'))).toEqual(['b']);
    expect(names(store.byIndex('fingerprint', 'f2'))).toEqual(['a', 'c']);
    expect(
      store.byIndex('fingerprint', 'f2').find((o) => o.metadata.name === 'a')?.metadata.resourceVersion,
    ).toBe('2');

    store.delete('ns/b');
    expect(store.byIndex('fingerprint', 'f1')).toEqual([]);
    expect(store.indexValues('fingerprint').sort()).toEqual(['f2']); // empty buckets are dropped

    store.set(obj('c', {}, '3')); // no value any more
    expect(names(store.byIndex('fingerprint', 'f2'))).toEqual(['a']);
  });

  it('supports several values per object, counting duplicates once', () => {
    const store = storeWithIndexes();
    store.set(obj('a', { tags: ['x', 'y', 'x'] }));
    store.set(obj('b', { tags: ['y'] }));
    expect(names(store.byIndex('tag', 'x'))).toEqual(['a']);
    expect(names(store.byIndex('tag', 'y'))).toEqual(['a', 'b']);
    store.set(obj('a', { tags: ['z'] }, '2'));
    expect(store.byIndex('tag', 'x')).toEqual([]);
    expect(names(store.byIndex('tag', 'y'))).toEqual(['b']);
    expect(names(store.byIndex('tag', 'z'))).toEqual(['a']);
  });

  it('tells objects of different namespaces apart', () => {
    const store = storeWithIndexes();
    store.set(obj('a', { fingerprint: 'f' }, '1', 'ns1'));
    store.set(obj('a', { fingerprint: 'f' }, '1', 'ns2'));
    expect(store.size).toBe(2);
    expect(store.byIndex('fingerprint', 'f')).toHaveLength(2);
    store.delete('ns1/a');
    expect(store.byIndex('fingerprint', 'f')[0]?.metadata.namespace).toBe('ns2');
  });

  it('indexes objects already stored when an index is added late', () => {
    const store = new IndexedStore<Obj>();
    store.set(obj('a', { fingerprint: 'f1' }));
    store.addIndex('fingerprint', (o) => (o.spec?.fingerprint ? [o.spec.fingerprint] : []));
    expect(names(store.byIndex('fingerprint', 'f1'))).toEqual(['a']);
  });

  it('keeps a bucket right as it goes from one key to several and back', () => {
    const store = storeWithIndexes();
    store.set(obj('a', { fingerprint: 'f' }));
    store.set(obj('a', { fingerprint: 'f' }, '2')); // same value again: still one key
    expect(names(store.byIndex('fingerprint', 'f'))).toEqual(['a']);
    store.set(obj('b', { fingerprint: 'f' }));
    store.set(obj('c', { fingerprint: 'f' }));
    store.delete('ns/b');
    store.delete('ns/a');
    expect(names(store.byIndex('fingerprint', 'f'))).toEqual(['c']);
    store.set(obj('d', { fingerprint: 'f' }));
    expect(names(store.byIndex('fingerprint', 'f'))).toEqual(['c', 'd']);
    store.delete('ns/c');
    store.delete('ns/d');
    expect(store.indexValues('fingerprint')).toEqual([]);
  });

  it('rejects unknown and duplicate index names', () => {
    const store = storeWithIndexes();
    expect(() => store.byIndex('nope', 'x')).toThrow('unknown index nope');
    expect(() => store.addIndex('tag', () => [])).toThrow('already registered');
  });
});

describe('compareResourceVersions', () => {
  it('orders integer resourceVersions numerically, not lexically', () => {
    expect(compareResourceVersions('9', '10')).toBe(-1);
    expect(compareResourceVersions('10', '9')).toBe(1);
    expect(compareResourceVersions('42', '42')).toBe(0);
    expect(compareResourceVersions('123456789012345678901', '123456789012345678900')).toBe(1);
  });

  it('refuses to order anything else', () => {
    expect(compareResourceVersions('abc', '1')).toBeUndefined();
    expect(compareResourceVersions('1', undefined)).toBeUndefined();
    expect(compareResourceVersions('', '1')).toBeUndefined();
    expect(compareResourceVersions('-1', '1')).toBeUndefined();
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays', () => {
    const o = deepFreeze({ a: { b: [1, { c: 2 }] } });
    expect(Object.isFrozen(o.a)).toBe(true);
    expect(Object.isFrozen(o.a.b)).toBe(true);
    expect(Object.isFrozen(o.a.b[1])).toBe(true);
    expect(() => {
      (o.a as { b: unknown }).b = [];
    }).toThrow(TypeError);
  });

  it('leaves primitives alone', () => {
    expect(deepFreeze(5)).toBe(5);
    expect(deepFreeze(null)).toBeNull();
  });
});

describe('stripManagedFields', () => {
  it('drops managedFields without touching the input', async () => {
    const { stripManagedFields } = await import('./informer.ts');
    const obj = {
      metadata: { name: 'a', managedFields: [{ manager: 'x' }], labels: { k: 'v' } },
      spec: { n: 1 },
    };
    const out = stripManagedFields(obj);
    expect(out.metadata).toEqual({ name: 'a', labels: { k: 'v' } });
    expect(out.spec).toBe(obj.spec);
    expect(obj.metadata.managedFields).toHaveLength(1);
  });
});
