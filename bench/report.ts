// bench/results/report.md: the run's numbers in tables, the targets, and how they were measured.
import { CASES, DUPLICATE_SHARE, HOT_FINGERPRINTS, STORM_PODS } from './workload.ts';
import type { BenchResults, CaseRow, RawSummary } from './results.ts';
import { BUSY_WARNING_PCT } from './host.ts';
import type { HostUse } from './host.ts';
import { CACHED_RRS } from './memory.ts';
import { CONCURRENCY, IDLE_WINDOW_MS } from './measure.ts';

const f = (v: number, digits = 1) => v.toFixed(digits);
const list = (xs: number[]) => xs.map((x) => f(x)).join(' / ');
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const header = (cells: string[]) => [row(cells), row(cells.map(() => '---'))];
const hostCell = (h: HostUse) => `${f(h.busyPct)} (${f(h.otherPct)})`;

function baselineTable(r: BenchResults): string[] {
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

function caseTable(cases: CaseRow[]): string[] {
  return [
    ...header([
      'case',
      'replicas',
      'signals',
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

function ratioTable(cases: CaseRow[]): string[] {
  return [
    ...header([
      'case',
      'replicas',
      'x raw create/s',
      'x raw status/s',
      'P95 / raw write P95',
      'API req/duplicate',
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
        f(c.operatorApiRequestsPerSignal, 3),
        f(c.cpuMsPerSignal.operator, 2),
        f(c.cpuMsPerSignal.apiserver, 2),
        hostCell(c.host),
      ]),
    ),
  ];
}

function outcomesTable(cases: CaseRow[]): string[] {
  const fmt = (m: Record<string, number>) =>
    Object.entries(m)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  return [
    ...header(['case', 'replicas', 'outcomes', 'HTTP codes', 'duration s', 'max ms']),
    ...cases.map((c) =>
      row([c.case, c.replicas, fmt(c.outcomes), fmt(c.codes), f(c.durationMs / 1000, 2), f(c.maxMs)]),
    ),
  ];
}

function breakdownTable(cases: CaseRow[]): string[] {
  const lines: string[] = [];
  for (const c of cases) {
    const parts = Object.entries(c.apiBreakdown).map(([k, v]) => `${k}: ${v} (${f(v / c.signals, 3)})`);
    lines.push(
      `- **${c.case} x${c.replicas}** (${c.signals} signals; background subtracted: ${c.apiBackgroundSubtracted}): ${parts.join('; ')}`,
    );
  }
  return lines;
}

function targetsTable(r: BenchResults): string[] {
  return [
    ...header(['target', 'measured on', 'value', 'limit', 'met']),
    ...r.targets.map((t) =>
      row([
        t.target,
        t.subject,
        `${f(t.value, 3)} ${t.unit}`,
        `${f(t.limit, 3)} ${t.unit}`,
        t.met ? 'yes' : '**no**',
      ]),
    ),
  ];
}

function busyWarning(r: BenchResults): string[] {
  const busy = Number(r.machine.busyBeforeStartPct ?? 0);
  const others = Math.max(
    ...[r.baselines.rawCreate, r.baselines.rawStatusUpdate, ...r.cases].map((m) => m.host.otherPct),
  );
  const quiet = `The machine was ${f(busy)}% busy before the run; other processes took at most ${f(others)}% of its CPU during any measurement.`;
  if (busy <= BUSY_WARNING_PCT && others <= BUSY_WARNING_PCT) return [quiet];
  return [
    '',
    `> **Warning:** ${quiet} Something else was running: throughput and latency are lower and noisier`,
    '> than on a quiet machine.',
  ];
}

function idleRss(r: BenchResults): string {
  const one = r.cases.find((c) => c.replicas === 1);
  return one ? f(one.rssIdleMb[0] ?? 0) : '-';
}

export function renderReport(r: BenchResults, chartFile: string): string {
  const met = r.targets.filter((t) => t.met).length;
  const m = r.machine;
  const caseList = CASES.map((c) => `\`${c.name}\` (${c.signals} signals, seed ${c.seed}: ${c.what})`).join(
    '; ',
  );
  return [
    '# Benchmark report',
    '',
    `Generated by \`make bench\` on ${r.generatedAt} in ${r.durationSeconds} s; commit \`${r.commit}\`.`,
    `Machine: ${m.cpus} x ${m.cpuModel}, ${m.memoryGb} GB, ${m.os}; Node ${m.node}; kube-apiserver ${m.kubeApiserver}.`,
    'Everything (etcd, kube-apiserver, the replicas, the load generator) shares this machine over loopback.',
    ...busyWarning(r),
    '',
    `![latency percentiles and throughput per case](${chartFile})`,
    '',
    `## Baselines: the API server alone (concurrency ${r.baselines.concurrency}, warm connections)`,
    '',
    ...baselineTable(r),
    '',
    `## Intake cases (concurrency ${CONCURRENCY}, one alert per request)`,
    '',
    ...caseTable(r.cases),
    '',
    'RSS columns list one value per replica (idle: 2 s after ready; after: once the case settled).',
    '',
    '### Against the baselines, and cost per signal',
    '',
    ...ratioTable(r.cases),
    '',
    '"API req/duplicate": status writes (409s included) and re-reads of RRs beyond the one initial status',
    'write per created RR, divided by the signals answered `duplicate` or `aggregated`. "Operator-counted":',
    "the replicas' own `gateway_k8s_api_requests_total` (watches excluded), a cross-check of the API server's",
    'count. CPU: user + system time of the replica processes (from /proc) and of the API server',
    '(`process_cpu_seconds_total`) from before the load to the settled reading, per signal; etcd and the load',
    'generator are not included. "Machine CPU busy": all cores, from /proc/stat, while the load ran; in',
    "brackets the part used by processes outside the benchmark's own process tree.",
    '',
    '### Outcomes',
    '',
    ...outcomesTable(r.cases),
    '',
    `## Memory with ${r.memory.cachedRRs} RemediationRequests cached`,
    '',
    `One replica started on a namespace holding ${r.memory.cachedRRs} RRs (created and status-initialised like the`,
    `intake does, ${f(r.memory.seedPerSec)} per second while seeding): ready (cache synced) after`,
    `${f(r.memory.readyMs / 1000, 2)} s; five seconds later **${f(r.memory.rssMb)} MB** RSS, of which`,
    `${f(r.memory.heapUsedMb)} MB is used JS heap. An idle replica with an empty cache: ${idleRss(r)} MB.`,
    `One RR as the API server serves it is ${r.memory.rrJsonBytes} bytes of JSON on average,`,
    `${f(r.memory.managedFieldsShare * 100)}% of it \`metadata.managedFields\`.`,
    '',
    `## Targets: ${met} of ${r.targets.length} met`,
    '',
    ...targetsTable(r),
    '',
    '## Where the API requests come from',
    '',
    'API server requests during each case by `VERB resource code`: count (per signal).',
    '',
    ...breakdownTable(r.cases),
    '',
    '## Method',
    '',
    `- One local control plane (real kube-apiserver + etcd, \`--unsafe-no-fsync\`), the CRDs installed; every case`,
    '  runs in a fresh `POD_NAMESPACE` so caches, leases and counts never mix. Replicas are `node` child processes',
    '  of the compiled operator (as the image runs it), admin credentials, auth off, `LOG_LEVEL=warn`.',
    `- Cases: ${caseList}. Each runs with 1 and 3 replicas; requests go round-robin over the replicas.`,
    `  \`dup90\`: each signal is, with probability ${DUPLICATE_SHARE}, one of ${HOT_FINGERPRINTS} hot fingerprints,`,
    `  otherwise a new one. \`storm\`: ${STORM_PODS} pods that do not exist (each pod's owner lookup is one GET).`,
    '  New fingerprints are spread so that no (namespace, alertname) group exceeds the pattern-storm threshold.',
    `- The load generator is a separate process: fixed request count, ${CONCURRENCY} concurrent workers,`,
    '  fetch (undici) with keep-alive, every latency recorded (nearest-rank percentiles). Errors are non-2xx',
    '  answers and failed requests. Throughput is signals over the wall time of the whole run.',
    "- Baselines use the same load generator calling the API server through the product's KubeClient and",
    '  pooled KubeConfig (same HTTP client settings), after one untimed warm-up request per worker. Status',
    '  updates are merge patches of `status.deduplication` with `metadata.resourceVersion`, each worker on its',
    '  own RR (no conflicts): the write a duplicate costs.',
    '- API requests per signal: `apiserver_request_total` read from the API server before and after each case',
    '  (after = once the count stops moving). WATCH/CONNECT (long-running; counted when they end) and',
    '  non-resource paths (/metrics, /readyz) are excluded. Background requests (leader-election renewals, the',
    `  API server's own loops) are measured for ${IDLE_WINDOW_MS / 1000} s while idle and subtracted pro rata.`,
    `- RSS: \`VmRSS\` from /proc of each replica: idle (2 s after ready) and after the case; the ${CACHED_RRS}-RR`,
    '  figure is read 5 s after that replica reported ready. No GC is forced.',
    '- Nothing here is checked by wall clock in `make test`; only the pure helpers have unit tests.',
    '- `node bench/render.ts` re-renders this report and the chart from latest.json; see bench/README.md.',
    '',
  ].join('\n');
}
