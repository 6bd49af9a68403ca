// Whole-machine CPU use from /proc/stat: the benchmark shares two cores with everything it
// measures, so it records how busy the machine was (and whether anything else was running).
import { readFileSync } from 'node:fs';

/** Busier than this before the benchmark starts: something else is using the machine. */
export const BUSY_WARNING_PCT = 15;

export interface CpuTicks {
  busy: number;
  total: number;
}

export function hostCpu(): CpuTicks {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, ...values] = line.trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.slice(0, 8).reduce((s, v) => s + v, 0); // user..steal; guest time is inside user
  const idle = (n[3] ?? 0) + (n[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** Percentage of all cores busy between two readings. */
export function busyPct(a: CpuTicks, b: CpuTicks): number {
  const total = b.total - a.total;
  return total > 0 ? Math.round(((b.busy - a.busy) / total) * 1000) / 10 : 0;
}

/** How busy the machine is over `ms` (before the benchmark starts anything: should be near 0). */
export async function sampleBusy(ms: number): Promise<number> {
  const a = hostCpu();
  await new Promise((r) => setTimeout(r, ms));
  return busyPct(a, hostCpu());
}
