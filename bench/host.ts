// Whole-machine CPU use from /proc: the benchmark shares two cores with everything it measures,
// so it records how busy the machine was and how much of that was not its own process tree
// (the control plane, the replicas, the load generator): other work on the machine skews results.
import { readFileSync, readdirSync } from 'node:fs';

/** Busier than this before the run, or taken by other processes during a measurement: say so. */
export const BUSY_WARNING_PCT = 15;

interface CpuTicks {
  busy: number;
  total: number;
}

function hostCpu(): CpuTicks {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  const total = n.slice(0, 8).reduce((s, v) => s + v, 0); // user..steal; guest time is inside user
  const idle = (n[3] ?? 0) + (n[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/**
 * CPU ticks used by this process and all its descendants, including descendants that already
 * exited (the kernel adds a reaped child's time to its parent's cutime/cstime).
 */
function treeTicks(root = process.pid): number {
  const procs = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ')
        .map(Number);
      // f[1] = ppid; f[11..14] = utime, stime, cutime, cstime (fields 14-17 of proc(5)).
      procs.set(Number(entry), { ppid: f[1]!, ticks: f[11]! + f[12]! + f[13]! + f[14]! });
    } catch {
      // the process exited while we looked
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === root) return true;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  let sum = 0;
  for (const [pid, p] of procs) if (inTree(pid)) sum += p.ticks;
  return sum;
}

export interface HostSnapshot {
  cpu: CpuTicks;
  tree: number;
}

export function hostSnapshot(): HostSnapshot {
  return { cpu: hostCpu(), tree: treeTicks() };
}

export interface HostUse {
  /** All cores, percent busy. */
  busyPct: number;
  /** Percent of all cores used by processes outside the benchmark's tree. */
  otherPct: number;
}

export function hostUse(a: HostSnapshot, b: HostSnapshot): HostUse {
  const total = b.cpu.total - a.cpu.total;
  if (total <= 0) return { busyPct: 0, otherPct: 0 };
  const pct = (ticks: number) => Math.round((Math.max(0, ticks) / total) * 1000) / 10;
  const busy = b.cpu.busy - a.cpu.busy;
  return { busyPct: pct(busy), otherPct: pct(busy - (b.tree - a.tree)) };
}

/** How busy the machine is over `ms` (before the benchmark starts anything: should be near 0). */
export async function sampleBusy(ms: number): Promise<number> {
  const a = hostCpu();
  await new Promise((r) => setTimeout(r, ms));
  const b = hostCpu();
  return b.total > a.total ? Math.round(((b.busy - a.busy) / (b.total - a.total)) * 1000) / 10 : 0;
}
