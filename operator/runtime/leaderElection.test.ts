import { LeaderElector } from './leaderElection.ts';
import type { LeaseClient } from './leaderElection.ts';

// The election loop talks to a real apiserver in the integration tests; here only what needs no
// server at all: option validation and a lifecycle that never reaches the API.
const untouchable: LeaseClient = {
  getLease: () => Promise.reject(new Error('no API calls expected')),
  createLease: () => Promise.reject(new Error('no API calls expected')),
  replaceLease: () => Promise.reject(new Error('no API calls expected')),
};

const base = {
  client: untouchable,
  namespace: 'ns',
  name: 'leader',
  identity: 'me',
  onStartedLeading: () => {},
};

describe('LeaderElector', () => {
  it('rejects a renew deadline that is not shorter than the lease', () => {
    expect(() => new LeaderElector({ ...base, leaseDurationSeconds: 15, renewDeadlineMs: 15_000 })).toThrow(
      'renewDeadline must be shorter than the lease',
    );
    expect(() => new LeaderElector({ ...base, leaseDurationSeconds: 15 })).not.toThrow();
  });

  it('is not leader before start, and stop() without start() resolves', async () => {
    const e = new LeaderElector(base);
    expect(e.isLeader()).toBe(false);
    await expect(e.stop()).resolves.toBeUndefined();
  });
});
