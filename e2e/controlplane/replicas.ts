// N operator processes supervised like a kubelet supervises a pod's container: replica k listens
// on the base ports + 100k, keeps its POD_NAME across restarts (a restarted container keeps its
// pod's name), has its PID in `<pidDir>/replica-k.pid` (rewritten on every start), and is
// restarted with exponential back-off when it dies (reset after it has run for a while, as
// CrashLoopBackOff is). Used by `REPLICAS=N make run` and by the fault suite.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './install.ts';

export const PORT_STRIDE = 100;

export interface BasePorts {
  intake: number;
  health: number;
  metrics: number;
}

export interface ReplicaSetOptions {
  count: number;
  basePorts: BasePorts;
  /** Where replica-k.pid files go. */
  pidDir: string;
  /** Environment for every replica (KUBECONFIG, POD_NAMESPACE, ...); ports and POD_NAME are added. */
  env: NodeJS.ProcessEnv;
  podNamePrefix?: string;
  /** Per-replica log files `replica-k.log` here; without it, output goes to ours, prefixed. */
  logDir?: string;
  /** Extra environment for replica k (e.g. a kubeconfig through its own proxy). */
  envFor?: (k: number) => NodeJS.ProcessEnv;
  backoff?: { initialMs: number; maxMs: number; resetAfterMs: number };
  /** Told about restarts and exits (make run prints them). */
  onEvent?: (message: string) => void;
}

export interface Replica {
  k: number;
  podName: string;
  intake: string;
  health: string;
  metrics: string;
  pid: number;
  restarts: number;
  pidFile: string;
  logPath?: string;
}

interface Slot extends Replica {
  child?: ChildProcess;
  exited?: Promise<void>;
  backoffMs: number;
  timer?: NodeJS.Timeout;
}

// Replicas must not outlive the process that supervises them (a test run that ends, a make run
// that exits): whatever is still running when it exits is killed.
const supervised = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of supervised) child.kill('SIGKILL');
});

export function replicaPorts(base: BasePorts, k: number): BasePorts {
  const off = PORT_STRIDE * k;
  return { intake: base.intake + off, health: base.health + off, metrics: base.metrics + off };
}

export class ReplicaSet {
  private readonly slots: Slot[] = [];
  private stopping = false;
  private readonly backoff;
  private readonly o: ReplicaSetOptions;

  constructor(o: ReplicaSetOptions) {
    this.o = o;
    this.backoff = o.backoff ?? { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };
    mkdirSync(o.pidDir, { recursive: true });
    if (o.logDir) mkdirSync(o.logDir, { recursive: true });
    for (let k = 0; k < o.count; k++) {
      const p = replicaPorts(o.basePorts, k);
      const url = (port: number) => `http://127.0.0.1:${port}`;
      this.slots.push({
        k,
        podName: `${o.podNamePrefix ?? 'kubernaut-intake'}-${k}`,
        intake: url(p.intake),
        health: url(p.health),
        metrics: url(p.metrics),
        pid: 0,
        restarts: 0,
        pidFile: join(o.pidDir, `replica-${k}.pid`),
        logPath: o.logDir ? join(o.logDir, `replica-${k}.log`) : undefined,
        backoffMs: this.backoff.initialMs,
      });
    }
  }

  get replicas(): Replica[] {
    return this.slots.map(({ k, podName, intake, health, metrics, pid, restarts, pidFile, logPath }) => ({
      k,
      podName,
      intake,
      health,
      metrics,
      pid,
      restarts,
      pidFile,
      logPath,
    }));
  }

  replica(k: number): Replica {
    return this.replicas[k]!;
  }

  start(): void {
    for (const slot of this.slots) this.launch(slot);
  }

  /** Resolves when every replica answers /readyz 200 (or rejects after `timeoutMs`). */
  async waitReady(timeoutMs = 60_000, which: number[] = this.slots.map((s) => s.k)): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const pending = new Set(which);
    while (pending.size > 0) {
      if (Date.now() > deadline) throw new Error(`replicas ${[...pending].join(',')} not ready in time`);
      for (const k of [...pending]) {
        const ok = await fetch(`${this.slots[k]!.health}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) pending.delete(k);
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Sends `signal` to replica k's process (the supervisor restarts it when it dies). */
  kill(k: number, signal: NodeJS.Signals = 'SIGKILL'): number {
    const slot = this.slots[k]!;
    if (slot.child?.pid) process.kill(slot.child.pid, signal);
    return slot.pid;
  }

  /** Stops every replica (SIGTERM, then SIGKILL after `graceMs`) and restarts none. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        clearTimeout(slot.timer);
        const child = slot.child;
        if (child && child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await slot.exited;
          clearTimeout(t);
        }
        rmSync(slot.pidFile, { force: true });
      }),
    );
  }

  private launch(slot: Slot): void {
    const p = replicaPorts(this.o.basePorts, slot.k);
    const env: NodeJS.ProcessEnv = {
      ...this.o.env,
      ...this.o.envFor?.(slot.k),
      POD_NAME: slot.podName,
      INTAKE_PORT: String(p.intake),
      HEALTH_PORT: String(p.health),
      METRICS_PORT: String(p.metrics),
    };
    const out = slot.logPath ? openSync(slot.logPath, 'a') : 'pipe';
    const child = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', join(REPO_ROOT, 'operator', 'main.ts')],
      { cwd: REPO_ROOT, env, stdio: ['ignore', out, out] },
    );
    if (!slot.logPath) {
      for (const stream of [child.stdout, child.stderr]) {
        if (stream)
          createInterface({ input: stream }).on('line', (l) => console.log(`[replica-${slot.k}] ${l}`));
      }
    }
    const startedAt = Date.now();
    slot.child = child;
    supervised.add(child);
    slot.pid = child.pid ?? 0;
    writeFileSync(slot.pidFile, `${slot.pid}\n`);
    slot.exited = new Promise((resolve) =>
      child.on('exit', (code, sig) => {
        supervised.delete(child);
        resolve();
        this.onExit(slot, Date.now() - startedAt, code, sig);
      }),
    );
  }

  private onExit(slot: Slot, ranMs: number, code: number | null, sig: NodeJS.Signals | null): void {
    if (this.stopping) return;
    if (ranMs >= this.backoff.resetAfterMs) slot.backoffMs = this.backoff.initialMs;
    const delay = slot.backoffMs;
    slot.backoffMs = Math.min(slot.backoffMs * 2, this.backoff.maxMs);
    this.o.onEvent?.(
      `replica-${slot.k} (pid ${slot.pid}) exited (${sig ?? `code ${code}`}); restarting in ${delay} ms`,
    );
    slot.timer = setTimeout(() => {
      if (this.stopping) return;
      slot.restarts++;
      this.launch(slot);
      this.o.onEvent?.(`replica-${slot.k} restarted as pid ${slot.pid} (restart ${slot.restarts})`);
    }, delay);
  }
}
