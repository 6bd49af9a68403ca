import type { RemediationRequest } from '../../operator/api/types.ts';
import { canonicalJson } from '../../operator/api/mergePatch.ts';
import { carries } from './statusBatcher.ts';

describe('carries (was an ambiguous status write stored?)', () => {
  const stored = {
    metadata: { name: 'rr', namespace: 'ns' },
    // As the API server returns it: object keys sorted.
    status: {
      deduplication: { firstSeenAt: 'a', lastSeenAt: 'b', occurrenceCount: 2 },
      stormAggregation: { aggregatedCount: 1, isPartOfStorm: true, stormId: 's' },
    },
  } as unknown as RemediationRequest;

  it('judges a landed write stored whatever the key order of the patch', () => {
    const patch = {
      deduplication: { occurrenceCount: 2, lastSeenAt: 'b', firstSeenAt: 'a' },
      stormAggregation: { stormId: 's', isPartOfStorm: true, aggregatedCount: 1 },
    };
    expect(carries(stored, patch)).toBe(true);
  });

  it('judges a write lost when a value differs', () => {
    expect(
      carries(stored, { deduplication: { occurrenceCount: 3, lastSeenAt: 'b', firstSeenAt: 'a' } }),
    ).toBe(false);
    expect(carries(stored, { signalResolvedAt: 'now' })).toBe(false);
  });

  it('accepts a nested merge-patch diff (only the changed fields, null for a removed one)', () => {
    expect(carries(stored, { deduplication: { occurrenceCount: 2 } })).toBe(true);
    expect(carries(stored, { stormAggregation: { closedAt: null, aggregatedCount: 1 } })).toBe(true);
    expect(carries(stored, { stormAggregation: { stormId: null } })).toBe(false);
    expect(carries(stored, { deduplication: { occurrenceCount: 3 } })).toBe(false);
  });

  it('keeps array order significant', () => {
    expect(canonicalJson({ b: [2, 1], a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":[2,1]}');
  });
});
