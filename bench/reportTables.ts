// The report's tables, one function per table (report.ts puts them in order with the text).
import type { HostUse } from './host.ts';
import type { BenchResults, CaseRow, RawSummary } from './results.ts';
import { perNewFingerprint } from './targets.ts';

export const f = (v: number, digits = 1) => v.toFixed(digits);
const list = (xs: number[]) => xs.map((x) => f(x)).join(' / ');
export const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
export const header = (cells: string[]) => [row(cells), row(cells.map(() => '---'))];
const fmtMap = (m: Record<string, number>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
export const hostCell = (h: HostUse) => `${f(h.busyPct)} (${f(h.otherPct)})`;

export function baselineTable(r: BenchResults): string[] {
  const line = (name: string, s: RawSummary) =>
    row([
      name,
      s.requests,
      f(s.perSec),
      f(s.p50Ms),
      f(s.p95Ms),
      f(s.p99Ms),
      s.errors,
      f(s.apiserverCpuMsPerRequest, 2),
      hostCell(s.host),
    ]);
  return [
    ...header([
      'raw API call',
      'requests',
      'per second',
      'P50 ms',
      'P95 ms',
      'P99 ms',
      'errors',
      'API server CPU ms/request',
      'machine CPU busy % (others)',
    ]),
    line('create RemediationRequest', r.baselines.rawCreate),
    line('status update (resourceVersion-checked)', r.baselines.rawStatusUpdate),
    '',
    `Raw write P95 (the slower of the two, the yardstick for intake P95): **${f(r.baselines.rawWriteP95Ms)} ms**.`,
  ];
}

export function caseTable(cases: CaseRow[]): string[] {
  return [
    ...header([
      'case',
      'replicas',
      'signals',
      'concurrency',
      'signals/s',
      'P50 ms',
      'P95 ms',
      'P99 ms',
      'errors',
      'API req/signal',
      'RSS idle MB',
      'RSS after MB',
    ]),
    ...cases.map((c) =>
      row([
        c.case,
        c.replicas,
        c.signals,
        c.concurrency,
        f(c.signalsPerSec),
        f(c.p50Ms),
        f(c.p95Ms),
        f(c.p99Ms),
        c.errors,
        f(c.apiRequestsPerSignal, 3),
        list(c.rssIdleMb),
        list(c.rssMb),
      ]),
    ),
  ];
}

export function ratioTable(cases: CaseRow[]): string[] {
  return [
    ...header([
      'case',
      'replicas',
      'x raw create/s',
      'x raw status/s',
      'P95 / raw write P95',
      'API req/duplicate',
      'API req/new fingerprint (+ Leases left)',
      'operator-counted req/signal',
      'CPU ms/signal: replicas',
      'CPU ms/signal: API server',
      'machine CPU busy % (others)',
    ]),
    ...cases.map((c) =>
      row([
        c.case,
        c.replicas,
        f(c.vsRawCreate, 2),
        f(c.vsRawStatusUpdate, 2),
        f(c.p95VsRawWriteP95, 2),
        c.apiRequestsPerDuplicate === null ? '-' : f(c.apiRequestsPerDuplicate, 3),
        c.case === 'new' ? `${f(perNewFingerprint(c), 3)} (${c.lockLeasesLeft})` : `- (${c.lockLeasesLeft})`,
        f(c.operatorApiRequestsPerSignal, 3),
        f(c.cpuMsPerSignal.operator, 2),
        f(c.cpuMsPerSignal.apiserver, 2),
        hostCell(c.host),
      ]),
    ),
  ];
}

export function outcomesTable(cases: CaseRow[]): string[] {
  const fmt = fmtMap;
  return [
    ...header(['case', 'replicas', 'outcomes', 'HTTP codes', 'duration s', 'max ms']),
    ...cases.map((c) =>
      row([c.case, c.replicas, fmt(c.outcomes), fmt(c.codes), f(c.durationMs / 1000, 2), f(c.maxMs)]),
    ),
  ];
}

export function breakdownTable(cases: CaseRow[]): string[] {
  const lines: string[] = [];
  for (const c of cases) {
    const parts = Object.entries(c.apiBreakdown).map(([k, v]) => `${k}: ${v} (${f(v / c.signals, 3)})`);
    lines.push(
      `- **${c.case} x${c.replicas}** (${c.signals} signals; background subtracted: ${c.apiBackgroundSubtracted}): ${parts.join('; ')}`,
    );
  }
  return lines;
}

export function targetsTable(r: BenchResults): string[] {
  return [
    ...header(['goal', 'target', 'measured on', 'value', 'limit', 'met']),
    ...r.targets.map((t) =>
      row([
        t.goal,
        t.target,
        t.subject,
        `${f(t.value, 3)} ${t.unit}`,
        `${f(t.limit, 3)} ${t.unit}`,
        t.met ? 'yes' : '**no**',
      ]),
    ),
  ];
}

export function openLoopTable(r: BenchResults): string[] {
  return [
    ...header([
      'case',
      'replicas',
      'rate/s x s',
      'sent/s',
      'P50 ms',
      'P95 ms',
      'P99 ms',
      'max ms',
      'errors',
      'HTTP codes',
      'outcomes',
      'gw-lock Leases left',
    ]),
    ...r.openLoop.map((o) =>
      row([
        o.case,
        o.replicas,
        `${o.rate} x ${o.seconds}`,
        f(o.sentPerSec),
        f(o.latency.p50Ms),
        f(o.latency.p95Ms),
        f(o.latency.p99Ms),
        f(o.latency.maxMs),
        o.errors,
        fmtMap(o.codes),
        fmtMap(o.outcomes),
        o.lockLeasesLeft,
      ]),
    ),
  ];
}

export function profileTable(r: BenchResults): string[] {
  return [
    ...header(['#', 'function', 'url:line', 'self ms', '% of samples']),
    ...r.profile.top.map((e, i) =>
      row([i + 1, `\`${e.function}\``, e.location ? `\`${e.location}\`` : '-', f(e.selfMs), f(e.pct, 2)]),
    ),
  ];
}

/** Each replica of `new` x1 and x3: idle RSS, and RSS once the 2000 new RRs settled. */
export function rssTable(r: BenchResults): string[] {
  const rows = r.cases
    .filter((c) => c.case === 'new')
    .flatMap((c) =>
      c.rssIdleMb.map((idle, i) => row([`new x${c.replicas}`, `replica ${i}`, f(idle), f(c.rssMb[i] ?? 0)])),
    );
  return [...header(['case', 'replica', 'RSS idle MB', 'RSS after 2000 new RRs MB']), ...rows];
}
