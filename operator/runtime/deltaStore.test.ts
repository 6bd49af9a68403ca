import { DeltaStore } from './deltaStore.ts';
import type { Delta } from './deltaStore.ts';
import { LocalWrites } from './localWrites.ts';

interface Obj {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: { fp: string; n?: number };
}

const obj = (name: string, rv: string | undefined, fp = 'f', n = 0): Obj => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv },
  spec: { fp, n },
});

const summary = (deltas: (Delta<Obj> | undefined)[]) =>
  deltas.map((d) =>
    d === undefined
      ? 'none'
      : d.type === 'update'
        ? `update ${d.obj.metadata.name} ${d.old.metadata.resourceVersion}->${d.obj.metadata.resourceVersion}`
        : `${d.type} ${d.obj.metadata.name}@${d.obj.metadata.resourceVersion}`,
  );

function newStore(now = () => 0) {
  const s = new DeltaStore<Obj>({ now });
  s.addIndex('fp', (o) => [o.spec.fp]);
  return s;
}

describe('DeltaStore: list snapshots', () => {
  it('adds, updates and deletes against the previous contents', () => {
    const s = newStore();
    expect(summary(s.applyList([obj('a', '1'), obj('b', '2')], '2'))).toEqual(['add a@1', 'add b@2']);
    const deltas = s.applyList([obj('a', '1'), obj('b', '5', 'g'), obj('c', '6')], '6');
    expect(summary(deltas)).toEqual(['update b 2->5', 'add c@6']);
    expect(s.byIndex('fp', 'g').map((o) => o.metadata.name)).toEqual(['b']);
    expect(summary(s.applyList([obj('c', '6')], '9'))).toEqual(['delete a@1', 'delete b@5']);
    expect(s.keys()).toEqual(['ns/c']);
    expect(s.byIndex('fp', 'g')).toEqual([]);
  });

  it('emits nothing for an unchanged relist', () => {
    const s = newStore();
    s.applyList([obj('a', '1'), obj('b', '2')], '2');
    expect(s.applyList([obj('b', '2'), obj('a', '1')], '3')).toEqual([]);
  });
});

describe('DeltaStore: watch events', () => {
  it('applies ADDED, MODIFIED and DELETED and keeps indexes right', () => {
    const s = newStore();
    const out = [
      s.applyUpsert(obj('a', '1', 'f')),
      s.applyUpsert(obj('a', '2', 'g')),
      s.applyUpsert(obj('a', '2', 'g')), // the same version again: nothing
      s.applyDelete(obj('a', '3', 'g')),
      s.applyDelete(obj('a', '4', 'g')), // already gone
    ];
    expect(summary(out)).toEqual(['add a@1', 'update a 1->2', 'none', 'delete a@3', 'none']);
    expect(s.byIndex('fp', 'f')).toEqual([]);
    expect(s.byIndex('fp', 'g')).toEqual([]);
  });

  it('treats a different resourceVersion as a replacement without ordering it', () => {
    const s = newStore();
    s.applyUpsert(obj('a', 'x-2'));
    expect(summary([s.applyUpsert(obj('a', 'x-1'))])).toEqual(['update a x-2->x-1']);
  });

  it('deep-freezes what it stores', () => {
    const s = newStore();
    const d = s.applyUpsert(obj('a', '1'));
    expect(Object.isFrozen(d?.obj.spec)).toBe(true);
    expect(() => {
      (s.get('ns/a') as Obj).spec.n = 5;
    }).toThrow(TypeError);
  });

  it('can be told not to freeze', () => {
    const s = new DeltaStore<Obj>({ freeze: false });
    s.applyUpsert(obj('a', '1'));
    expect(Object.isFrozen(s.get('ns/a'))).toBe(false);
  });
});

