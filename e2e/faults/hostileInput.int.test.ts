// Scenario 6, hostile input: fast-check generates malformed, truncated, deeply nested, oversized,
// wrongly typed, wrongly typed-by-header, compressed-garbage, huge-header and bad-auth requests
// for both routes while slow clients (slowloris) hold connections open. Every answer must be a
// 4xx (or a 503 with Retry-After when shedding), the process must stay the same process and
// healthy, no RR may be written, and its RSS must stay flat.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { K8S_EVENT, PROMETHEUS } from '../../test/support/operator.ts';
import { hostileCase } from './support/hostile.ts';
import type { Category, HostileCase } from './support/hostile.ts';
import { healthy, metricSum } from './support/observe.ts';
import { rawPost, slowloris } from './support/rawHttp.ts';
import type { RawReply } from './support/rawHttp.ts';
import { recordResult } from './support/results.ts';
import { firing, notification, pool } from './support/sender.ts';
import { size } from './support/sizes.ts';
import { EXTERNAL, startTarget } from './support/target.ts';
import type { Target } from './support/target.ts';

const CASES = size('FUZZ_CASES', 10_000, 100_000);
const CONCURRENCY = size('FUZZ_CONCURRENCY', 16, 32);
const SLOW_CLIENTS = size('FUZZ_SLOW_CLIENTS', 40, 200);
const BODY_LIMIT = 256 * 1024;
const MB = 1024 * 1024;

