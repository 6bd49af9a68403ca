// The housekeeping controllers on a real API server: retention of terminal RRs, the initial
// phase of RRs created without one, and the clean-up of idle creation-lock Leases.
import { V1MicroTime } from '@kubernetes/client-node';
import type { V1Lease } from '@kubernetes/client-node';
import type { RemediationRequest, RemediationRequestStatus } from '../api/types.ts';
import type { KubeClient } from '../kube/client.ts';
import { isKubeError } from '../kube/errors.ts';
import { fixtureRR } from '../storm/testFixtures.ts';
import { adminClient, eventually, freshNamespace } from '../../test/support/cluster.ts';
import { startOperator } from '../../test/support/operator.ts';
import type { RunningOperator } from '../../test/support/operator.ts';
import { INITIAL_PHASE_GRACE_MS } from './initialPhase.ts';

const RESYNC_SECONDS = 2;
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lifecycle controllers on a real API server', () => {
  let kube: KubeClient;
  let ns: string;
  let op: RunningOperator;

  beforeAll(async () => {
    kube = adminClient();
    ns = await freshNamespace('lifecycle');
    op = await startOperator(ns, {
      lifecycle: { retentionHours: 1, leaseCleanupAfterSeconds: 600, resyncSeconds: RESYNC_SECONDS },
    });
    await eventually('controller leadership', async () => (op.manager.isLeader() ? true : undefined));
  });
  afterAll(() => op.stop());

  const exists = async (name: string): Promise<boolean> => {
    try {
      await kube.getRR(ns, name);
      return true;
    } catch (err) {
      if (isKubeError(err, 'notFound')) return false;
      throw err;
    }
  };

  /** Creates an RR (the operator's labels, so its cache sees it), then writes its status. */
  const createRR = async (pod: string, status?: RemediationRequestStatus): Promise<RemediationRequest> => {
    const created = await kube.createRR(
      fixtureRR({ namespace: ns, signalName: 'Lifecycle', targetNamespace: 'life', pod }),
    );
    return status
      ? kube.patchRRStatus(ns, created.metadata.name, status as Record<string, unknown>)
      : created;
  };

  /** A status whose every timestamp is `agoMs` in the past, terminal for that long when terminal. */
  const statusAt = (phase: string, agoMs: number, stamped = true): RemediationRequestStatus => {
    const at = new Date(Date.now() - agoMs).toISOString();
    return {
      overallPhase: phase,
      signalResolvedAt: at,
      deduplication: { firstSeenAt: at, lastSeenAt: at, occurrenceCount: 1 },
      ...(stamped && phase !== 'Processing' ? { terminalSince: at } : {}),
    };
  };

  it('deletes terminal RRs only once they have been terminal for the retention', async () => {
    const expired = await createRR('expired', statusAt('Completed', 2 * HOUR));
    const expiredFailed = await createRR('expired-failed', statusAt('Failed', 61 * 60_000));
    const recent = await createRR('recent', statusAt('Completed', 10 * 60_000));
    const activeOld = await createRR('active-old', statusAt('Processing', 2 * HOUR));
    const unstamped = await createRR('unstamped', statusAt('Cancelled', 2 * HOUR, false));

    await eventually('expired RRs to be deleted', async () =>
      !(await exists(expired.metadata.name)) && !(await exists(expiredFailed.metadata.name))
        ? true
        : undefined,
    );
    // Terminal without a stamp: stamped now, however old its other timestamps, and kept.
    const stamped = await eventually('terminalSince on the unstamped RR', async () => {
      const fresh = await kube.getRR(ns, unstamped.metadata.name);
      return fresh.status?.terminalSince ? fresh : undefined;
    });
    expect(Date.now() - Date.parse(stamped.status!.terminalSince!)).toBeLessThan(60_000);
    await sleep(RESYNC_SECONDS * 1000 + 500); // a resync later, the others are still there
    for (const kept of [recent, activeOld, unstamped]) expect(await exists(kept.metadata.name)).toBe(true);

    // An RR active for hours that now turns terminal is kept for the full retention.
    await kube.patchRRStatus(ns, activeOld.metadata.name, { overallPhase: 'TimedOut' });
    await eventually('terminalSince on the newly terminal RR', async () =>
      (await kube.getRR(ns, activeOld.metadata.name)).status?.terminalSince ? true : undefined,
    );
    await sleep(RESYNC_SECONDS * 1000 + 500);
    expect(await exists(activeOld.metadata.name)).toBe(true);

    // Reopened: the stamp goes, so a later completion starts the retention afresh.
    await kube.patchRRStatus(ns, recent.metadata.name, { overallPhase: 'Processing' });
    await eventually('terminalSince cleared on the reopened RR', async () =>
      (await kube.getRR(ns, recent.metadata.name)).status?.terminalSince ? undefined : true,
    );
  });

  it('sets Pending on an RR created without a phase, after the grace period only', async () => {
    const started = Date.now();
    const bare = await createRR('bare');
    const phased = await createRR('phased', { overallPhase: 'Processing' });
    await sleep(3000);
    expect((await kube.getRR(ns, bare.metadata.name)).status?.overallPhase).toBeUndefined();
    const pending = await eventually(
      'the initial phase',
      async () => {
        const rr = await kube.getRR(ns, bare.metadata.name);
        return rr.status?.overallPhase ? rr : undefined;
      },
      INITIAL_PHASE_GRACE_MS + 10_000,
    );
    expect(pending.status?.overallPhase).toBe('Pending');
    expect(Date.now() - started).toBeGreaterThanOrEqual(INITIAL_PHASE_GRACE_MS - 1500); // whole-second creation time
    expect((await kube.getRR(ns, phased.metadata.name)).status?.overallPhase).toBe('Processing');
  });

  it('deletes idle creation locks and keeps held, recent, unlabelled and leader Leases', async () => {
    const now = Date.now();
    const lease = async (
      name: string,
      holder: string,
      renewAgoMs: number,
      durationSeconds: number,
      lock = true,
    ) =>
      kube.createLease(ns, {
        metadata: { name, labels: lock ? { 'kubernaut.ai/lock': 'creation' } : {} },
        spec: {
          holderIdentity: holder,
          leaseDurationSeconds: durationSeconds,
          acquireTime: new V1MicroTime(now - renewAgoMs),
          renewTime: new V1MicroTime(now - renewAgoMs),
        },
      } satisfies V1Lease);
    await lease('gw-lock-released-long-ago', '', HOUR, 30);
    await lease('gw-lock-holder-gone', 'crashed-pod', HOUR, 30);
    await lease('gw-lock-held', 'busy-pod', HOUR, 2 * 3600);
    await lease('gw-lock-just-released', '', 1000, 30);
    await lease('unrelated-lease', '', HOUR, 30, false);

    const names = async () => (await kube.listLeases(ns)).map((l) => l.metadata?.name).sort();
    await eventually('idle locks to be deleted', async () => {
      const left = await names();
      return left.includes('gw-lock-released-long-ago') || left.includes('gw-lock-holder-gone')
        ? undefined
        : left;
    });
    await sleep(RESYNC_SECONDS * 1000 + 500);
    expect(await names()).toEqual(
      ['gw-lock-held', 'gw-lock-just-released', 'kubernaut-intake-leader', 'unrelated-lease'].sort(),
    );
  });

  it('exports controller-runtime-style metrics of the reconciles that ran', async () => {
    const value = async (series: string) => {
      const line = (await op.manager.metrics.registry.metrics())
        .split('\n')
        .find((l) => l.startsWith(`${series} `));
      return Number(line?.split(' ')[1] ?? 0);
    };
    for (const controller of ['initial-phase', 'retention', 'lease-cleanup']) {
      expect(await value(`gateway_reconcile_time_seconds_count{controller="${controller}"}`)).toBeGreaterThan(
        0,
      );
      expect(await value(`gateway_workqueue_adds_total{name="${controller}"}`)).toBeGreaterThan(0);
      expect(
        await value(`gateway_workqueue_work_duration_seconds_count{name="${controller}"}`),
      ).toBeGreaterThan(0);
    }
    expect(
      (await op.manager.metrics.registry.metrics()).match(/^gateway_build_info\{.*\} 1$/m),
    ).not.toBeNull();
  });
});
