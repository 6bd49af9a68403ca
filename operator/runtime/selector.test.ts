// Local writes honour the informer's scope: an object its list and watch would not deliver never
// enters the cache (it would stay there for ever, stale), and one a write took out of scope leaves.
import type { KubeClient } from '../kube/client.ts';
import { Informer } from './informer.ts';
import { fieldMatcher, labelMatcher, namespaceOfPath } from './selector.ts';
import type { KubeObject } from './store.ts';

const obj = (name: string, rv: string, labels?: Record<string, string>, namespace = 'ops'): KubeObject =>
  ({ metadata: { name, namespace, resourceVersion: rv, labels } }) as KubeObject;

describe('label and field selectors', () => {
  it.each([
    ['a=b', { a: 'b' }, true],
    ['a==b', { a: 'c' }, false],
    ['a!=b', {}, true],
    ['a!=b', { a: 'b' }, false],
    ['a in (x, y),b', { a: 'y', b: '' }, true],
    ['a in (x,y)', {}, false],
    ['a notin (x)', {}, true],
    ['a notin (x)', { a: 'x' }, false],
    ['!a', { b: '1' }, true],
    ['a,!b', { a: '1', b: '1' }, false],
    ['', { any: 'thing' }, true],
  ])('%s against %j is %s', (selector, labels, expected) => {
    expect(labelMatcher(selector)(obj('x', '1', labels))).toBe(expected);
  });

  it('judges metadata.name/namespace fields locally and nothing else', () => {
    expect(fieldMatcher('metadata.name=x')(obj('x', '1'))).toBe(true);
    expect(fieldMatcher('metadata.namespace!=ops')(obj('x', '1'))).toBe(false);
    expect(fieldMatcher('spec.signalFingerprint=abc')(obj('x', '1'))).toBe(false);
    expect(namespaceOfPath('/apis/kubernaut.ai/v1alpha1/namespaces/ops/remediationrequests')).toBe('ops');
    expect(namespaceOfPath('/api/v1/namespaces')).toBeUndefined();
  });
});

describe('Informer.upsertLocal scope', () => {
  const informer = () =>
    new Informer<KubeObject>({
      resource: 'things',
      path: '/apis/example.io/v1/namespaces/ops/things',
      list: () => Promise.resolve({ items: [] }),
      watcher: { watch: () => Promise.reject(new Error('not started')) } as unknown as Pick<
        KubeClient,
        'watch'
      >,
      labelSelector: 'app.kubernetes.io/managed-by=kubernaut-intake',
    });
  const ours = { 'app.kubernetes.io/managed-by': 'kubernaut-intake' };

  it('refuses an object outside the label selector or the namespace', () => {
    const inf = informer();
    expect(inf.upsertLocal(obj('foreign', '5', { 'app.kubernetes.io/managed-by': 'someone-else' }))).toBe(
      false,
    );
    expect(inf.upsertLocal(obj('unlabelled', '6'))).toBe(false);
    expect(inf.upsertLocal(obj('elsewhere', '7', ours, 'other-ns'))).toBe(false);
    expect(inf.list()).toEqual([]);
    expect(inf.upsertLocal(obj('mine', '8', ours))).toBe(true);
    expect(inf.list().map((o) => o.metadata?.name)).toEqual(['mine']);
  });

  it('drops a cached object that a newer local write took out of scope', () => {
    const inf = informer();
    const deleted: string[] = [];
    inf.onDelete((o) => deleted.push(o.metadata!.name!));
    inf.upsertLocal(obj('mine', '8', ours));
    expect(inf.upsertLocal(obj('mine', '7', {}))).toBe(false); // older: changes nothing
    expect(inf.get('ops/mine')).toBeDefined();
    expect(inf.upsertLocal(obj('mine', '9', {}))).toBe(false);
    expect(inf.get('ops/mine')).toBeUndefined();
    expect(deleted).toEqual(['mine']);
  });
});
