import { createHash } from 'node:crypto';
import { fingerprint, generationOf, lockLeaseName, rrName, rrNamePrefix } from './fingerprint.ts';

const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'shop' };

describe('fingerprint', () => {
  it('is the SHA-256 hex of clusterID:namespace:kind:name', () => {
    const expected = createHash('sha256').update('prod-eu:shop:Deployment:api').digest('hex');
    expect(fingerprint('prod-eu', deployment)).toBe(expected);
  });

  it('is 64 lowercase hex characters and stable across calls', () => {
    const fp = fingerprint('c1', deployment);
    expect(fp).toMatch(/^[a-f0-9]{64}$/);
    expect(fingerprint('c1', { ...deployment })).toBe(fp);
  });

  it('ignores apiVersion, so it does not depend on which signal or adapter named the target', () => {
    const { apiVersion: _ignored, ...withoutApiVersion } = deployment;
    expect(fingerprint('c1', withoutApiVersion)).toBe(fingerprint('c1', deployment));
  });

  it('differs when cluster, namespace, kind or name differ', () => {
    const base = fingerprint('c1', deployment);
    expect(fingerprint('c2', deployment)).not.toBe(base);
    expect(fingerprint('c1', { ...deployment, namespace: 'other' })).not.toBe(base);
    expect(fingerprint('c1', { ...deployment, kind: 'StatefulSet' })).not.toBe(base);
    expect(fingerprint('c1', { ...deployment, name: 'web' })).not.toBe(base);
  });

  it('uses an empty namespace for cluster-scoped targets', () => {
    const expected = createHash('sha256').update('c1::Node:worker-1').digest('hex');
    expect(fingerprint('c1', { kind: 'Node', name: 'worker-1' })).toBe(expected);
  });

  it('derives the RR name prefix and lock Lease name from its leading hex', () => {
    const fp = 'abcdef0123456789' + '0'.repeat(48);
    expect(rrNamePrefix(fp)).toBe('rr-abcdef012345-');
    expect(lockLeaseName(fp)).toBe('gw-lock-abcdef0123456789');
  });
});

describe('deterministic RR names', () => {
  const fp = fingerprint('c1', deployment);
  const other = `${fp.slice(0, 12)}${'0'.repeat(52)}`; // shares the first 12 hex digits

  it('names each generation once, under the contract prefix, carrying the whole fingerprint', () => {
    expect(rrName(fp, 1)).toBe(`rr-${fp.slice(0, 12)}-${fp.slice(12)}-1`);
    expect(rrName(fp, 1).startsWith(rrNamePrefix(fp))).toBe(true);
    expect(rrName(fp, 2)).not.toBe(rrName(fp, 1));
    expect(rrName(other, 1)).not.toBe(rrName(fp, 1));
    expect(rrName(fp, 999_999_999).length).toBeLessThanOrEqual(253);
  });

  it('reads the generation back only from the fingerprint own names', () => {
    expect(generationOf(rrName(fp, 7), fp)).toBe(7);
    expect(generationOf(rrName(other, 7), fp)).toBeUndefined();
    expect(generationOf(`${rrNamePrefix(fp)}fbtjl`, fp)).toBeUndefined(); // generateName era
    expect(generationOf(`${rrName(fp, 1)}0x`, fp)).toBeUndefined();
    expect(generationOf(undefined, fp)).toBeUndefined();
  });
});
