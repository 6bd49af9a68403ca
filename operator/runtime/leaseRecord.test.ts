import type { V1Lease } from '../kube/types.ts';
import {
  acquiredLeaseSpec,
  leaseHeldByOther,
  observeLease,
  observedExpiry,
  parseMicroTime,
  releasedLeaseSpec,
  toMicroTime,
} from './leaseRecord.ts';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');

const lease = (rv: string, holder: string | undefined, duration = 15, transitions = 0): V1Lease => ({
  metadata: { name: 'l', namespace: 'ns', resourceVersion: rv },
  spec: {
    holderIdentity: holder,
    leaseDurationSeconds: duration,
    leaseTransitions: transitions,
    // as read back from the apiserver: strings, not Dates
    renewTime: '2020-01-01T00:00:00.123456Z',
    acquireTime: '2020-01-01T00:00:00.000001Z',
  },
});

describe('lease times', () => {
  it('writes MicroTime with six fractional digits', () => {
    const t = toMicroTime(Date.parse('2025-03-04T05:06:07.089Z'));
    expect(t).toBe('2025-03-04T05:06:07.089000Z');
    expect(JSON.stringify({ t })).toBe('{"t":"2025-03-04T05:06:07.089000Z"}');
  });

  it('reads strings and Dates, and rejects garbage', () => {
    expect(parseMicroTime('2025-03-04T05:06:07.089123Z')).toBe(Date.parse('2025-03-04T05:06:07.089Z'));
    expect(parseMicroTime(new Date(T0))).toBe(T0);
    expect(parseMicroTime(toMicroTime(T0))).toBe(T0);
    expect(parseMicroTime('not a time')).toBeUndefined();
    expect(parseMicroTime(undefined)).toBeUndefined();
    expect(parseMicroTime(null)).toBeUndefined();
  });
});

describe('expiry (judged by the local clock since the resourceVersion last changed)', () => {
  it('blocks while another holder keeps the resourceVersion fresh, however old its renewTime looks', () => {
    let seen = observeLease(undefined, lease('1', 'other'), T0, 15);
    expect(leaseHeldByOther(seen, 'me', T0)).toBe(true);
    expect(leaseHeldByOther(seen, 'me', T0 + 14_999)).toBe(true);
    // renewed (new RV) just before expiry: the clock restarts
    seen = observeLease(seen, lease('2', 'other'), T0 + 14_000, 15);
    expect(seen.observedAtMs).toBe(T0 + 14_000);
    expect(leaseHeldByOther(seen, 'me', T0 + 20_000)).toBe(true);
    expect(observedExpiry(seen)).toBe(T0 + 29_000);
  });

  it('expires when the resourceVersion has not changed for the lease duration', () => {
    let seen = observeLease(undefined, lease('1', 'other'), T0, 15);
    seen = observeLease(seen, lease('1', 'other'), T0 + 10_000, 15); // same RV: first sighting counts
    expect(seen.observedAtMs).toBe(T0);
    expect(leaseHeldByOther(seen, 'me', T0 + 15_000)).toBe(false);
  });

  it("uses the lease's own duration, falling back to ours", () => {
    const short = observeLease(undefined, lease('1', 'other', 1), T0, 15);
    expect(leaseHeldByOther(short, 'me', T0 + 1000)).toBe(false);
    const l = lease('1', 'other');
    delete l.spec!.leaseDurationSeconds;
    const fallback = observeLease(undefined, l, T0, 30);
    expect(leaseHeldByOther(fallback, 'me', T0 + 20_000)).toBe(true);
  });

  it('never blocks on a released lease or on our own identity', () => {
    const released = observeLease(undefined, lease('1', ''), T0, 15);
    expect(leaseHeldByOther(released, 'me', T0)).toBe(false);
    expect(observedExpiry(released)).toBeUndefined();
    expect(leaseHeldByOther(observeLease(undefined, lease('1', undefined), T0, 15), 'me', T0)).toBe(false);
    expect(leaseHeldByOther(observeLease(undefined, lease('1', 'me'), T0, 15), 'me', T0)).toBe(false);
  });
});

describe('lease specs we write', () => {
  it('starts a new lease at 0 transitions', () => {
    const spec = acquiredLeaseSpec(undefined, 'me', 15, T0);
    expect(spec.holderIdentity).toBe('me');
    expect(spec.leaseDurationSeconds).toBe(15);
    expect(spec.leaseTransitions).toBe(0);
    expect(spec.acquireTime).toMatch(/\.\d{6}Z$/);
    expect(parseMicroTime(spec.renewTime)).toBe(T0);
  });

  it('counts a takeover as a transition and sets acquireTime', () => {
    const spec = acquiredLeaseSpec(lease('1', 'other', 15, 4).spec, 'me', 15, T0);
    expect(spec.leaseTransitions).toBe(5);
    expect(parseMicroTime(spec.acquireTime)).toBe(T0);
    const fromReleased = acquiredLeaseSpec(lease('1', '', 1, 5).spec, 'me', 15, T0);
    expect(fromReleased.leaseTransitions).toBe(6);
    expect(fromReleased.leaseDurationSeconds).toBe(15);
  });

  it('keeps transitions and acquireTime on renewal, rewriting the read string as MicroTime', () => {
    const spec = acquiredLeaseSpec(lease('1', 'me', 15, 4).spec, 'me', 15, T0);
    expect(spec.leaseTransitions).toBe(4);
    expect(spec.acquireTime).toMatch(/\.\d{6}Z$/);
    expect(JSON.stringify(spec.acquireTime)).toBe('"2020-01-01T00:00:00.000000Z"');
    expect(parseMicroTime(spec.renewTime)).toBe(T0);
  });

  it('releases with no holder and a one-second duration', () => {
    const spec = releasedLeaseSpec(lease('1', 'me', 15, 4).spec, T0);
    expect(spec.holderIdentity).toBe('');
    expect(spec.leaseDurationSeconds).toBe(1);
    expect(spec.leaseTransitions).toBe(4);
    expect(JSON.stringify(spec.renewTime)).toBe('"2025-01-01T00:00:00.000000Z"');
  });
});
