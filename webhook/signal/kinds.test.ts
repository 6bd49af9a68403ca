import { scopeTarget } from './kinds.ts';

describe('scopeTarget', () => {
  it('fills the apiVersion of built-in kinds and keeps a given one', () => {
    expect(scopeTarget({ kind: 'Deployment', name: 'a', namespace: 'n' })).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'a',
      namespace: 'n',
    });
    expect(
      scopeTarget({ apiVersion: 'apps/v1beta2', kind: 'Deployment', name: 'a', namespace: 'n' }).apiVersion,
    ).toBe('apps/v1beta2');
  });

  it('drops the namespace of cluster-scoped kinds, but a Namespace names itself', () => {
    expect(scopeTarget({ kind: 'Node', name: 'w1', namespace: 'default' })).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      name: 'w1',
    });
    expect(scopeTarget({ kind: 'Namespace', name: 'shop' })).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      name: 'shop',
      namespace: 'shop',
    });
  });

  it('takes custom resources as given', () => {
    expect(scopeTarget({ apiVersion: 'x.io/v1', kind: 'Widget', name: 'w', namespace: 'n' })).toEqual({
      apiVersion: 'x.io/v1',
      kind: 'Widget',
      name: 'w',
      namespace: 'n',
    });
    expect(scopeTarget({ kind: 'Widget', name: 'w' })).toEqual({ kind: 'Widget', name: 'w' });
  });
});
