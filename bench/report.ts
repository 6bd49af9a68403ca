// bench/results/report.md: the goals (met or not), the run's numbers in tables, the CPU
// profile, the charts, where the API requests come from, and how everything was measured.
import type { Chart } from './charts.ts';
import { BUSY_WARNING_PCT } from './host.ts';
import { IDLE_WINDOW_MS } from './apiWindow.ts';
import { CACHED_RRS } from './memory.ts';
import { PROFILE_TOP } from './profile.ts';
import {
  baselineTable,
  breakdownTable,
  caseTable,
  f,
  openLoopTable,
  outcomesTable,
  profileTable,
  ratioTable,
  rssTable,
  targetsTable,
} from './reportTables.ts';
import type { BenchResults } from './results.ts';
import { CASES, DUPLICATE_SHARE, HOT_FINGERPRINTS, OPEN_LOOP, STORM_PODS } from './workload.ts';

function busyWarning(r: BenchResults): string[] {
  const busy = Number(r.machine.busyBeforeStartPct ?? 0);
  const others = Math.max(
    ...[r.baselines.rawCreate, r.baselines.rawStatusUpdate, ...r.cases].map((m) => m.host.otherPct),
  );
  const quiet = `The machine was ${f(busy)}% busy before the run; other processes took at most ${f(others)}% of its CPU during any closed-loop measurement.`;
  if (busy <= BUSY_WARNING_PCT && others <= BUSY_WARNING_PCT) return [quiet];
  return [
    '',
    `> **Warning:** ${quiet} Something else was running: throughput, latency and CPU per signal are`,
    '> lower and noisier than on a quiet machine.',
  ];
}

function lockNote(r: BenchResults): string[] {
  const off = r.openLoop.find((o) => o.case === 'rate20-new-nolock');
  if (!off || off.lockLeasesLeft === 0) return [];
  return [
    '',
    `> The run "without the lock" left ${off.lockLeasesLeft} \`gw-lock-*\` Leases: this build does not honour`,
    '> `INTAKE_LOCK_ENABLED=false` yet, so both runs used the lock and their difference is noise.',
  ];
}

function method(r: BenchResults): string[] {
  const caseList = CASES.map(
    (c) =>
      `\`${c.name}\` (${c.signals} signals, concurrency ${c.concurrency}, x${c.replicas.join('/x')}: ${c.what})`,
  ).join('; ');
  const openList = OPEN_LOOP.map((o) => `\`${o.name}\` (${o.rate}/s for ${o.seconds} s: ${o.what})`).join(
    '; ',
  );
  const auth = r.setup.auth
    ? "auth on as the chart runs it: each case's replicas use their own `kubernaut-intake` ServiceAccount token with exactly the RBAC of `rbac/` (TokenReview and SubjectAccessReview included); senders present a TokenRequest token with audience `kubernaut-intake` bound to `kubernaut-signal-source`"
    : 'auth off (`BENCH_AUTH=off`), admin credentials';
  return [
    '## Method',
    '',
    `- One local control plane (real kube-apiserver + etcd, \`--unsafe-no-fsync\`), the CRDs installed; every case`,
    '  runs in a fresh `POD_NAMESPACE` so caches, leases and counts never mix. Replicas are `node` child processes',
    `  of the compiled operator as the image runs it (\`node dist/operator/main.js\`, \`NODE_ENV=production\`), with`,
    `  \`NODE_OPTIONS="${r.setup.nodeOptions}"\` read from the chart's values.yaml (\`nodeOptions\`), ${auth}; \`LOG_LEVEL=warn\`.`,
    '  Every case but `storm` runs with `STORM_BUFFER_SECONDS=0` (see bench/README.md); `storm` uses the default buffer.',
    `- Closed-loop cases: ${caseList}. Requests go round-robin over the replicas, one alert per request.`,
    `  \`dup90\`: each signal is, with probability ${DUPLICATE_SHARE}, one of ${HOT_FINGERPRINTS} hot fingerprints,`,
    `  otherwise a new one. \`storm\`: ${STORM_PODS} pods that do not exist (each pod's owner lookup is one GET).`,
    '  `dup` and `burst` create their RRs first (one signal per fingerprint), outside the measurement.',
    '  New fingerprints are spread so that no (namespace, alertname) group exceeds the pattern-storm threshold.',
    '- The closed-loop load generator is a separate process: fixed request count and concurrency, fetch (undici) with',
    '  keep-alive, every latency recorded (nearest-rank percentiles). Throughput is signals over the wall time.',
    `- Open-loop cases (vegeta, \`-format=json\` targets, fixed \`-rate\` and \`-duration\`, ${r.setup.openLoopReplicas} replicas: the`,
    `  chart's \`replicaCount\`): ${openList}. Percentiles and per-status counts are computed here from`,
    '  `vegeta encode -to json` (one line per request).',
    "- Baselines use the closed-loop load generator calling the API server through the product's KubeClient (warm",
    '  connections). Status updates are merge patches of `status.deduplication` with `metadata.resourceVersion`.',
    '- API requests: `apiserver_request_total` read from the API server before and after each case (after = once the',
    '  count stops moving). WATCH/CONNECT and non-resource paths are excluded. Background requests (leader election,',
    `  the API server's own loops) are measured for ${IDLE_WINDOW_MS / 1000} s while idle and subtracted pro rata. Per new`,
    '  fingerprint adds one request per `gw-lock-*` Lease left in the namespace after the case (the lease-cleanup',
    '  controller deletes each one later).',
    '- CPU per signal: user + system time of the replica processes (from /proc) over the case, divided by its signals.',
    `- Profile: one replica under \`node --cpu-prof\` through a separate \`${r.profile.case}\` pass (${r.profile.signals} signals),`,
    `  stopped with SIGTERM; the top ${PROFILE_TOP} functions by self time are computed from the .cpuprofile's nodes, samples`,
    '  and timeDeltas (idle left out; % of all sampled time).',
    `- RSS: \`VmRSS\` of each replica: idle (2 s after ready) and after the case; the ${CACHED_RRS}-RR figure is read`,
    '  5 s after that replica reported ready. No GC is forced.',
    '- Goals are reported, never enforced; `make test` times nothing. `node bench/render.ts` re-renders this report',
    '  and the charts from latest.json; see bench/README.md.',
    '',
  ];
}

