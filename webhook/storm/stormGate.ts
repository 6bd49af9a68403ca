// Decides, before an RR is created, whether the signal belongs to an alert storm. It counts the
// group's cached RRs plus the creates this process has in flight, so a storm that arrives as one
// Alertmanager batch (all alerts at once, none in the cache yet) is caught too.
import type { RemediationRequest, StormType } from '../../operator/api/types.ts';
import type { RRCache } from '../../operator/cache/rrCache.ts';
import {
  detectStorm,
  openStormLeader,
  sinceLastStorm,
  stormLeaderCandidate,
} from '../../operator/storm/policy.ts';
import type { StormConfig, WindowEntry } from '../../operator/storm/policy.ts';

export type GateDecision =
  | { kind: 'create'; done: (rr: RemediationRequest | undefined) => void }
  | { kind: 'fold'; stormType: StormType; leader: Promise<RemediationRequest | undefined> };

interface Pending extends WindowEntry {
  rr: Promise<RemediationRequest | undefined>;
}

export class StormGate {
  private readonly cache: RRCache;
  private readonly cfg: StormConfig;
  private readonly now: () => number;
  private readonly pending = new Map<string, Pending[]>();

  constructor(cache: RRCache, cfg: StormConfig, now: () => number = Date.now) {
    this.cache = cache;
    this.cfg = cfg;
    this.now = now;
  }

  decide(groupKey: string, candidate: { fingerprint: string; resource: string }): GateDecision {
    const nowMs = this.now();
    const group = this.cache.byGroup(groupKey);
    const open = openStormLeader(group, this.cfg, nowMs);
    if (open)
      return {
        kind: 'fold',
        stormType: open.status!.stormAggregation!.stormType ?? 'rate',
        leader: Promise.resolve(open),
      };

    const inFlight = this.pending.get(groupKey) ?? [];
    const known = sinceLastStorm(group);
    const cachedFps = new Set(known.map((e) => e.fingerprint));
    const entries = [...known, ...inFlight.filter((p) => !cachedFps.has(p.fingerprint))];
    const stormType = detectStorm([...entries, { ...candidate, createdAtMs: nowMs }], this.cfg, nowMs);
    if (stormType && !entries.some((e) => e.fingerprint === candidate.fingerprint)) {
      return { kind: 'fold', stormType, leader: this.leaderOf(group, nowMs, inFlight) };
    }
    return this.reserve(groupKey, candidate, nowMs);
  }

  /** The storm's first RR: the oldest active one in the window, else the oldest create in flight. */
  private async leaderOf(
    group: RemediationRequest[],
    nowMs: number,
    inFlight: Pending[],
  ): Promise<RemediationRequest | undefined> {
    const first = stormLeaderCandidate(group, this.cfg, nowMs);
    if (first) return first;
    for (const p of inFlight) {
      const rr = await p.rr;
      if (rr) return rr;
    }
    return undefined;
  }

  private reserve(
    groupKey: string,
    candidate: { fingerprint: string; resource: string },
    nowMs: number,
  ): GateDecision {
    let settle!: (rr: RemediationRequest | undefined) => void;
    const entry: Pending = {
      ...candidate,
      createdAtMs: nowMs,
      rr: new Promise((resolve) => (settle = resolve)),
    };
    const list = this.pending.get(groupKey) ?? [];
    list.push(entry);
    this.pending.set(groupKey, list);
    return {
      kind: 'create',
      done: (rr) => {
        settle(rr);
        const rest = (this.pending.get(groupKey) ?? []).filter((p) => p !== entry);
        if (rest.length > 0) this.pending.set(groupKey, rest);
        else this.pending.delete(groupKey);
      },
    };
  }
}
