// Decides, before an RR is created, where a new fingerprint goes: into its group's open storm
// (fold), onto its group's buffer holder as a pending member (pend), or into a new RR (create).
// The group's first RR of a buffer window is created under a per-group Lease, so that across
// replicas a group has one holder, hence one storm leader. A batch that alone crosses a threshold
// was planned beforehand (planBatch): one leader, every other member folded into it.
import { createHash } from 'node:crypto';
import type { StormType } from '../../operator/api/types.ts';
import { groupKeyOf } from '../../operator/cache/rrCache.ts';
import type { RRCache } from '../../operator/cache/rrCache.ts';
import { isActive } from '../../operator/api/phase.ts';
import { KubeError } from '../../operator/kube/errors.ts';
import {
  bufferHolder,
  detectStorm,
  isStormLeader,
  isStormOpen,
  openStormLeader,
  sinceLastStorm,
  stormLeaderCandidate,
  withinWindows,
} from '../../operator/storm/policy.ts';
import type { StormConfig, WindowEntry } from '../../operator/storm/policy.ts';
import type { CreationLock, HeldLock } from '../create/creationLock.ts';
import { planBatch } from './batchPlan.ts';
import type { BatchEntry } from './batchPlan.ts';
import type { CachedRR } from '../../operator/cache/projection.ts';

export interface Candidate {
  fingerprint: string;
  resource: string;
  /** Too big to buffer on another RR's status: it gets its own RR at once. */
  unbufferable?: boolean;
}

export type GateDecision =
  | {
      kind: 'fold';
      stormType: StormType;
      leader: Promise<CachedRR | undefined>;
      truncated?: number;
    }
  | { kind: 'pend'; holder: Promise<CachedRR | undefined>; others: WindowEntry[] }
  | {
      kind: 'create';
      done: (rr: CachedRR | undefined) => void;
      /** The group's Lease, held for this create: the creator takes no Lease of its own. */
      lock?: HeldLock;
    };

type MaybeRR = CachedRR | undefined;

interface Deferred {
  promise: Promise<MaybeRR>;
  resolve: (rr: MaybeRR | Promise<MaybeRR>) => void;
}

interface Expectation {
  stormType: StormType;
  fingerprints: Set<string>;
  leaderFingerprint: string;
  leader: Deferred;
}

export interface StormGateOptions {
  cache: RRCache;
  cfg: StormConfig;
  /** Serialises a group's first RR across replicas; without it (tests) only within the process. */
  lock?: CreationLock;
  lockMaxWaitMs?: number;
  /** Reads the RR another replica's lock holder created (not yet in this cache). */
  getRR?: (namespace: string, name: string) => Promise<CachedRR>;
  /** The RR a creator of `fingerprint` will try first (named on the group's Lease when taken). */
  intent?: (fingerprint: string, previousRR: string | undefined) => string | undefined;
  now?: () => number;
}

export class StormGate {
  private readonly o: StormGateOptions;
  private readonly now: () => number;
  /** A group's first RR being created by this process: its next signals pend on it. */
  private readonly creating = new Map<string, Deferred>();
  private readonly expected = new Map<string, Expectation>();
  private readonly truncated = new Map<string, number>();

  constructor(options: StormGateOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
  }

  get cfg(): StormConfig {
    return this.o.cfg;
  }

  async decide(groupKey: string, candidate: Candidate, abort?: AbortSignal): Promise<GateDecision> {
    const exp = this.expected.get(groupKey);
    if (!exp || candidate.fingerprint !== exp.leaderFingerprint)
      return this.route(groupKey, candidate, abort);
    // The batch's leader: wherever it goes, the rest of its batch folds there too.
    let d: GateDecision;
    try {
      d = await this.route(groupKey, candidate, abort);
    } catch (err) {
      exp.leader.resolve(undefined);
      throw err;
    }
    if (d.kind === 'fold') exp.leader.resolve(d.leader);
    else if (d.kind === 'pend') exp.leader.resolve(d.holder);
    else {
      const done = d.done;
      d.done = (rr) => {
        done(rr);
        exp.leader.resolve(rr);
      };
    }
    return d;
  }

