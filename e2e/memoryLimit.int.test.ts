// Issue 10 scenario 8 / issue 8 item 4: one operator process with the chart's Node settings
// (NODE_OPTIONS from values.yaml) and the default load bounds, fed the largest batches the intake
// accepts (bodyLimitBytes, maxAlertsPerRequest) at high concurrency against the real API server.
// Expected: 503 + Retry-After when shedding, the process stays up, its peak RSS (VmHWM from /proc;
// this machine's cgroup v2 has no memory controller, so no real memory.max) stays under the
// chart's memory limit with margin, and every acknowledged alert is counted on its RR.
// Sizes: MEMORY_TEST_BATCHES (default 96) batches at MEMORY_TEST_CONCURRENCY (default 48), each of
// MEMORY_TEST_ALERTS_PER_BATCH alerts (default intake.maxAlertsPerRequest) padded to the body limit.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { defaultConfig } from '../operator/config/schema.ts';
import { adminClient, controlPlaneInfo, eventually, freshNamespace } from '../test/support/cluster.ts';
import { PROMETHEUS } from '../test/support/operator.ts';
import { REPO_ROOT } from './controlplane/install.ts';
import { freePort } from './controlplane/ports.ts';

const BATCHES = Number(process.env.MEMORY_TEST_BATCHES ?? 96);
// For measurement runs only: flags added to the chart's NODE_OPTIONS.
const EXTRA_NODE_OPTIONS = process.env.MEMORY_TEST_EXTRA_NODE_OPTIONS ?? '';
const CONCURRENCY = Number(process.env.MEMORY_TEST_CONCURRENCY ?? 48);
const FINGERPRINTS = 8;
const defaults = defaultConfig().intake;
// Alerts per even batch (default the most accepted); odd batches carry 10, padded to the same size.
const ALERTS_PER_BATCH = Number(process.env.MEMORY_TEST_ALERTS_PER_BATCH ?? defaults.maxAlertsPerRequest);

function chartNodeSettings(): { nodeOptions: string; limitBytes: number } {
  const values = parse(readFileSync(join(REPO_ROOT, 'charts/kubernaut-intake/values.yaml'), 'utf8')) as {
    nodeOptions: string;
    resources: { limits: { memory: string } };
  };
  const m = /^(\d+)(Mi|Gi)$/.exec(values.resources.limits.memory);
  if (!m) throw new Error(`unexpected memory limit ${values.resources.limits.memory}`);
  return { nodeOptions: values.nodeOptions, limitBytes: Number(m[1]) * 1024 ** (m[2] === 'Gi' ? 3 : 2) };
}

function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN);
}

/** The largest batch the intake accepts: maxAlertsPerRequest alerts padded to just under the body limit. */
function largestBatch(batch: number): { body: Buffer; alerts: { fp: number }[] } {
  // Odd batches carry few alerts in the same bytes, so both bounds (bytes and alerts) are fed.
  const count = batch % 2 === 0 ? ALERTS_PER_BATCH : Math.min(10, ALERTS_PER_BATCH);
  const alerts = Array.from({ length: count }, (_, i) => ({
    status: 'firing',
    labels: { alertname: 'MemoryLimit', namespace: `mem-${i % FINGERPRINTS}`, pod: 'p', severity: 'warning' },
    annotations: { pad: '' },
    // A distinct firing each, so redelivery detection (if any) never merges two of them.
    startsAt: new Date(Date.UTC(2026, 10, 1) + batch * 10_000 + i).toISOString(),
    fingerprint: randomBytes(8).toString('hex'),
  }));
  const empty = Buffer.byteLength(JSON.stringify({ version: '4', alerts }));
  const pad = Math.floor((defaults.bodyLimitBytes - 512 - empty) / alerts.length);
  for (const a of alerts) a.annotations.pad = 'x'.repeat(Math.max(0, pad));
  const body = Buffer.from(JSON.stringify({ version: '4', alerts }));
  if (body.length > defaults.bodyLimitBytes) throw new Error('batch over the body limit');
  return { body, alerts: alerts.map((_, i) => ({ fp: i % FINGERPRINTS })) };
}

interface Tally {
  statuses: Map<number, number>;
  retryAfterMissing: number;
  failedInside503: number;
  /** acknowledged occurrences per target namespace index */
  acked: number[];
}

async function send(url: string, batch: number, tally: Tally): Promise<void> {
  const { body, alerts } = largestBatch(batch);
  const gzip = batch % 4 === 3; // some arrive compressed: counted by what they inflate to
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
    body: gzip ? gzipSync(body) : body,
  });
  const reply = (await res.json()) as { results?: { status: string }[]; detail?: string };
  tally.statuses.set(res.status, (tally.statuses.get(res.status) ?? 0) + 1);
  if (res.status === 503 && !res.headers.get('retry-after')) tally.retryAfterMissing++;
  if (res.status === 503 && reply.results) tally.failedInside503++; // processed in part, not shed
  if (res.status >= 200 && res.status < 300) {
    reply.results!.forEach((r, i) => {
      if (r.status === 'created' || r.status === 'duplicate') tally.acked[alerts[i]!.fp]!++;
    });
  }
}

