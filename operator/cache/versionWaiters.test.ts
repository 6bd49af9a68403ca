import type { RemediationRequest } from '../api/types.ts';
import { VersionWaiters } from './versionWaiters.ts';

const rr = (name: string, resourceVersion: string) =>
  ({ metadata: { name, namespace: 'ns', resourceVersion } }) as RemediationRequest;

describe('VersionWaiters', () => {
  it('resolves with the first stored version newer than the one that lost', async () => {
    const w = new VersionWaiters();
    const waiting = w.newerThan('a', '10', 10_000);
    w.stored(rr('a', '10')); // the same version: keep waiting
    w.stored(rr('b', '99')); // another RR
    w.stored(rr('a', '12'));
    await expect(waiting).resolves.toMatchObject({ metadata: { resourceVersion: '12' } });
  });

  it('gives up after its timeout, and when the RR leaves the cache', async () => {
    const w = new VersionWaiters();
    await expect(w.newerThan('a', '10', 5)).resolves.toBeUndefined();
    const dropped = w.newerThan('a', '10', 10_000);
    w.dropped('a');
    await expect(dropped).resolves.toBeUndefined();
    await expect(w.newerThan('a', undefined, 10_000)).resolves.toBeUndefined();
  });
});