describe('DeltaStore: local writes (read-your-writes)', () => {
  it('takes an absent object, and a newer integer version, but never an older or equal one', () => {
    const s = newStore();
    expect(summary([s.upsertLocal(obj('a', '10'))])).toEqual(['add a@10']);
    expect(s.upsertLocal(obj('a', '10'))).toBeUndefined();
    expect(s.upsertLocal(obj('a', '9'))).toBeUndefined();
    expect(summary([s.upsertLocal(obj('a', '11', 'f', 1))])).toEqual(['update a 10->11']);
  });

  it('trusts the caller when versions cannot be ordered', () => {
    const s = newStore();
    s.applyUpsert(obj('a', 'opaque-1'));
    expect(summary([s.upsertLocal(obj('a', 'opaque-0'))])).toEqual(['update a opaque-1->opaque-0']);
  });

  it('copies before freezing, so the caller keeps a writable object', () => {
    const s = newStore();
    const mine = obj('a', '1');
    s.upsertLocal(mine);
    mine.spec.n = 99;
    expect(s.get('ns/a')?.spec.n).toBe(0);
    expect(Object.isFrozen(s.get('ns/a'))).toBe(true);
  });

  it('ignores a stale watch event older than an unconfirmed local write, then follows the watch again', () => {
    const s = newStore();
    s.applyUpsert(obj('a', '5'));
    s.upsertLocal(obj('a', '8', 'f', 8));
    expect(s.applyUpsert(obj('a', '6', 'f', 6))).toBeUndefined(); // written before ours
    expect(s.get('ns/a')?.spec.n).toBe(8);
    expect(s.applyUpsert(obj('a', '8', 'f', 8))).toBeUndefined(); // ours arrives: confirmed, no event
    expect(summary([s.applyUpsert(obj('a', '9'))])).toEqual(['update a 8->9']);
  });

  it('does not let a late local write resurrect an object the watch deleted', () => {
    const s = newStore();
    s.applyUpsert(obj('a', '5'));
    s.applyDelete(obj('a', '7'));
    expect(s.upsertLocal(obj('a', '6'))).toBeUndefined();
    expect(s.get('ns/a')).toBeUndefined();
    expect(summary([s.upsertLocal(obj('a', '20'))])).toEqual(['add a@20']); // re-created later
  });

  it('keeps a local write newer than a relist snapshot, and drops an older one', () => {
    const s = newStore();
    s.applyList([obj('a', '1')], '1');
    s.upsertLocal(obj('new', '12'));
    s.upsertLocal(obj('old', '4'));
    s.upsertLocal(obj('a', '11', 'f', 11));
    const deltas = s.applyList([obj('a', '3')], '10');
    expect(summary(deltas)).toEqual(['delete old@4']);
    expect(s.get('ns/new')?.metadata.resourceVersion).toBe('12');
    expect(s.get('ns/a')?.metadata.resourceVersion).toBe('11');
    expect(s.upsertLocal(obj('old', '9'))).toBeUndefined(); // deleted at or before 10
  });
});

describe('DeltaStore.holdsAtLeast', () => {
  it('is true for the same or a provably newer cached version only', () => {
    const s = newStore();
    expect(s.holdsAtLeast(obj('a', '5'))).toBe(false);
    s.applyUpsert(obj('a', '5'));
    expect(s.holdsAtLeast(obj('a', '5'))).toBe(true);
    expect(s.holdsAtLeast(obj('a', '4'))).toBe(true);
    expect(s.holdsAtLeast(obj('a', '6'))).toBe(false);
    expect(s.holdsAtLeast(obj('a', 'opaque'))).toBe(false);
  });
});

describe('LocalWrites', () => {
  it('forgets tombstones after their time to live', () => {
    let now = 0;
    const lw = new LocalWrites({ tombstoneTtlMs: 1000, now: () => now });
    lw.noteDeleted('ns/a', '7');
    expect(lw.acceptLocal('ns/a', undefined, false, '6')).toBe(false);
    expect(lw.acceptLocal('ns/a', undefined, false, 'opaque')).toBe(false);
    now = 1001;
    expect(lw.acceptLocal('ns/a', undefined, false, '6')).toBe(true);
    expect(lw.pending()).toEqual({ written: 0, tombstones: 0 });
  });

  it('confirms a local write once the watch reaches or passes it', () => {
    const lw = new LocalWrites();
    lw.noteLocal('k', '10');
    expect(lw.acceptRemote('k', '9')).toBe(false);
    expect(lw.pending().written).toBe(1);
    expect(lw.acceptRemote('k', '12')).toBe(true);
    expect(lw.pending().written).toBe(0);
    expect(lw.acceptRemote('k', '1')).toBe(true); // nothing local any more: the watch rules
  });

  it('accepts opaque remote versions, since they cannot be ordered', () => {
    const lw = new LocalWrites();
    lw.noteLocal('k', '10');
    expect(lw.acceptRemote('k', 'abc')).toBe(true);
  });
});
