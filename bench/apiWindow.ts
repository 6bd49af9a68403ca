// What every measurement shares: the run's environment, and API server readings taken around a
// load (the idle background rate first, then a wait until the count stops moving).
import { readApiserver, total } from './apiserverMetrics.ts';
import type { ApiserverReading } from './apiserverMetrics.ts';
import type { BenchCluster } from './cluster.ts';

export const IDLE_WINDOW_MS = 10_000;

export interface Env {
  cluster: BenchCluster;
  operatorEntry: string;
  tmpDir: string;
  /** The Bearer token senders present ('' with auth off). */
  token: string;
  log: (line: string) => void;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Reading extends ApiserverReading {
  at: number;
}

export async function read(env: Env): Promise<Reading> {
  const r = await readApiserver(env.cluster.kc);
  return { ...r, at: performance.now() };
}

/** Background API requests per ms while the replicas are idle (leader election, API server loops). */
export async function idleRate(env: Env): Promise<{ rate: number; last: Reading }> {
  const first = await read(env);
  await sleep(IDLE_WINDOW_MS);
  const last = await read(env);
  return { rate: (total(last.counters) - total(first.counters)) / (last.at - first.at), last };
}

/** Waits until the API server sees no more than background traffic (the replicas settled). */
export async function quiesce(env: Env, rate: number): Promise<Reading> {
  let prev = await read(env);
  for (let i = 0; i < 60; i++) {
    await sleep(500);
    const cur = await read(env);
    if (total(cur.counters) - total(prev.counters) <= 1 + rate * (cur.at - prev.at)) return cur;
    prev = cur;
  }
  return prev;
}
