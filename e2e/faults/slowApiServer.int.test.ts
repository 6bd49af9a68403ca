// Scenario 2, a slow and faulty API server: three replicas, each reaching the real API server
// through its own Toxiproxy, under continuous load while the proxies inject seconds of latency
// on one replica, timeouts, connection resets and a bandwidth squeeze. No duplicate RR, no 2xx
// for anything that was not stored, and once the faults clear no creation lock stays held and
// every fingerprint is served again.
import { randomBytes } from 'node:crypto';
import { controlPlaneInfo, eventually } from '../../test/support/cluster.ts';
import { PROMETHEUS } from '../../test/support/operator.ts';
import { Toxiproxy, kubeconfigServer, kubeconfigThrough } from '../../test/support/toxiproxy.ts';
import type { Proxy, Toxic } from '../../test/support/toxiproxy.ts';
import { byFingerprint, heldLocks, rrsBySignal } from './support/observe.ts';
import { recordResult } from './support/results.ts';
import { deliver, firing, notification, pool } from './support/sender.ts';
import { size } from './support/sizes.ts';
import { startTarget } from './support/target.ts';
import type { Target } from './support/target.ts';

const PHASE_MS = size('TOXIC_PHASE_MS', 6000, 30_000);
const PER_PHASE_FPS = 6;
const LEASE_SECONDS = 30; // the creation lock's default lease

interface Phase {
  name: string;
  replica: number;
  toxics: Toxic[];
}

const PHASES: Phase[] = [
  { name: 'latency', replica: 0, toxics: [{ type: 'latency', attributes: { latency: 2500, jitter: 500 } }] },
  {
    name: 'timeout',
    replica: 1,
    toxics: [{ type: 'timeout', toxicity: 0.5, attributes: { timeout: 2000 } }],
  },
  {
    name: 'reset',
    replica: 2,
    toxics: [{ type: 'reset_peer', toxicity: 0.3, stream: 'upstream', attributes: { timeout: 300 } }],
  },
  {
    name: 'bandwidth',
    replica: 0,
    toxics: [
      { type: 'bandwidth', attributes: { rate: 8 } },
      { type: 'bandwidth', stream: 'upstream', attributes: { rate: 8 } },
    ],
  },
];

describe('scenario 2: Toxiproxy between the replicas and the API server', () => {
  let target: Target;
  let tp: Toxiproxy;
  let proxies: Proxy[];
  const run = randomBytes(3).toString('hex');
  const alertname = `SlowApi${run}`;

  beforeAll(async () => {
    const admin = controlPlaneInfo().kubeconfigPath;
    tp = await Toxiproxy.start();
    proxies = await Promise.all([0, 1, 2].map((k) => tp.proxy(`api-${run}-${k}`, kubeconfigServer(admin))));
    const paths = proxies.map((p) => kubeconfigThrough(p, admin));
    target = await startTarget({
      replicas: 3,
      kubeconfigFor: (k) => paths[k]!,
      config: {
        intake: { requestTimeoutMs: 8000, lock: { maxWaitMs: 4000 } },
      },
    });
  });
  afterAll(async () => {
    await target?.stop();
    await tp?.stop();
  });

  it('stores what it acknowledges, never duplicates, and leaves no lock held', async () => {
    const base = Date.now() - 3_600_000;
    const acked = new Map<string, number>();
    const codes = new Map<number, number>();
    let seq = 0;
    const send = async (dep: string, start: number) => {
      const i = seq++;
      // One namespace per fingerprint, so that many workloads of one alert are not a storm.
      const labels = { alertname, severity: 'warning', namespace: `shop-${run}-${dep}`, deployment: dep };
      const d = await deliver(
        target.intakes,
        start,
        PROMETHEUS,
        notification([firing(labels, new Date(base + i * 1000))]),
        {
          deadlineMs: 60_000,
        },
      );
      codes.set(d.status, (codes.get(d.status) ?? 0) + 1);
      if (d.status >= 200 && d.status < 300) acked.set(dep, (acked.get(dep) ?? 0) + 1);
      return d;
    };
    const deps: string[] = [];
    for (const phase of PHASES) {
      const names = await Promise.all(phase.toxics.map((t) => proxies[phase.replica]!.addToxic(t)));
      const phaseDeps = Array.from({ length: PER_PHASE_FPS }, (_, j) => `${phase.name}-${j}`);
      deps.push(...phaseDeps);
      const until = Date.now() + PHASE_MS;
      let n = 0;
      await pool(
        8,
        Array.from({ length: 8 }, () => async () => {
          while (Date.now() < until) {
            const k = n++;
            await send(phaseDeps[k % PER_PHASE_FPS]!, k);
          }
        }),
      );
      for (const name of names) await proxies[phase.replica]!.removeToxic(name);
    }
    for (const p of proxies) await p.clearToxics();

    // Faults cleared: within a lease duration no creation lock is held any more...
    const locks = await eventually(
      'creation locks released or expired',
      async () => ((await heldLocks(target.kube, target.namespace)).length === 0 ? [] : undefined),
      (LEASE_SECONDS + 20) * 1000,
      500,
    ).catch(async () => heldLocks(target.kube, target.namespace));
    // ...and every fingerprint is served again, through every replica.
    const after = await pool(
      8,
      deps.flatMap((dep) => [0, 1, 2].map((k) => () => send(dep, k))),
    );
    const servedAfter = after.filter((d) => d.status >= 200 && d.status < 300).length;

    const views = [...byFingerprint(await rrsBySignal(target.kube, target.namespace, alertname)).values()];
    const duplicates = views.reduce((n, v) => n + Math.max(0, v.active - 1), 0);
    const perDep = [...acked].map(([dep, a]) => {
      const v = views.find((x) => x.rrs[0]!.spec.targetResource.name === dep);
      return { dep, acked: a, counted: v?.occurrences ?? 0 };
    });
    const lost = perDep.reduce((n, p) => n + Math.max(0, p.acked - p.counted), 0);
    const extra = perDep.reduce((n, p) => n + Math.max(0, p.counted - p.acked), 0);
    const ackedTotal = [...acked.values()].reduce((a, b) => a + b, 0);
    const passed = duplicates === 0 && lost === 0 && locks.length === 0 && servedAfter === after.length;
    recordResult({
      id: '2-slow-faulty-api',
      scenario: 'Slow and faulty API server (Toxiproxy)',
      load: `${seq} firings over ${deps.length} fingerprints to 3 replicas, 8 in flight, ${PHASE_MS / 1000} s per fault`,
      faults:
        'replica 0: 2.5 s (+-0.5) latency, then 8 KB/s both ways; replica 1: half the connections time out after 2 s; replica 2: 30 % of connections reset',
      passed,
      result:
        `${duplicates} duplicate RRs; ${ackedTotal} acknowledged, ${lost} not stored, ${extra} counted twice; ` +
        `${locks.length} locks held after the faults cleared; ${servedAfter}/${after.length} served afterwards`,
      figure: `duplicates ${duplicates}, 2xx unstored ${lost}, stuck locks ${locks.length}`,
      figures: {
        firings: seq,
        acknowledged: ackedTotal,
        duplicates,
        lost,
        extra,
        stuckLocks: locks.length,
        servedAfter,
        codes: JSON.stringify(Object.fromEntries(codes)),
      },
    });
    expect(duplicates).toBe(0);
    expect(lost).toBe(0);
    expect(locks).toEqual([]);
    expect(servedAfter).toBe(after.length);
  }, 600_000);
});
