// Pure rules of Lease-based leader election (coordination.k8s.io/v1): reading lease times,
// deciding whether a lease is still held by someone else, and building the spec we write.
//
// Expiry is judged like client-go does: not by comparing the holder's renewTime with our clock
// (the two machines' clocks may disagree), but by when WE last saw the lease change. Every
// renewal changes the resourceVersion; if the resourceVersion has not changed for
// leaseDurationSeconds of our own clock, the holder has stopped renewing. The price is that a
// new candidate waits one full lease duration after first seeing a stale lease.
import { formatMicroTime } from '../kube/types.ts';
import type { MicroTime, V1Lease, V1LeaseSpec } from '../kube/types.ts';

/** What a candidate knows about the lease as last read, and when (local clock) it last changed. */
export interface ObservedLease {
  resourceVersion: string | undefined;
  holder: string;
  durationSeconds: number;
  transitions: number;
  /** Local time (ms) at which this resourceVersion was first seen. */
  observedAtMs: number;
}

/**
 * Milliseconds since the epoch of a lease time: an RFC 3339 string as the API server sends it
 * (or a Date, from callers that hold one); undefined when absent or unparseable.
 */
export function parseMicroTime(value: Date | string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * A lease time to write. The apiserver only accepts MicroTime with six fractional digits;
 * a plain Date (three digits) is rejected.
 */
export function toMicroTime(ms: number): MicroTime {
  return formatMicroTime(ms);
}

/**
 * Updates the observation with a lease just read at local time `nowMs`. The observation time
 * only moves when the resourceVersion changes, which is what makes expiry skew-proof.
 */
export function observeLease(
  previous: ObservedLease | undefined,
  lease: V1Lease,
  nowMs: number,
  defaultDurationSeconds: number,
): ObservedLease {
  const resourceVersion = lease.metadata?.resourceVersion;
  const unchanged =
    previous !== undefined && resourceVersion !== undefined && previous.resourceVersion === resourceVersion;
  return {
    resourceVersion,
    holder: lease.spec?.holderIdentity ?? '',
    durationSeconds: lease.spec?.leaseDurationSeconds ?? defaultDurationSeconds,
    transitions: lease.spec?.leaseTransitions ?? 0,
    observedAtMs: unchanged ? previous.observedAtMs : nowMs,
  };
}

/**
 * True when another identity holds the lease and it has not expired: its resourceVersion
 * changed less than its leaseDurationSeconds ago (local clock). An empty holder (released lease)
 * or our own identity (e.g. a restart with the same POD_NAME) never blocks us.
 */
export function leaseHeldByOther(observed: ObservedLease, identity: string, nowMs: number): boolean {
  if (observed.holder === '' || observed.holder === identity) return false;
  return nowMs < observed.observedAtMs + observed.durationSeconds * 1000;
}

/** Local time (ms) at which the observed lease expires for us; undefined when it is free. */
export function observedExpiry(observed: ObservedLease): number | undefined {
  return observed.holder === '' ? undefined : observed.observedAtMs + observed.durationSeconds * 1000;
}

/**
 * The spec that makes `identity` the holder: a renewal keeps acquireTime and leaseTransitions,
 * a takeover (or acquiring a released lease) sets acquireTime and counts one more transition;
 * a brand-new lease starts at 0 transitions. Other spec fields are kept.
 */
export function acquiredLeaseSpec(
  old: V1LeaseSpec | undefined,
  identity: string,
  durationSeconds: number,
  nowMs: number,
): V1LeaseSpec {
  const renewing = old !== undefined && old.holderIdentity === identity;
  const acquiredAt = renewing ? (parseMicroTime(old.acquireTime) ?? nowMs) : nowMs;
  const transitions = old?.leaseTransitions ?? 0;
  return {
    ...old,
    holderIdentity: identity,
    leaseDurationSeconds: durationSeconds,
    acquireTime: toMicroTime(acquiredAt),
    renewTime: toMicroTime(nowMs),
    leaseTransitions: old === undefined || renewing ? transitions : transitions + 1,
  };
}

/**
 * The spec written on a voluntary release (client-go's ReleaseOnCancel): no holder and a
 * one-second duration, so that any candidate takes over at its next attempt.
 */
export function releasedLeaseSpec(old: V1LeaseSpec | undefined, nowMs: number): V1LeaseSpec {
  return {
    ...old,
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: toMicroTime(nowMs),
    renewTime: toMicroTime(nowMs),
    leaseTransitions: old?.leaseTransitions ?? 0,
  };
}
