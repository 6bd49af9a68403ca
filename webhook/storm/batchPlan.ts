// Decides, for one Alertmanager batch, which storm groups the batch itself takes over a storm
// threshold, before anything is created: such a group gets exactly one leader (its first new
// fingerprint, or the group's buffer holder) and every other new fingerprint of the group is
// folded into it in one status write. Pure: the caller supplies each group's current view.
import { detectStorm } from '../../operator/storm/policy.ts';
import type { StormConfig, WindowEntry } from '../../operator/storm/policy.ts';
import type { StormType } from '../../operator/api/types.ts';

export interface BatchEntry {
  groupKey: string;
  fingerprint: string;
  resource: string;
  /** The fingerprint already has an active RR: it is a duplicate, not a new member. */
  active: boolean;
}

export interface GroupView {
  /** An open storm leads the group: its new fingerprints fold anyway. */
  open: boolean;
  /** The group's recent entries (RRs and pending members since its last storm). */
  entries: readonly WindowEntry[];
}

export interface BatchStorm {
  groupKey: string;
  stormType: StormType;
  /** The fingerprints folded into the leader (the leader's own included). */
  fingerprints: Set<string>;
  /** The first new fingerprint: it creates the leader unless the group already has a holder. */
  leaderFingerprint: string;
}

export interface BatchPlan {
  storms: BatchStorm[];
  /** The group with the most alerts in the batch, if it is (or becomes) a storm: Alertmanager's truncatedAlerts are counted there. */
  truncatedGroup?: string;
}

export function planBatch(
  entries: readonly BatchEntry[],
  viewOf: (groupKey: string) => GroupView,
  cfg: StormConfig,
  nowMs: number,
): BatchPlan {
  const groups = new Map<string, BatchEntry[]>();
  for (const e of entries) groups.set(e.groupKey, [...(groups.get(e.groupKey) ?? []), e]);
  const storms: BatchStorm[] = [];
  const stormy = new Set<string>();
  for (const [groupKey, members] of groups) {
    const view = viewOf(groupKey);
    if (view.open) {
      stormy.add(groupKey);
      continue;
    }
    const known = new Set(view.entries.map((e) => e.fingerprint));
    const fresh = members.filter((m) => !m.active && !known.has(m.fingerprint));
    if (fresh.length === 0) continue;
    const candidates = fresh.map((m) => ({ ...m, createdAtMs: nowMs }));
    const stormType = detectStorm([...view.entries, ...candidates], cfg, nowMs);
    if (!stormType) continue;
    stormy.add(groupKey);
    storms.push({
      groupKey,
      stormType,
      fingerprints: new Set(fresh.map((m) => m.fingerprint)),
      leaderFingerprint: fresh[0]!.fingerprint,
    });
  }
  const largest = [...groups.entries()].sort((a, b) => b[1].length - a[1].length)[0]?.[0];
  return { storms, truncatedGroup: largest && stormy.has(largest) ? largest : undefined };
}
