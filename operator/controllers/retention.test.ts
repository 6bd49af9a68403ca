import { fixtureRR } from '../storm/testFixtures.ts';
import { completedAtMs } from './retention.ts';

describe('completedAtMs', () => {
  const created = new Date('2026-11-26T10:00:00Z');

  it('is the newest status timestamp', () => {
    const rr = fixtureRR({
      namespace: 'ops',
      pod: 'a',
      createdAt: created,
      status: {
        overallPhase: 'Completed',
        signalResolvedAt: '2026-11-26T11:00:00Z',
        deduplication: { firstSeenAt: '2026-11-26T10:00:00Z', lastSeenAt: '2026-11-26T12:00:00Z' },
        stormAggregation: { closedAt: '2026-11-26T11:30:00Z' },
      },
    });
    expect(completedAtMs(rr)).toBe(Date.parse('2026-11-26T12:00:00Z'));
  });

  it('falls back to the creation time when the status has no timestamp', () => {
    const rr = fixtureRR({
      namespace: 'ops',
      pod: 'b',
      createdAt: created,
      status: { overallPhase: 'Failed' },
    });
    expect(completedAtMs(rr)).toBe(created.getTime());
  });
});
