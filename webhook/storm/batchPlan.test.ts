import type { StormConfig } from '../../operator/storm/policy.ts';
import { planBatch } from './batchPlan.ts';
import type { BatchEntry, GroupView } from './batchPlan.ts';
import { defaultConfig } from '../../operator/config/schema.ts';

/** The product's defaults (contract §4): the tests below are written against them. */
const cfg: StormConfig = defaultConfig().storm;
const NOW = Date.parse('2026-11-26T10:00:00Z');
const entry = (group: string, i: number, active = false): BatchEntry => ({
  groupKey: group,
  fingerprint: `${group}-${i}`,
  resource: `Pod/shop/${group}-${i}`,
  active,
});
const empty = (): GroupView => ({ open: false, entries: [] });

describe('planBatch', () => {
  it('gives a group the batch takes over a threshold one leader: its first new fingerprint', () => {
    const batch = [...Array.from({ length: 15 }, (_, i) => entry('a', i)), entry('b', 0), entry('b', 1)];
    const plan = planBatch(batch, empty, cfg, NOW);
    expect(plan.storms).toHaveLength(1);
    expect(plan.storms[0]).toMatchObject({ groupKey: 'a', stormType: 'rate', leaderFingerprint: 'a-0' });
    expect(plan.storms[0]!.fingerprints.size).toBe(15);
    expect(plan.truncatedGroup).toBe('a');
  });

  it('counts the group’s recent entries but not duplicates (active) or repeats', () => {
    const recent = Array.from({ length: 3 }, (_, i) => ({ ...entry('a', 100 + i), createdAtMs: NOW - 1000 }));
    const view = (): GroupView => ({ open: false, entries: recent });
    const three = [entry('a', 0), entry('a', 1), entry('a', 2), entry('a', 2), entry('a', 9, true)];
    expect(planBatch(three, view, cfg, NOW).storms.map((s) => s.stormType)).toEqual(['pattern']); // 3 + 3 > 5
    expect(planBatch(three.slice(0, 2), view, cfg, NOW).storms).toEqual([]); // 3 + 2 is not
  });

  it('plans nothing for a group with an open storm (its signals fold anyway), but counts truncated alerts there', () => {
    const plan = planBatch([entry('a', 0), entry('a', 1)], () => ({ open: true, entries: [] }), cfg, NOW);
    expect(plan).toEqual({ storms: [], truncatedGroup: 'a' });
    expect(planBatch([entry('a', 0)], empty, cfg, NOW).truncatedGroup).toBeUndefined();
  });
});
