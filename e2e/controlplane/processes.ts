// Starting and stopping the control plane's processes by PID, each behind guard.sh so it dies
// with its parent. A state directory per control plane records the PIDs, so a later run can
// reap what an interrupted one left behind.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GUARD = join(dirname(fileURLToPath(import.meta.url)), 'guard.sh');
export const STATE_PREFIX = 'kubernaut-cp-';

export interface ManagedProcess {
  name: string;
  pid: number;
  logPath: string;
  exited: Promise<number | null>;
}

export function startGuarded(name: string, binary: string, args: string[], logPath: string): ManagedProcess {
  const log = openSync(logPath, 'a');
  const child = spawn(GUARD, [String(process.pid), binary, ...args], { stdio: ['ignore', log, log] });
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { name, pid: child.pid, logPath, exited };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`. Resolves when the process is gone. */
export async function stopProcess(proc: ManagedProcess, graceMs = 5000): Promise<void> {
  if (!alive(proc.pid)) return;
  process.kill(proc.pid, 'SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  if ((await Promise.race([proc.exited, timer])) === 'timeout' && alive(proc.pid)) {
    process.kill(proc.pid, 'SIGKILL');
    await proc.exited;
  }
}

export function makeStateDir(): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = join(base, `${STATE_PREFIX}${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  return dir;
}

export function recordPids(stateDir: string, pids: number[]): void {
  writeFileSync(join(stateDir, 'pids'), pids.join('\n'));
}

/** Kills processes and removes state dirs left by control planes whose owner has died. */
export function reapOrphans(): void {
  for (const base of new Set(['/dev/shm', tmpdir()])) {
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base)) {
      if (!entry.startsWith(STATE_PREFIX)) continue;
      const dir = join(base, entry);
      const owner = Number(readFileOr(join(dir, 'owner.pid'), '0'));
      if (owner > 0 && alive(owner)) continue;
      for (const pid of readFileOr(join(dir, 'pids'), '').split('\n').map(Number)) {
        if (pid > 0 && alive(pid)) process.kill(pid, 'SIGTERM'); // the guard stops its child
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function readFileOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}