  private async route(groupKey: string, candidate: Candidate, abort?: AbortSignal): Promise<GateDecision> {
    const nowMs = this.now();
    const group = this.o.cache.byGroup(groupKey);
    const open = openStormLeader(group, this.cfg, nowMs);
    if (open) return this.fold(groupKey, open.status!.stormAggregation!.stormType ?? 'rate', open);
    const exp = this.expected.get(groupKey);
    if (exp?.fingerprints.has(candidate.fingerprint) && candidate.fingerprint !== exp.leaderFingerprint)
      return this.fold(groupKey, exp.stormType, exp.leader.promise);
    if (candidate.unbufferable) return this.plain();
    const holder = bufferHolder(group, this.cfg, nowMs);
    if (holder) return this.onto(groupKey, holder, exp, candidate);
    // The group's first RR is being created here: pend on it, unless the buffer is off (then
    // nothing pends, and a pend would only cost a write that the window refuses).
    const first = this.cfg.bufferSeconds > 0 ? this.creating.get(groupKey) : undefined;
    if (first) return { kind: 'pend', holder: first.promise, others: this.others(groupKey, undefined) };

    // A storm that trickled in slower than the buffer window: the oldest RR in the window leads.
    const entries = withinWindows(sinceLastStorm(group), this.cfg, nowMs);
    const type = detectStorm([...entries, { ...candidate, createdAtMs: nowMs }], this.cfg, nowMs);
    const leader = type && stormLeaderCandidate(group, this.cfg, nowMs);
    if (leader && !entries.some((e) => e.fingerprint === candidate.fingerprint))
      return this.fold(groupKey, type, leader);
    return this.createFirst(groupKey, candidate, exp, abort);
  }

  /**
   * Plans one Alertmanager batch before its alerts are processed; returns the clean-up to call
   * once the batch is answered. `truncatedAlerts` is counted on the batch's storm, if it has one.
   */
  planBatch(entries: BatchEntry[], truncatedAlerts = 0): () => void {
    const nowMs = this.now();
    const plan = planBatch(
      entries,
      (key) => {
        const group = this.o.cache.byGroup(key);
        return {
          open: openStormLeader(group, this.cfg, nowMs) !== undefined,
          entries: withinWindows(sinceLastStorm(group), this.cfg, nowMs),
        };
      },
      this.cfg,
      nowMs,
    );
    const mine: [string, Expectation][] = [];
    for (const s of plan.storms) {
      if (this.expected.has(s.groupKey) || this.creating.has(s.groupKey)) continue;
      const exp = { ...s, leader: deferred() };
      const holder = bufferHolder(this.o.cache.byGroup(s.groupKey), this.cfg, nowMs);
      if (holder) {
        exp.leaderFingerprint = '';
        exp.leader.resolve(holder);
      }
      this.expected.set(s.groupKey, exp);
      mine.push([s.groupKey, exp]);
    }
    if (plan.truncatedGroup && truncatedAlerts > 0) this.truncated.set(plan.truncatedGroup, truncatedAlerts);
    return () => {
      for (const [key, exp] of mine) {
        if (this.expected.get(key) === exp) this.expected.delete(key);
        exp.leader.resolve(undefined); // a leader that never got created frees its waiters
      }
      if (plan.truncatedGroup) this.truncated.delete(plan.truncatedGroup);
    };
  }

  private fold(
    groupKey: string,
    stormType: StormType,
    leader: CachedRR | Promise<CachedRR | undefined>,
  ): GateDecision {
    const truncated = this.truncated.get(groupKey);
    this.truncated.delete(groupKey);
    return { kind: 'fold', stormType, leader: Promise.resolve(leader), truncated };
  }

  private onto(
    groupKey: string,
    rr: CachedRR,
    exp: Expectation | undefined,
    candidate: Candidate,
  ): GateDecision {
    const s = rr.status?.stormAggregation;
    if (isStormLeader(rr)) return this.fold(groupKey, s?.stormType ?? 'rate', rr);
    if (exp?.fingerprints.has(candidate.fingerprint)) return this.fold(groupKey, exp.stormType, rr);
    return { kind: 'pend', holder: Promise.resolve(rr), others: this.others(groupKey, rr) };
  }

