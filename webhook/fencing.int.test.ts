// Fenced creation on a real API server: the RR's deterministic name per fingerprint generation
// makes the API server refuse a second active RR, whatever the lock's timing. Faults are real: a
// Toxiproxy proxy between one replica and the API server (latency, dropped responses, resets),
// skewed wall clocks and a pause of several seconds inside the critical section.
import { KubeClient } from '../operator/kube/client.ts';
import type { RemediationRequest } from '../operator/api/types.ts';
import { RRCache } from '../operator/cache/rrCache.ts';
import { isActive } from '../operator/api/phase.ts';
import { loadKubeConfig } from '../operator/kube/kubeconfig.ts';
import { createMetrics } from '../operator/observability/metrics.ts';
import { adminClient, controlPlaneInfo, eventually, freshNamespace } from '../test/support/cluster.ts';
import {
  PROMETHEUS,
  alert,
  alertmanagerPayload,
  postRetrying,
  startOperator,
} from '../test/support/operator.ts';
import type { RunningOperator } from '../test/support/operator.ts';
import { Toxiproxy, kubeconfigServer, kubeconfigThrough } from '../test/support/toxiproxy.ts';
import type { Proxy } from '../test/support/toxiproxy.ts';
import { CreationLock, systemClock } from './create/creationLock.ts';
import type { LockClock } from './create/creationLock.ts';
import { LockedCreator } from './create/lockedCreator.ts';
import type { ClassifiedSignal } from './create/rrBuilder.ts';
import { parseAlertmanagerPayload } from './signal/alertmanager.ts';
import { fingerprint, lockLeaseName } from './signal/fingerprint.ts';

const firing = (deployment: string, startsAt = '2026-11-26T10:00:00Z') => ({
  ...alert({ namespace: 'shop', deployment, alertname: `Fenced-${deployment}` }),
  startsAt,
});

function classified(deployment: string): ClassifiedSignal {
  const parsed = parseAlertmanagerPayload(alertmanagerPayload([firing(deployment)]), {
    clusterID: 'test-cluster',
    now: new Date(),
  });
  const signal = parsed.alerts[0]!.signal!;
  const fp = fingerprint('test-cluster', signal.target);
  return {
    signal,
    target: signal.target,
    fingerprint: fp,
    environment: 'unknown',
    priority: 'P2',
    receivedAt: new Date(),
  };
}

/** A client whose process pauses before sending a create: a stall inside the critical section. */
class PausingKube extends KubeClient {
  pauseMs = 0;
  override async createRR(rr: RemediationRequest): Promise<RemediationRequest> {
    if (this.pauseMs > 0) await new Promise((r) => setTimeout(r, this.pauseMs));
    return super.createRR(rr);
  }
}

const skewed = (offsetMs: number): LockClock => ({
  wallMs: () => Date.now() + offsetMs,
  monoMs: systemClock.monoMs,
});

