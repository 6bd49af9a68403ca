import { fixtureRR } from '../storm/testFixtures.ts';
import { retentionStep } from './retention.ts';

const HOUR = 3_600_000;
const now = Date.parse('2026-11-26T12:00:00Z');
const rr = (status: Record<string, unknown>) =>
  fixtureRR({ namespace: 'ops', pod: 'a', createdAt: new Date(now - 48 * HOUR), status });

describe('retentionStep', () => {
  it('stamps an RR the first time it is seen terminal, however old its other timestamps', () => {
    const old = new Date(now - 47 * HOUR).toISOString();
    const completed = rr({ overallPhase: 'Completed', deduplication: { firstSeenAt: old, lastSeenAt: old } });
    expect(retentionStep(completed, now, 24 * HOUR)).toEqual({ action: 'stamp' });
  });

  it('waits until terminalSince plus the retention, then deletes', () => {
    const since = new Date(now - 2 * HOUR).toISOString();
    expect(retentionStep(rr({ overallPhase: 'Failed', terminalSince: since }), now, 3 * HOUR)).toEqual({
      action: 'wait',
      dueMs: now + HOUR,
    });
    expect(retentionStep(rr({ overallPhase: 'Failed', terminalSince: since }), now, HOUR)).toEqual({
      action: 'delete',
    });
  });

  it('clears the stamp of an RR that became active again, and leaves active RRs alone', () => {
    const since = new Date(now - 2 * HOUR).toISOString();
    expect(retentionStep(rr({ overallPhase: 'Processing', terminalSince: since }), now, HOUR)).toEqual({
      action: 'clear',
    });
    expect(retentionStep(rr({ overallPhase: 'Processing' }), now, HOUR)).toEqual({ action: 'none' });
    expect(retentionStep(rr({}), now, HOUR)).toEqual({ action: 'none' });
  });
});