  /** The group's recent entries other than the holder's own (the pend mutation reads those fresh). */
  private others(groupKey: string, holder: CachedRR | undefined): WindowEntry[] {
    const rest = this.o.cache.byGroup(groupKey).filter((rr) => rr.metadata.name !== holder?.metadata.name);
    return withinWindows(sinceLastStorm(rest), this.cfg, this.now());
  }

  private plain(): GateDecision {
    return { kind: 'create', done: () => undefined };
  }

  /** The RR the group's next signals go to: its open storm's leader or its buffer holder. */
  private firstOf(groupKey: string): CachedRR | undefined {
    const group = this.o.cache.byGroup(groupKey);
    const nowMs = this.now();
    return openStormLeader(group, this.cfg, nowMs) ?? bufferHolder(group, this.cfg, nowMs);
  }

  /** Creates the group's first RR of a window, under the group's Lease (one per group across replicas). */
  private async createFirst(
    groupKey: string,
    candidate: Candidate,
    exp: Expectation | undefined,
    abort?: AbortSignal,
  ): Promise<GateDecision> {
    const mine = deferred();
    this.creating.set(groupKey, mine);
    const settle = (rr: CachedRR | undefined) => {
      if (this.creating.get(groupKey) === mine) this.creating.delete(groupKey);
      mine.resolve(rr);
    };
    // Without a buffer window there is no holder to agree on: the fingerprint's own Lease will do.
    if (!this.o.lock || this.cfg.bufferSeconds <= 0) return { kind: 'create', done: settle };
    let found: CachedRR | undefined;
    let held: HeldLock | undefined;
    try {
      const acquired = await this.o.lock.acquire(groupLockKey(groupKey), {
        deadlineMs: Date.now() + (this.o.lockMaxWaitMs ?? 5000),
        signal: abort,
        satisfied: () => this.firstOf(groupKey) !== undefined,
        intent: (previousRR) => this.o.intent?.(candidate.fingerprint, previousRR),
      });
      if ('deduplicated' in acquired) found = this.firstOf(groupKey);
      else {
        held = acquired.held;
        found = await this.createdElsewhere(groupKey, held.previousRR);
      }
    } catch (err) {
      settle(undefined);
      throw err;
    }
    if (found) {
      void held?.release();
      settle(found);
      return this.onto(groupKey, found, exp, candidate);
    }
    return {
      kind: 'create',
      lock: held,
      done: (rr) => {
        settle(rr);
        // Nothing to write when this create made the RR the Lease names.
        void held?.release(rr?.metadata.name, { stored: rr !== undefined });
      },
    };
  }

  /** Under the lock: the holder another replica created last, if this cache has not seen it yet. */
  private async createdElsewhere(
    groupKey: string,
    previousRR: string | undefined,
  ): Promise<CachedRR | undefined> {
    const cached = this.firstOf(groupKey);
    if (cached || !previousRR || !this.o.getRR || this.o.cache.get(previousRR)) return cached;
    try {
      const rr = await this.o.getRR(this.o.cache.namespace, previousRR);
      this.o.cache.recordLocal(rr);
      if (groupKeyOf(rr) !== groupKey || !isActive(rr)) return undefined;
      const nowMs = this.now();
      return isStormOpen(rr, this.cfg, nowMs) || bufferHolder([rr], this.cfg, nowMs) ? rr : undefined;
    } catch (err) {
      if (err instanceof KubeError && err.kind === 'notFound') return undefined;
      throw err;
    }
  }
}

/** The Lease key of a storm group (a creation lock `gw-lock-<16 hex>` of its own). */
export function groupLockKey(groupKey: string): string {
  return createHash('sha256').update(`storm-group:${groupKey}`).digest('hex');
}

function deferred(): Deferred {
  let resolve!: (rr: MaybeRR | Promise<MaybeRR>) => void;
  let done = false;
  const promise = new Promise<MaybeRR>((r) => (resolve = r));
  return {
    promise,
    resolve: (rr) => {
      if (done) return;
      done = true;
      resolve(rr);
    },
  };
}