describe('scenario 6: hostile input on both routes', () => {
  let target: Target;
  const run = randomBytes(3).toString('hex');
  const seed = Number(process.env.FAULTS_FUZZ_SEED ?? Date.now() % 2 ** 31);

  beforeAll(async () => {
    target = await startTarget({ replicas: 1, auth: true });
  });
  afterAll(() => target?.stop());

  const valid = {
    bodyLimitBytes: BODY_LIMIT,
    prometheus: () =>
      notification([
        firing(
          { alertname: `Fuzz${run}`, severity: 'critical', namespace: `fuzz-${run}`, deployment: 'web' },
          new Date('2026-11-01T00:00:00Z'),
        ),
      ]),
    event: () => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `web.${run}`, namespace: `fuzz-${run}` },
      reason: `Fuzz${run}`,
      type: 'Warning',
      message: 'Back-off restarting failed container',
      involvedObject: { kind: 'Pod', name: 'web-0', namespace: `fuzz-${run}`, apiVersion: 'v1' },
      count: 1,
      lastTimestamp: '2026-11-01T00:00:00Z',
    }),
  };

  const acceptable = (r: RawReply, c: HostileCase) =>
    (r.status >= 400 && r.status < 500) ||
    (r.status === 503 && Boolean(r.retryAfter)) ||
    // A server may answer an over-long header block by closing the connection.
    (c.category === 'hugeHeaders' && r.status === 0 && /ECONNRESET|EPIPE|socket hang up/.test(r.error ?? ''));

  it(`answers ${CASES} hostile requests with 4xx only, stays up and flat, and stores nothing`, async () => {
    const intake = target.intakes[0]!;
    const rss = async () => metricSum(target.metrics[0]!, 'process_resident_memory_bytes');
    const pidBefore = target.pid(0);
    const rssStart = await rss();
    // Authenticated, so the slow requests get as far as reading their bodies.
    const slow = slowloris(
      intake,
      PROMETHEUS,
      SLOW_CLIENTS,
      1000,
      target.token ? { authorization: `Bearer ${target.token}` } : {},
    );
    const samples: number[] = [];
    const sampler = setInterval(
      () =>
        void rss().then(
          (v) => samples.push(v),
          () => undefined,
        ),
      1000,
    );
    const byCategory = new Map<Category, Map<string, number>>();
    const bad: string[] = [];
    const unacceptableBy = new Map<string, number>(); // "category answer" -> cases
    let sent = 0;
    let rssWarm = 0;
    const cases = fc.sample(hostileCase(valid), { numRuns: CASES, seed });
    const started = Date.now();
    try {
      await pool(
        CONCURRENCY,
        cases.map((c) => async () => {
          const headers = { ...c.headers };
          if (c.withToken && target.token) headers.authorization = `Bearer ${target.token}`;
          const path = c.route === 'prometheus' ? PROMETHEUS : K8S_EVENT;
          const reply = await rawPost(intake + path, headers, c.body);
          const key = reply.status ? String(reply.status) : (reply.error ?? 'error');
          const m = byCategory.get(c.category) ?? new Map<string, number>();
          m.set(key, (m.get(key) ?? 0) + 1);
          byCategory.set(c.category, m);
          if (!acceptable(reply, c)) {
            const what = `${c.category} ${key}`;
            unacceptableBy.set(what, (unacceptableBy.get(what) ?? 0) + 1);
          }
          if (!acceptable(reply, c) && bad.length < 20) {
            bad.push(`${c.category}/${c.route} -> ${key}: ${c.body.subarray(0, 120).toString('latin1')}`);
          }
          if (++sent === Math.floor(CASES / 10)) rssWarm = await rss();
        }),
      );
    } finally {
      clearInterval(sampler);
    }
    const fuzzMs = Date.now() - started;
    const slowClosed = slow.closedByServer();
    const slowStatuses = slow.statuses();
    slow.stop();

    const alive = await healthy(target.healths[0]!);
    const restarted = !EXTERNAL && target.pid(0) !== pidBefore;
    const rrs = (await target.kube.listRRs(target.namespace)).items.filter(
      (r) => !EXTERNAL || r.spec.signalName === `Fuzz${run}`,
    );
    const rssEnd = await rss();
    const rssPeak = Math.max(rssStart, rssEnd, ...samples);
    // Flat: after warm-up the process does not keep growing with the number of cases.
    const flat = rssEnd <= Math.max(rssWarm, rssStart) * 1.5 + 64 * MB;
    const unacceptable = [...unacceptableBy.values()].reduce((a, b) => a + b, 0);
    const unacceptableText = [...unacceptableBy].map(([what, n]) => `${n} x ${what}`).join(', ');
    const passed = bad.length === 0 && alive && !restarted && rrs.length === 0 && flat;
    const statuses = Object.fromEntries(
      [...byCategory].map(([c, m]) => [c, JSON.stringify(Object.fromEntries(m))]),
    );
    recordResult({
      id: '6-hostile-input',
      scenario: 'Hostile input (fast-check fuzzing)',
      load: `${sent} generated requests over both routes, ${CONCURRENCY} in flight, ${SLOW_CLIENTS} slowloris clients`,
      faults:
        'malformed, truncated, nested to 120k levels, oversized, wrong types, wrong content types, gzip garbage and bombs, 17-64 KiB headers, bad auth schemes, slow bodies and headers',
      passed,
      result:
        `${unacceptable === 0 ? 'only 4xx / 503' : `${unacceptable} unacceptable answers (${unacceptableText})`}; ` +
        `${alive && !restarted ? 'never crashed' : 'CRASHED or unhealthy'}; ${rrs.length} RRs written; RSS ${flat ? 'flat' : 'GREW'}`,
      figure: `${sent} cases, peak RSS ${(rssPeak / MB).toFixed(0)} MiB (start ${(rssStart / MB).toFixed(0)}, end ${(rssEnd / MB).toFixed(0)})`,
      figures: {
        cases: sent,
        seed,
        fuzzMs,
        rssStartMiB: Math.round(rssStart / MB),
        rssWarmMiB: Math.round(rssWarm / MB),
        rssPeakMiB: Math.round(rssPeak / MB),
        rssEndMiB: Math.round(rssEnd / MB),
        rrsWritten: rrs.length,
        slowClients: SLOW_CLIENTS,
        slowClosedByServer: slowClosed,
        slowAnswered: JSON.stringify(slowStatuses),
        unacceptable,
        ...statuses,
      },
    });
    expect(bad).toEqual([]);
    expect(alive).toBe(true);
    expect(restarted).toBe(false);
    expect(rrs).toHaveLength(0);
    expect(flat).toBe(true);
    expect(sent).toBe(CASES);
  }, 900_000);
});
