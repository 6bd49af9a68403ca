import { applyMergePatch, holdsPatch, mergePatchDiff } from './mergePatch.ts';

describe('RFC 7386 merge patch diffs', () => {
  it('removes a nested key with null (leaving it out would keep it)', () => {
    const before = {
      stormAggregation: { stormId: 's', closedAt: '2026-01-01T00:00:00Z', aggregatedCount: 3 },
    };
    const after = { stormAggregation: { stormId: 's', aggregatedCount: 4 } };
    const patch = mergePatchDiff(before, after);
    expect(patch).toEqual({ stormAggregation: { closedAt: null, aggregatedCount: 4 } });
    expect(applyMergePatch(before, patch)).toEqual(after);
  });

  it('sends changed arrays whole and leaves unchanged keys out', () => {
    const before = { a: [1, 2], b: { c: 1 }, d: 'x' };
    const after = { a: [1, 2, 3], b: { c: 1 }, d: 'x' };
    expect(mergePatchDiff(before, after)).toEqual({ a: [1, 2, 3] });
    expect(mergePatchDiff(after, after)).toEqual({});
  });

  it('treats undefined as absent and adds new nested objects whole', () => {
    expect(mergePatchDiff({ a: undefined }, { a: undefined, b: { c: 1 } })).toEqual({ b: { c: 1 } });
    expect(mergePatchDiff({ b: { c: 1 } }, {})).toEqual({ b: null });
  });

  it('tells whether an object already holds a patch, whatever the key order', () => {
    const stored = { d: { count: 2, last: 't' }, s: { x: 1 } };
    expect(holdsPatch(stored, { d: { last: 't', count: 2 } })).toBe(true);
    expect(holdsPatch(stored, { s: { gone: null } })).toBe(true);
    expect(holdsPatch(stored, { d: { count: 3 } })).toBe(false);
    expect(holdsPatch(stored, { s: { x: null } })).toBe(false);
  });
});