export function renderReport(r: BenchResults, charts: Chart[]): string {
  const met = r.targets.filter((t) => t.met).length;
  const m = r.machine;
  return [
    '# Benchmark report',
    '',
    `Generated by \`make bench\` on ${r.generatedAt} in ${r.durationSeconds} s; commit \`${r.commit}\`.`,
    `Machine: ${m.cpus} x ${m.cpuModel}, ${m.memoryGb} GB, ${m.os}; Node ${m.node}; kube-apiserver ${m.kubeApiserver}.`,
    'Everything (etcd, kube-apiserver, the replicas, the load generators) shares this machine over loopback.',
    ...busyWarning(r),
    '',
    `## Goals (issue 12): ${met} of ${r.targets.length} met`,
    '',
    ...targetsTable(r),
    ...lockNote(r),
    '',
    ...charts.flatMap((c) => [`![${c.title}](${c.file})`, '']),
    '',
    `## Memory (NODE_OPTIONS \`${r.setup.nodeOptions}\`)`,
    '',
    ...rssTable(r),
    '',
    `One replica started on a namespace holding ${r.memory.cachedRRs} RRs (seeded at ${f(r.memory.seedPerSec)}/s): ready after`,
    `${f(r.memory.readyMs / 1000, 2)} s; five seconds later **${f(r.memory.rssMb)} MB** RSS, ${f(r.memory.heapUsedMb)} MB of it used JS heap.`,
    `One RR as the API server serves it is ${r.memory.rrJsonBytes} bytes of JSON on average,`,
    `${f(r.memory.managedFieldsShare * 100)}% of it \`metadata.managedFields\`.`,
    '',
    '## Open loop (vegeta)',
    '',
    ...openLoopTable(r),
    '',
    `## CPU profile: ${r.profile.case} x1, top ${r.profile.top.length} by self time`,
    '',
    `${r.profile.samples} samples over the ${f(r.profile.totalMs / 1000, 2)} s of the load (start-up and shutdown left out), ${f(r.profile.idleMs / 1000, 2)} s of it idle; replica exit code ${r.profile.exitCode}.`,
    '',
    ...profileTable(r),
    '',
    `## Baselines: the API server alone (concurrency ${r.baselines.concurrency}, warm connections)`,
    '',
    ...baselineTable(r),
    '',
    '## Closed-loop intake cases',
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
    'write per created RR, divided by the signals answered `duplicate` or `aggregated`. "API req/new fingerprint":',
    'API requests per signal plus the `gw-lock-*` Leases left (in brackets, for every case). "Operator-counted": the',
    "replicas' own `gateway_k8s_api_requests_total` (watches excluded). CPU: replica processes (from /proc) and the",
    'API server (`process_cpu_seconds_total`), per signal. "Machine CPU busy": all cores while the load ran; in',
    "brackets the part used by processes outside the benchmark's own process tree.",
    '',
    '### Outcomes',
    '',
    ...outcomesTable(r.cases),
    '',
    '## Where the API requests come from',
    '',
    'API server requests during each case by `VERB resource code`: count (per signal).',
    '',
    ...breakdownTable(r.cases),
    '',
    ...method(r),
  ].join('\n');
}