describe('memory limit: largest batches at high concurrency with the chart settings', () => {
  let proc: ChildProcess;
  let exit: Promise<number | null>;
  let logPath: string;

  afterAll(() => {
    proc?.kill('SIGKILL');
  });

  it('sheds with 503s, stays up under the memory limit, and stores every acknowledged alert', async () => {
    const { nodeOptions, limitBytes } = chartNodeSettings();
    const ns = await freshNamespace('memlimit');
    const [intake, health, metrics] = [await freePort(), await freePort(), await freePort()];
    logPath = join(mkdtempSync(join(tmpdir(), 'memlimit-')), 'operator.log');
    const log = openSync(logPath, 'w');
    proc = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', join(REPO_ROOT, 'operator/main.ts')],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', log, log],
        env: {
          ...process.env,
          NODE_OPTIONS: `${nodeOptions} ${EXTRA_NODE_OPTIONS}`.trim(),
          KUBECONFIG: controlPlaneInfo().kubeconfigPath,
          POD_NAMESPACE: ns,
          POD_NAME: 'memlimit-0',
          INTAKE_PORT: String(intake),
          HEALTH_PORT: String(health),
          METRICS_PORT: String(metrics),
          INTAKE_AUTH_ENABLED: 'false',
          LEADER_ELECTION_ENABLED: 'false',
          LOG_LEVEL: 'warn',
        },
      },
    );
    exit = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
    const pid = proc.pid!;
    await eventually(
      `operator ready (log: ${logPath})`,
      async () =>
        (await fetch(`http://127.0.0.1:${health}/readyz`).catch(() => undefined))?.ok ? true : undefined,
      60_000,
    );
    const baselineKb = procStatusKb(pid, 'VmRSS');

    const tally: Tally = {
      statuses: new Map(),
      retryAfterMissing: 0,
      failedInside503: 0,
      acked: Array(FINGERPRINTS).fill(0),
    };
    const url = `http://127.0.0.1:${intake}${PROMETHEUS}`;
    let next = 0;
    const worker = async () => {
      while (next < BATCHES) await send(url, next++, tally);
    };
    const peaks = { alerts: 0, bytes: 0, heapMb: 0 };
    let loading = true;
    const sampler = (async () => {
      while (loading) {
        const text = await (
          await fetch(`http://127.0.0.1:${metrics}/metrics`).catch(() => undefined)
        )?.text();
        const read = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text ?? '')?.[1] ?? 0);
        peaks.alerts = Math.max(peaks.alerts, read('gateway_intake_inflight_alerts'));
        peaks.bytes = Math.max(peaks.bytes, read('gateway_intake_inflight_bytes'));
        peaks.heapMb = Math.max(peaks.heapMb, read('nodejs_heap_size_used_bytes') / 1024 ** 2);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    loading = false;
    await sampler;

    const peakKb = procStatusKb(pid, 'VmHWM');
    const shed = tally.statuses.get(503) ?? 0;
    const ok = [...tally.statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
    process.stdout.write(
      `memory-limit: ${BATCHES} batches x ${ALERTS_PER_BATCH} alerts (${(largestBatch(0).body.length / 1024).toFixed(0)} KiB) at concurrency ${CONCURRENCY}; ` +
        `NODE_OPTIONS="${nodeOptions}"; statuses ${JSON.stringify(Object.fromEntries(tally.statuses))}; ` +
        `RSS baseline ${(baselineKb / 1024).toFixed(0)} MiB, peak ${(peakKb / 1024).toFixed(0)} MiB of ${limitBytes / 1024 ** 2} MiB; ` +
        `sampled peaks: ${peaks.alerts} alerts and ${(peaks.bytes / 1024 ** 2).toFixed(1)} MiB in flight, heapUsed ${peaks.heapMb.toFixed(0)} MiB\n`,
    );
    expect(proc.exitCode).toBeNull(); // still up: no OOM, no crash
    expect((await fetch(`http://127.0.0.1:${health}/healthz`)).ok).toBe(true);
    expect(readFileSync(logPath, 'utf8')).not.toMatch(/heap out of memory|FATAL ERROR/);
    expect(peakKb * 1024).toBeLessThan(limitBytes * 0.8); // margin for what a pod adds
    expect(shed).toBeGreaterThan(0);
    expect(tally.retryAfterMissing).toBe(0);
    expect(ok).toBeGreaterThan(0);
    expect([...tally.statuses.keys()].every((s) => s === 207 || s === 503)).toBe(true);

    // Every acknowledged alert is counted on the RR of its fingerprint (a batch answered 503
    // after it was processed in part may have stored more; a shed one stored nothing).
    const kube = adminClient();
    const counts = await eventually('every RR counted', async () => {
      const rrs = (await kube.listRRs(ns)).items;
      const byNs = new Map(
        rrs.map((rr) => [rr.spec.targetResource.namespace, rr.status?.deduplication?.occurrenceCount ?? 0]),
      );
      const counted = tally.acked.map((_, i) => byNs.get(`mem-${i}`) ?? 0);
      return counted.every((c, i) => c >= tally.acked[i]!) ? counted : undefined;
    });
    if (tally.failedInside503 === 0) expect(counts).toEqual(tally.acked);
    proc.kill('SIGTERM');
    await exit;
  }, 600_000);
});
