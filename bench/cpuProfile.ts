// Reads a V8 .cpuprofile (what `node --cpu-prof` writes): nodes (call-tree entries with their
// call frames), samples (the node on top of the stack at each tick) and timeDeltas (microseconds
// between ticks). A sample lasts until the next one (as Chrome DevTools counts it); self time
// per function is the sum over the nodes of that function (one per call path).

interface CallFrame {
  functionName: string;
  url: string;
  /** 0-based. */
  lineNumber: number;
}

export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  /** Microseconds (the profiled process's monotonic clock). */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  function: string;
  /** `url:line` (1-based line), the url relative to `root` (or from `node_modules/`) when under it. */
  location: string;
  selfMs: number;
  /** Of all sampled time, idle included. */
  pct: number;
}

export interface ProfileTop {
  totalMs: number;
  idleMs: number;
  samples: number;
  /** Biggest self time first, `(idle)` left out. */
  top: ProfileEntry[];
}

const r2 = (v: number) => Math.round(v * 100) / 100;

function location(f: CallFrame, root: string): string {
  if (!f.url) return '';
  let url = f.url.startsWith('file://') ? f.url.slice('file://'.length) : f.url;
  if (root && url.startsWith(`${root}/`)) url = url.slice(root.length + 1);
  const deps = url.lastIndexOf('/node_modules/');
  if (deps >= 0) url = url.slice(deps + 1);
  return `${url}:${f.lineNumber + 1}`;
}

/** A span of the profile's clock (microseconds): only samples taken inside it count. */
export interface SampleWindow {
  fromUs: number;
  toUs: number;
}

export function topSelfTime(profile: CpuProfile, limit = 15, root = '', window?: SampleWindow): ProfileTop {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const selfUs = new Map<string, { fn: string; loc: string; us: number }>();
  let totalUs = 0;
  let idleUs = 0;
  let samples = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    const us = profile.timeDeltas[i + 1] ?? 0;
    const f = frames.get(id);
    if (!f || (window && (at < window.fromUs || at > window.toUs))) return;
    samples++;
    totalUs += us;
    if (f.functionName === '(idle)') {
      idleUs += us;
      return;
    }
    const fn = f.functionName || '(anonymous)';
    const loc = location(f, root);
    const key = `${fn}\u0000${loc}`;
    const e = selfUs.get(key) ?? { fn, loc, us: 0 };
    e.us += us;
    selfUs.set(key, e);
  });
  const top = [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, limit)
    .map((e) => ({
      function: e.fn,
      location: e.loc,
      selfMs: r2(e.us / 1000),
      pct: totalUs > 0 ? r2((e.us / totalUs) * 100) : 0,
    }));
  return { totalMs: r2(totalUs / 1000), idleMs: r2(idleUs / 1000), samples, top };
}
