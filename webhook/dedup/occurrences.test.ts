import type { RemediationRequest, RemediationRequestStatus } from '../../operator/api/types.ts';
import { recordOccurrence, markResolved } from './mutations.ts';
import {
  CREATING_OCCURRENCE_ANNOTATION,
  OCCURRENCE_ID_LENGTH,
  OCCURRENCE_RECORD_LIMIT,
  occurrenceId,
  remember,
  seen,
} from './occurrences.ts';

function rr(status: RemediationRequestStatus = {}, creating?: string): RemediationRequest {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'RemediationRequest',
    metadata: {
      name: 'rr-1',
      namespace: 'ns',
      annotations: creating ? { [CREATING_OCCURRENCE_ANNOTATION]: occurrenceId(creating) } : {},
    },
    spec: {} as RemediationRequest['spec'],
    status,
  };
}

describe('occurrence record', () => {
  it('uses fixed-size ids that the CRD pattern accepts', () => {
    for (const key of ['a', 'am:f:c0ffee:2025-01-01T10:00:00.000Z:firing', 'x'.repeat(5000)]) {
      expect(occurrenceId(key)).toMatch(new RegExp(`^[A-Za-z0-9_-]{${OCCURRENCE_ID_LENGTH}}$`));
    }
    expect(occurrenceId('a')).not.toBe(occurrenceId('b'));
  });

  it('keeps the newest entries within the bound, in entries and bytes', () => {
    const status: RemediationRequestStatus = {};
    const ids = Array.from({ length: OCCURRENCE_RECORD_LIMIT + 500 }, (_, i) => occurrenceId(`k${i}`));
    for (const id of ids) remember(status, id);
    remember(status, ids.at(-1)!); // already there: not added twice
    expect(status.recentOccurrences).toHaveLength(OCCURRENCE_RECORD_LIMIT);
    expect(status.recentOccurrences).toEqual(ids.slice(-OCCURRENCE_RECORD_LIMIT));
    expect(Buffer.byteLength(JSON.stringify(status.recentOccurrences))).toBeLessThan(20 * 1024);
    const r = rr(status);
    expect(seen(status, r, ids[0]!)).toBe(false); // evicted: would count again
    expect(seen(status, r, ids.at(-1)!)).toBe(true);
  });

  it('still recognises a whole 1000-alert batch redelivered', () => {
    const status: RemediationRequestStatus = { deduplication: { occurrenceCount: 1 } };
    const keys = Array.from({ length: 1000 }, (_, i) => `am:f:${i}:2025-01-01T10:00:00.000Z:firing`);
    const first = keys.map((k) => recordOccurrence(k)(status, '2025-01-01T10:00:01.000Z', rr(status)));
    expect(first.every((r) => !r.redelivered)).toBe(true);
    const again = keys.map((k) => recordOccurrence(k)(status, '2025-01-01T10:00:02.000Z', rr(status)));
    expect(again.every((r) => r.redelivered)).toBe(true);
    expect(status.deduplication?.occurrenceCount).toBe(1001);
  });

  it('recognises the creating occurrence before the initial status write landed', () => {
    const status: RemediationRequestStatus = {};
    const created = rr(status, 'first');
    expect(recordOccurrence('first')(status, 't', created)).toEqual({
      occurrenceCount: 1,
      redelivered: true,
    });
    expect(recordOccurrence('second')(status, 't', created)).toEqual({
      occurrenceCount: 2,
      redelivered: false,
    });
    // The count no longer implies the creator, so the record now carries it.
    expect(status.recentOccurrences).toEqual([occurrenceId('first'), occurrenceId('second')]);
    expect(recordOccurrence('first')(status, 't', created).redelivered).toBe(true);
  });

  it('counts every delivery of a signal that has no identity', () => {
    const status: RemediationRequestStatus = {};
    recordOccurrence(undefined)(status, 't', rr(status));
    recordOccurrence(undefined)(status, 't', rr(status));
    expect(status.deduplication?.occurrenceCount).toBe(3);
    expect(status.recentOccurrences).toBeUndefined();
  });

  it('recognises a redelivered resolution', () => {
    const status: RemediationRequestStatus = { deduplication: { occurrenceCount: 2 } };
    expect(markResolved('r')(status, 't1', rr(status))).toMatchObject({
      resolvedAt: 't1',
      redelivered: false,
    });
    expect(markResolved('r')(status, 't2', rr(status))).toEqual({
      resolvedAt: 't1',
      occurrenceCount: 2,
      redelivered: true,
    });
  });
});