describe('fenced creation', () => {
  const admin = () => controlPlaneInfo().kubeconfigPath;
  let kube: KubeClient;
  let ns: string;
  const caches: RRCache[] = [];
  const activeFor = async (fp: string) =>
    (await kube.listRRs(ns, { fieldSelector: `spec.signalFingerprint=${fp}` })).items.filter(isActive);
  const newCache = async (client: KubeClient) => {
    const cache = new RRCache(client, ns);
    caches.push(cache);
    await cache.start();
    return cache;
  };

  beforeAll(async () => {
    kube = adminClient();
    ns = await freshNamespace('fenced');
  });
  afterAll(() => Promise.all(caches.map((c) => c.stop())));

  it('does not take over a held lock because the holder clock is skewed by more than the lease', async () => {
    const c = classified('skew');
    const slow = new PausingKube(loadKubeConfig({ kubeconfigPath: admin() }));
    slow.pauseMs = 3000;
    const metricsB = createMetrics({ defaultMetrics: false });
    const make = (
      client: KubeClient,
      cache: RRCache,
      holder: string,
      clock: LockClock,
      metrics?: ReturnType<typeof createMetrics>,
    ) =>
      new LockedCreator({
        kube: client,
        cache,
        holder,
        maxWaitMs: 20_000,
        lock: new CreationLock({
          kube: client,
          namespace: ns,
          holder,
          leaseDurationSeconds: 30,
          clock,
          metrics,
        }),
      });
    // A's clock is an hour behind: its renewTime looks long expired to anyone comparing wall clocks.
    const a = make(slow, await newCache(slow), 'replica-a', skewed(-3_600_000));
    const direct = new KubeClient(loadKubeConfig({ kubeconfigPath: admin() }));
    const b = make(direct, await newCache(direct), 'replica-b', skewed(3_600_000), metricsB);
    const pa = a.create(c);
    await eventually('A to hold the lock', async () => {
      const lease = await kube.getLease(ns, lockLeaseName(c.fingerprint)).catch(() => undefined);
      return lease?.spec?.holderIdentity === 'replica-a' ? lease : undefined;
    });
    const [ra, rb] = await Promise.all([pa, b.create({ ...c, receivedAt: new Date() })]);
    expect([ra.kind, rb.kind]).toEqual(['created', 'exists']);
    const taken = (await metricsB.lockAcquisition.get()).values.find(
      (v) => v.labels.outcome === 'taken_over',
    );
    expect(taken?.value ?? 0).toBe(0);
    expect(await activeFor(c.fingerprint)).toHaveLength(1);
  });

  it('keeps one RR when a holder pauses past its lease and sends its create late', async () => {
    const c = classified('stall');
    const slow = new PausingKube(loadKubeConfig({ kubeconfigPath: admin() }));
    const frozen = systemClock.monoMs();
    // A never notices time passing (its in-lease check is defeated): only the name fences it.
    const aClock: LockClock = { wallMs: () => Date.now() - 3_600_000, monoMs: () => frozen };
    const a = new LockedCreator({
      kube: slow,
      cache: await newCache(slow),
      holder: 'stalled-a',
      maxWaitMs: 20_000,
      lock: new CreationLock({
        kube: slow,
        namespace: ns,
        holder: 'stalled-a',
        leaseDurationSeconds: 3,
        clock: aClock,
      }),
    });
    const direct = new KubeClient(loadKubeConfig({ kubeconfigPath: admin() }));
    const b = new LockedCreator({
      kube: direct,
      cache: await newCache(direct),
      holder: 'replica-b',
      maxWaitMs: 20_000,
      lock: new CreationLock({
        kube: direct,
        namespace: ns,
        holder: 'replica-b',
        leaseDurationSeconds: 3,
        clock: skewed(3_600_000),
      }),
    });
    slow.pauseMs = 6000;
    const pa = a.create(c);
    await eventually('A to hold the lock', async () => {
      const lease = await kube.getLease(ns, lockLeaseName(c.fingerprint)).catch(() => undefined);
      return lease?.spec?.holderIdentity === 'stalled-a' ? lease : undefined;
    });
    // B sees A's Lease unchanged for its whole duration, takes it over and creates.
    const rb = await b.create({ ...c, receivedAt: new Date() });
    expect(rb.kind).toBe('created');
    // A wakes and sends its create: AlreadyExists, read by name, an active RR: the duplicate path.
    expect((await pa).kind).toBe('exists');
    expect(await activeFor(c.fingerprint)).toHaveLength(1);
  });

  describe('through Toxiproxy', () => {
    let tp: Toxiproxy;
    let proxy: Proxy;
    beforeAll(async () => {
      tp = await Toxiproxy.start();
      proxy = await tp.proxy(`fenced-${ns}`, kubeconfigServer(admin()));
    });
    afterAll(() => tp?.stop());

    it('settles a create whose answer was lost by one GET by name, and leaves the lock done', async () => {
      const c = classified('lost-answer');
      const kc = loadKubeConfig({ kubeconfigPath: kubeconfigThrough(proxy, admin()) });
      kc.requestTimeoutMs = 2000;
      let lost = 0;
      class DroppingKube extends KubeClient {
        override async createRR(rr: RemediationRequest): Promise<RemediationRequest> {
          // The request reaches the API server; its answer is dropped on the way back.
          const toxic = await proxy.addToxic({
            type: 'timeout',
            stream: 'downstream',
            attributes: { timeout: 0 },
          });
          const sent = super.createRR(rr);
          await eventually('the create to land', () => kube.getRR(ns, rr.metadata.name));
          // Only once the client has given up is the network healed: the answer is really lost.
          lost += await sent.then(
            () => 0,
            () => 1,
          );
          await proxy.removeToxic(toxic);
          return sent;
        }
      }
      const client = new DroppingKube(kc);
      const creator = new LockedCreator({
        kube: client,
        cache: await newCache(new KubeClient(loadKubeConfig({ kubeconfigPath: admin() }))),
        holder: 'lossy',
        maxWaitMs: 5000,
        lock: new CreationLock({ kube: client, namespace: ns, holder: 'lossy', leaseDurationSeconds: 30 }),
      });
      const result = await creator.create(c);
      expect(lost).toBe(1);
      expect(result.kind).toBe('created');
      const [rr] = await activeFor(c.fingerprint);
      expect(rr!.status?.deduplication?.occurrenceCount).toBe(1);
      // Not released: the acquiring write named the RR, the RR exists, so the Lease is done as it
      // stands (the next creator, seeing that RR, takes it over at once).
      const lease = await kube.getLease(ns, lockLeaseName(c.fingerprint));
      expect(lease.metadata?.annotations?.['kubernaut.ai/last-created']).toBe(rr!.metadata.name);
    });

    it('never gives two active RRs when two replicas race, one through latency, drops and resets', async () => {
      const patch = { intake: { lock: { leaseDurationSeconds: 30, maxWaitMs: 5000 } } } as never;
      const faulty = await startOperator(
        ns,
        patch,
        loadKubeConfig({ kubeconfigPath: kubeconfigThrough(proxy, admin()) }),
      );
      const direct = await startOperator(ns, patch);
      const ops: RunningOperator[] = [faulty, direct];
      try {
        await proxy.addToxic({ type: 'latency', attributes: { latency: 700, jitter: 500 } });
        await proxy.addToxic({
          type: 'latency',
          stream: 'upstream',
          attributes: { latency: 300, jitter: 300 },
        });
        await proxy.addToxic({ type: 'timeout', toxicity: 0.15, attributes: { timeout: 3000 } });
        await proxy.addToxic({
          type: 'reset_peer',
          stream: 'upstream',
          toxicity: 0.1,
          attributes: { timeout: 400 },
        });
        const fps = Array.from({ length: 12 }, (_, i) => `race-${i}`);
        const firings = [0, 1, 2].map((k) =>
          new Date(Date.parse('2026-11-26T10:00:00Z') + k * 60_000).toISOString(),
        );
        // Every notification goes to both replicas (HA Alertmanager peers), each retried on 5xx.
        const deliveries = fps.flatMap((d) =>
          firings.flatMap((t) => {
            const body = alertmanagerPayload([firing(d, t)]);
            return ops.map((op) => ({ op, body }));
          }),
        );
        // Meanwhile the proxy cuts every open connection now and then (requests in flight get
        // no answer, whether or not they landed).
        let racing = true;
        let cuts = 0;
        const chaos = (async () => {
          while (racing) {
            await new Promise((r) => setTimeout(r, 2500 + Math.random() * 1000));
            await proxy.disable();
            cuts++;
            await new Promise((r) => setTimeout(r, 150 + Math.random() * 200));
            await proxy.enable();
          }
        })();
        const replies = await Promise.all(
          deliveries.map(({ op, body }) => postRetrying(op.endpoints.intake + PROMETHEUS, body, 40)),
        ).finally(() => (racing = false));
        await chaos;
        await proxy.clearToxics();
        // Whatever was still refused is resent once the network is well (Alertmanager keeps trying).
        const finals = [...replies];
        for (const [i, r] of replies.entries()) {
          if (r.status >= 500) {
            finals[i] = await postRetrying(direct.endpoints.intake + PROMETHEUS, deliveries[i]!.body, 20);
          }
        }
        expect(finals.every((r) => r.status === 201 || r.status === 202)).toBe(true);
        let duplicates = 0;
        for (const d of fps) {
          const fp = fingerprint('test-cluster', { kind: 'Deployment', name: d, namespace: 'shop' });
          const active = await activeFor(fp);
          duplicates += Math.max(0, active.length - 1);
          expect(active).toHaveLength(1);
          expect(active[0]!.status?.deduplication?.occurrenceCount).toBe(firings.length);
        }
        const redelivered = finals.filter((r) => r.body.redelivered === true).length;
        const faultyOk = replies.filter((r, i) => deliveries[i]!.op === faulty && r.status < 300).length;
        const retried = replies.reduce((n, r) => n + r.retries, 0);
        console.log(
          `proxy race: ${deliveries.length} deliveries of ${fps.length * firings.length} firings, ` +
            `${retried} retries after 5xx, ${cuts} connection cuts, ${redelivered} answered redelivered, ` +
            `${duplicates} duplicate RRs; the faulty replica answered 2xx to ${faultyOk} of its ` +
            `${deliveries.length / 2} deliveries`,
        );
      } finally {
        await proxy.clearToxics();
        await Promise.all(ops.map((o) => o.stop()));
      }
    }, 600_000);
  });
});
