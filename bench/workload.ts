// The benchmark's workloads: fixed sizes, fixed seeds, one alert per Alertmanager request.
// `new` and the fresh fingerprints of `dup90` are spread so that no (namespace, alertname) group
// ever holds more than GROUP_SIZE targets: the default pattern-storm rule fires above 5 distinct
// resources per group, and these cases must measure creates, not storm folding.
import { createHash } from 'node:crypto';
import { hex, mulberry32, pick } from './prng.ts';
import type { Rng } from './prng.ts';

export type CaseName = 'new' | 'dup90' | 'dup' | 'storm' | 'burst';

export interface CaseSpec {
  name: CaseName;
  signals: number;
  seed: number;
  what: string;
  /** Replica counts it runs with. */
  replicas: readonly number[];
  /** Concurrent requests of the load generator. */
  concurrency: number;
  /** Hot fingerprints whose RRs are created first, outside the measurement. */
  prime: number;
  /** Run with the product's default storm buffer (else STORM_BUFFER_SECONDS=0, see README). */
  stormBuffer: boolean;
}

/**
 * BENCH_SCALE (default 1) multiplies the case sizes and open-loop durations: a quick smoke run of
 * the whole pipeline (e.g. 0.1), never a result to commit. The burst stays 200 at once.
 */
export const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const scaled = (n: number, min = 1) => Math.max(min, Math.round(n * SCALE));

const closed = { replicas: [1, 3], concurrency: 64, prime: 0, stormBuffer: false };

export const CASES: readonly CaseSpec[] = [
  {
    ...closed,
    name: 'new',
    signals: scaled(2000),
    seed: 0x5eed0001,
    what: 'every signal a new fingerprint (Deployment targets)',
  },
  {
    ...closed,
    name: 'dup90',
    signals: scaled(3000),
    seed: 0x5eed0002,
    what: '90% of signals on 50 hot fingerprints, 10% new',
  },
  {
    ...closed,
    name: 'dup',
    signals: scaled(2000),
    seed: 0x5eed0004,
    replicas: [1],
    prime: 50,
    what: 'every signal a duplicate of one of 50 RRs created first (outside the measurement)',
  },
  {
    ...closed,
    name: 'storm',
    signals: scaled(1000),
    seed: 0x5eed0003,
    stormBuffer: true,
    what: 'one alertname over 400 pods of one namespace (default storm buffer)',
  },
  {
    ...closed,
    name: 'burst',
    signals: 200,
    seed: 0x5eed0005,
    replicas: [1],
    concurrency: 200,
    prime: 1,
    what: '200 duplicates of one RR (created first) sent at once',
  },
];

/** Open-loop cases (vegeta): a fixed arrival rate, whatever the answers' latency. */
export interface OpenLoopSpec {
  name: string;
  mix: 'dup90' | 'new';
  rate: number;
  seconds: number;
  seed: number;
  what: string;
  env: Record<string, string>;
}

export const OPEN_LOOP: readonly OpenLoopSpec[] = [
  {
    name: 'rate50-dup90',
    mix: 'dup90',
    rate: 50,
    seconds: scaled(20, 2),
    seed: 0x5eed0006,
    what: 'dup90 mix at 50 signals/s',
    env: {},
  },
  {
    name: 'rate20-new-lock',
    mix: 'new',
    rate: 20,
    seconds: scaled(15, 2),
    seed: 0x5eed0007,
    what: 'new fingerprints at 20 signals/s, creation lock on',
    env: {},
  },
  {
    name: 'rate20-new-nolock',
    mix: 'new',
    rate: 20,
    seconds: scaled(15, 2),
    seed: 0x5eed0007,
    what: 'the same without the creation lock (INTAKE_LOCK_ENABLED=false)',
    env: { INTAKE_LOCK_ENABLED: 'false' },
  },
];

export const GROUP_SIZE = 5;
export const HOT_FINGERPRINTS = 50;
export const DUPLICATE_SHARE = 0.9;
export const STORM_PODS = 400;
export const STORM_NAMESPACE = 'bench-storm';
export const TARGET_NAMESPACES = Array.from(
  { length: 20 },
  (_, i) => `bench-app-${String(i).padStart(2, '0')}`,
);
const ALERTNAMES = [
  'KubeDeploymentReplicasMismatch',
  'KubeDeploymentRolloutStuck',
  'KubeDeploymentGenerationMismatch',
  'KubeContainerWaiting',
  'KubePodNotReady',
  'KubeHpaMaxedOut',
  'KubeHpaReplicasMismatch',
  'CPUThrottlingHigh',
  'KubeMemoryOvercommit',
  'KubePersistentVolumeFillingUp',
  'TargetDown',
  'HighErrorRate',
  'HighLatencyP99',
  'ServiceDown',
  'ErrorBudgetBurn',
  'RequestQueueSaturated',
  'ConnectionPoolExhausted',
  'CacheHitRateLow',
  'CertificateExpiringSoon',
  'ReplicaLagHigh',
  'GCPauseHigh',
  'ThreadPoolExhausted',
  'OutOfMemoryRestarts',
  'ProbeFailures',
  'UpstreamTimeouts',
];
/** Distinct fresh targets available before a group would exceed GROUP_SIZE. */
export const MAX_UNIQUE_TARGETS = TARGET_NAMESPACES.length * ALERTNAMES.length * GROUP_SIZE;

