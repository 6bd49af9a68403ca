import type { V1Lease } from '../kube/types.ts';
import { toMicroTime } from '../runtime/leaseRecord.ts';
import { lockDeletableAtMs } from './leaseCleanup.ts';

const T = Date.parse('2026-11-26T10:00:00Z');
const lease = (holder: string, renewMs: number, duration = 30): V1Lease => ({
  metadata: { name: 'gw-lock-0123456789abcdef' },
  spec: { holderIdentity: holder, leaseDurationSeconds: duration, renewTime: toMicroTime(renewMs) },
});

describe('lockDeletableAtMs', () => {
  it('lets a released lock go once it has been idle long enough', () => {
    expect(lockDeletableAtMs(lease('', T), 600_000)).toBe(T + 600_000);
  });

  it('never deletes a held lock before it expires, however short the idle time', () => {
    expect(lockDeletableAtMs(lease('pod-a', T, 30), 5_000)).toBe(T + 30_001);
    expect(lockDeletableAtMs(lease('pod-a', T, 30), 600_000)).toBe(T + 600_000);
  });

  it('reads renewTime written back as a string', () => {
    const l = lease('', T);
    (l.spec as { renewTime: unknown }).renewTime = new Date(T).toISOString();
    expect(lockDeletableAtMs(l, 1000)).toBe(T + 1000);
  });
});
