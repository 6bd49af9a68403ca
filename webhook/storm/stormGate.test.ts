import type { RRCache } from '../../operator/cache/rrCache.ts';
import type { StormConfig } from '../../operator/storm/policy.ts';
import { StormGate } from './stormGate.ts';

const cfg = (bufferSeconds: number): StormConfig => ({
  rate: { threshold: 10, windowSeconds: 60 },
  pattern: { threshold: 5, windowSeconds: 120 },
  quietSeconds: 60,
  maxDurationSeconds: 300,
  bufferSeconds,
  maxListedMembers: 1000,
});
const emptyCache = { namespace: 'ns', byGroup: () => [], get: () => undefined } as unknown as RRCache;
const member = (i: number) => ({
  fingerprint: String(i).padStart(64, '0'),
  resource: `Deployment/shop/d${i}`,
});

describe('StormGate: a group whose first RR is being created by this process', () => {
  it('lets the group’s next new fingerprint pend on it while the buffer is on', async () => {
    const gate = new StormGate({ cache: emptyCache, cfg: cfg(5) });
    const first = await gate.decide('shop/A', member(1));
    expect(first.kind).toBe('create');
    expect((await gate.decide('shop/A', member(2))).kind).toBe('pend');
  });

  it('creates the next new fingerprint too when the buffer is off (nothing may pend)', async () => {
    const gate = new StormGate({ cache: emptyCache, cfg: cfg(0) });
    const first = await gate.decide('shop/A', member(1));
    expect(first.kind).toBe('create');
    expect((await gate.decide('shop/A', member(2))).kind).toBe('create');
  });
});