export interface Alert {
  status: 'firing';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

const STARTS_AT = '2026-01-01T00:00:00Z';

function makeAlert(labels: Record<string, string>): Alert {
  const id = createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16);
  const subject = labels.deployment ?? labels.pod ?? '';
  return {
    status: 'firing',
    labels: { ...labels, severity: 'critical', prometheus: 'monitoring/k8s' },
    annotations: {
      summary: `${labels.alertname} on ${labels.namespace}/${subject}`,
      description: `${labels.alertname} has been firing for more than 5 minutes for ${subject}.`,
      runbook_url: `https://runbooks.example.com/${labels.alertname}`,
    },
    startsAt: STARTS_AT,
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: `http://prometheus:9090/graph?g0.expr=${labels.alertname}`,
    fingerprint: id,
  };
}

/** The k-th distinct Deployment target; groups of GROUP_SIZE share a namespace and an alertname. */
export function uniqueTarget(k: number): Alert {
  if (k >= MAX_UNIQUE_TARGETS) throw new Error(`only ${MAX_UNIQUE_TARGETS} storm-free targets exist`);
  return deploymentAlert(k);
}

/** The alert about Deployment `svc-<k>`; past MAX_UNIQUE_TARGETS its group holds more than GROUP_SIZE. */
export function deploymentAlert(k: number): Alert {
  const group = Math.floor(k / GROUP_SIZE) % (TARGET_NAMESPACES.length * ALERTNAMES.length);
  const namespace = TARGET_NAMESPACES[group % TARGET_NAMESPACES.length]!;
  const alertname = ALERTNAMES[Math.floor(group / TARGET_NAMESPACES.length)]!;
  return makeAlert({ alertname, namespace, deployment: `svc-${String(k).padStart(4, '0')}` });
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = pick(rng, i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function newAlerts(rng: Rng, count: number): Alert[] {
  return shuffle(
    rng,
    Array.from({ length: count }, (_, k) => uniqueTarget(k)),
  );
}

function dup90Alerts(rng: Rng, count: number): Alert[] {
  const hot = Array.from({ length: HOT_FINGERPRINTS }, (_, k) => uniqueTarget(k));
  let fresh = HOT_FINGERPRINTS;
  return Array.from({ length: count }, () =>
    rng() < DUPLICATE_SHARE ? hot[pick(rng, hot.length)]! : uniqueTarget(fresh++),
  );
}

function stormAlerts(rng: Rng, count: number): Alert[] {
  const pods = Array.from({ length: STORM_PODS }, () => `web-7c9f8d6b5-${hex(rng, 3).slice(0, 5)}`);
  return Array.from({ length: count }, () =>
    makeAlert({
      alertname: 'KubePodCrashLooping',
      namespace: STORM_NAMESPACE,
      pod: pods[pick(rng, pods.length)]!,
      container: 'web',
    }),
  );
}

function hotAlerts(count: number): Alert[] {
  return Array.from({ length: count }, (_, k) => uniqueTarget(k));
}

/**
 * Duplicates that count: each is a new firing of an alert that already has its RR (its own
 * `startsAt`), so every one is a new occurrence written to the RR. The same notification sent
 * again would be a redelivery, answered from the cache without any write.
 */
function dupAlerts(rng: Rng, count: number, hot: number): Alert[] {
  const targets = hotAlerts(hot);
  const start = Date.parse(STARTS_AT);
  return Array.from({ length: count }, (_, i) => ({
    ...targets[pick(rng, targets.length)]!,
    startsAt: new Date(start + (i + 1) * 1000).toISOString(),
  }));
}

/** The alerts of a case, in sending order. */
export function alertsFor(spec: CaseSpec): Alert[] {
  const rng = mulberry32(spec.seed);
  if (spec.name === 'new') return newAlerts(rng, spec.signals);
  if (spec.name === 'dup90') return dup90Alerts(rng, spec.signals);
  if (spec.name === 'dup' || spec.name === 'burst') return dupAlerts(rng, spec.signals, spec.prime);
  return stormAlerts(rng, spec.signals);
}

/** The alerts sent before a case's measurement (their RRs exist when it starts). */
export function primeAlertsFor(spec: CaseSpec): Alert[] {
  return hotAlerts(spec.prime);
}

/** The alerts of an open-loop case, in sending order: rate x seconds of them. */
export function openLoopAlerts(spec: OpenLoopSpec): Alert[] {
  const rng = mulberry32(spec.seed);
  const count = spec.rate * spec.seconds;
  return spec.mix === 'new' ? newAlerts(rng, count) : dup90Alerts(rng, count);
}

/** An Alertmanager webhook (v4) carrying one alert. */
export function webhookPayload(a: Alert) {
  return {
    version: '4',
    groupKey: `{}:{alertname="${a.labels.alertname}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'kubernaut',
    groupLabels: { alertname: a.labels.alertname },
    commonLabels: a.labels,
    commonAnnotations: a.annotations,
    externalURL: 'http://alertmanager:9093',
    alerts: [a],
  };
}

export function caseSpec(name: string): CaseSpec {
  const spec = CASES.find((c) => c.name === name);
  if (!spec) throw new Error(`unknown case ${name}`);
  return spec;
}
