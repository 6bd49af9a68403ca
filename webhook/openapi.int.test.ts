// docs/openapi.yaml against the real operator on a real API server: every response below is
// checked (status documented, content type, required headers, body schema), and every response
// the document lists must have been produced by one of them (500 excepted: a bug by definition).
// Owns its control plane: the 503 cases stop the API server.
import type { KubeConfig } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { LocalControlPlane } from '../e2e/controlplane/controlPlane.ts';
import { ensureNamespace, serviceAccountToken } from '../e2e/controlplane/identities.ts';
import { installManifests } from '../e2e/controlplane/install.ts';
import { freePort } from '../e2e/controlplane/ports.ts';
import { clientNodeConfig } from '../e2e/controlplane/clientNode.ts';
import { loadKubeConfig } from '../operator/kube/kubeconfig.ts';
import { Manager } from '../operator/manager.ts';
import { createLogger } from '../operator/observability/logger.ts';
import { eventually } from '../test/support/cluster.ts';
import { OpenApiChecker, exchange } from '../test/support/openapi.ts';
import type { Exchange } from '../test/support/openapi.ts';
import {
  K8S_EVENT,
  PROMETHEUS,
  alert,
  alertmanagerPayload,
  startOperator,
  testConfig,
} from '../test/support/operator.ts';
import type { RunningOperator } from '../test/support/operator.ts';

/** Documented, but only a bug produces them. */
const NOT_PRODUCIBLE = [`POST ${PROMETHEUS} 500`, `POST ${K8S_EVENT} 500`];
const INTAKE_AUDIENCE = 'kubernaut-intake';

describe('the intake answers as docs/openapi.yaml says', () => {
  const cp = new LocalControlPlane();
  const api = new OpenApiChecker();
  const ns = 'openapi';
  let kubeconfigPath: string;
  let kc: KubeConfig;
  let op: RunningOperator;
  let secured: RunningOperator;

  beforeAll(async () => {
    kubeconfigPath = (await cp.start()).kubeconfigPath;
    kc = clientNodeConfig(kubeconfigPath);
    await installManifests(kc);
    await ensureNamespace(kc, ns);
    await ensureNamespace(kc, `${ns}-auth`);
    const fresh = () => loadKubeConfig({ kubeconfigPath });
    op = await startOperator(
      ns,
      {
        intake: { requestTimeoutMs: 4000, lock: { leaseDurationSeconds: 30, maxWaitMs: 2000 } },
        storm: { rate: { threshold: 2, windowSeconds: 300 } },
      } as never,
      fresh(),
    );
    secured = await startOperator(
      `${ns}-auth`,
      { intake: { auth: { enabled: true, cacheTtlSeconds: 5 } } } as never,
      fresh(),
    );
  });
  afterAll(async () => {
    await op?.stop();
    await secured?.stop();
    await cp.stop();
  });

  /** POSTs JSON (or raw bytes) to an intake and checks the reply against the document. */
  async function send(
    route: string,
    body: unknown,
    o: { base?: string; headers?: Record<string, string> } = {},
  ): Promise<Exchange & { body: Record<string, unknown> }> {
    const raw = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
    const x = await exchange('POST', o.base ?? op.endpoints.intake, route, {
      body: raw,
      headers: { 'content-type': 'application/json', ...o.headers },
    });
    api.check(x);
    return x as Exchange & { body: Record<string, unknown> };
  }
  const valid = (route: string, body: unknown) => (api.checkRequest('POST', route, body), body);

  it('prometheus: created, duplicate, resolved, ignored, and a 207 batch', async () => {
    const firing = alert({ namespace: 'shop', deployment: 'web', alertname: 'OpenApiAlert' });
    const payload = valid(PROMETHEUS, alertmanagerPayload([firing]));
    expect((await send(PROMETHEUS, payload)).body.status).toBe('created');
    expect((await send(PROMETHEUS, payload)).status).toBe(202);

    const resolved = { ...firing, status: 'resolved' as const, endsAt: '2026-11-26T11:00:00Z' };
    expect((await send(PROMETHEUS, valid(PROMETHEUS, alertmanagerPayload([resolved])))).body.status).toBe(
      'resolved',
    );
    const never = { ...alert({ namespace: 'shop', deployment: 'never', alertname: 'OpenApiAlert' }) };
    const ignored = await send(PROMETHEUS, alertmanagerPayload([{ ...never, status: 'resolved' as const }]));
    expect(ignored).toMatchObject({ status: 200, body: { status: 'ignored' } });

    const again = alert({ namespace: 'shop', deployment: 'batch-dup', alertname: 'OpenApiBatch' });
    expect((await send(PROMETHEUS, alertmanagerPayload([again]))).status).toBe(201);
    const noName = { ...alert({ namespace: 'shop', deployment: 'x' }), labels: { namespace: 'shop' } };
    const batch = alertmanagerPayload([
      // Its own signal name: a second new fingerprint of one group may be buffered for a storm.
      alert({ namespace: 'shop', deployment: 'batch-new', alertname: 'OpenApiBatchNew' }),
      { ...again, fingerprint: randomBytes(8).toString('hex') },
      noName,
    ]);
    const reply = await send(PROMETHEUS, batch);
    expect(reply.status).toBe(207);
    expect((reply.body.results as { status: string }[]).map((r) => r.status)).toEqual([
      'created',
      'duplicate',
      'rejected',
    ]);
  });

  it('prometheus: buffered and folded into a storm (202), their redeliveries, gzip accepted', async () => {
    const seen: string[] = [];
    const redelivered: unknown[] = [];
    let last: Uint8Array | undefined;
    for (let i = 0; i < 12 && !seen.includes('aggregated'); i++) {
      const one = alertmanagerPayload([
        alert({ namespace: 'storm', deployment: `w${i}`, alertname: 'OpenApiStorm' }),
      ]);
      last = gzipSync(JSON.stringify(one));
      const r = await send(PROMETHEUS, last, { headers: { 'content-encoding': 'gzip' } });
      seen.push(r.body.status as string);
      // The same notification again (an HA peer): answered, documented, counted nothing.
      if (r.body.status === 'buffered' && redelivered.length === 0)
        redelivered.push((await send(PROMETHEUS, last, { headers: { 'content-encoding': 'gzip' } })).body);
    }
    expect(seen).toContain('buffered');
    expect(seen).toContain('aggregated');
    redelivered.push((await send(PROMETHEUS, last!, { headers: { 'content-encoding': 'gzip' } })).body);
    expect(redelivered).toMatchObject([
      { status: 'buffered', redelivered: true },
      { status: 'aggregated', redelivered: true },
    ]);
  });

  it('kubernetes-event: created and duplicate, both Event APIs', async () => {
    const core = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.18a1', namespace: 'shop', uid: randomBytes(8).toString('hex') },
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'evt-web', namespace: 'shop' },
      reason: 'ProgressDeadlineExceeded',
      message: 'Deployment does not have minimum availability.',
      type: 'Warning',
      count: 1,
      firstTimestamp: '2026-11-26T10:00:00Z',
      lastTimestamp: '2026-11-26T10:00:00Z',
      source: { component: 'deployment-controller' },
    };
    expect((await send(K8S_EVENT, valid(K8S_EVENT, core))).status).toBe(201);
    const repeat = { ...core, count: 2, lastTimestamp: '2026-11-26T10:05:00Z' };
    expect((await send(K8S_EVENT, valid(K8S_EVENT, repeat))).status).toBe(202);
    const events = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'db.18a2', namespace: 'shop', uid: randomBytes(8).toString('hex') },
      regarding: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'evt-db', namespace: 'shop' },
      reason: 'FailedCreate',
      note: 'create Pod db-0 failed',
      type: 'Warning',
      eventTime: '2026-11-26T10:00:00.000000Z',
      reportingController: 'statefulset-controller',
    };
    expect((await send(K8S_EVENT, valid(K8S_EVENT, events))).status).toBe(201);
    // As kubernetes-event-exporter's webhook sink sends it (docs/event-exporter.md): no
    // apiVersion/kind, nulls for unset times, labels on the involved object, clusterName.
    expect((await send(K8S_EVENT, valid(K8S_EVENT, exporterEvent()))).status).toBe(201);
  });

  it('problems: 400 (malformed, naming the field), 413 and 415 on both routes', async () => {
    for (const route of [PROMETHEUS, K8S_EVENT]) {
      expect((await send(route, '{"alerts": [')).status).toBe(400);
      expect((await send(route, 'x', { headers: { 'content-type': 'text/plain' } })).status).toBe(415);
      expect((await send(route, JSON.stringify({ pad: 'x'.repeat(300 * 1024) }))).status).toBe(413);
    }
    const noName = { ...alert({ namespace: 'shop', pod: 'p' }), labels: { namespace: 'shop', pod: 'p' } };
    const bad = await send(PROMETHEUS, alertmanagerPayload([noName]));
    expect(bad.body).toMatchObject({ status: 400, field: 'alerts[0].labels.alertname' });
    const noReason = {
      kind: 'Event',
      apiVersion: 'v1',
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'shop' },
    };
    expect((await send(K8S_EVENT, noReason)).body.detail).toContain('reason');
  });

  it('auth: 401 without or with a foreign token, 403 for an identity without the signals right', async () => {
    const base = secured.endpoints.intake;
    const body = alertmanagerPayload([alert({ namespace: 'shop', deployment: 'auth' })]);
    const bearer = (t: string) => ({ base, headers: { authorization: `Bearer ${t}` } });
    expect((await send(PROMETHEUS, body, { base })).status).toBe(401);
    expect((await send(K8S_EVENT, {}, bearer('not-a-token'))).status).toBe(401);
    // A token for the API server's audience and one for the intake's: whichever audience the
    // intake checks, one of them authenticates and is then refused by the SubjectAccessReview.
    const stranger = await serviceAccountToken(kc, 'monitoring', 'openapi-stranger');
    const audienced = await intakeToken('monitoring', 'openapi-stranger');
    const statuses = [];
    for (const route of [PROMETHEUS, K8S_EVENT])
      for (const t of [stranger, audienced]) statuses.push((await send(route, body, bearer(t))).status);
    expect(statuses).toContain(403);
  });

  it('health and metrics', async () => {
    for (const path of ['/healthz', '/readyz']) api.check(await exchange('GET', op.endpoints.health, path));
    api.check(await exchange('GET', op.endpoints.metrics, '/metrics'));
  });

  it('API server down: 503 with Retry-After (problem, or the batch results), and a not-ready operator', async () => {
    await cp.stopApiServer();
    const single = await send(
      PROMETHEUS,
      alertmanagerPayload([alert({ namespace: 'down', deployment: 'a' })]),
    );
    expect(single.status).toBe(503);
    const batch = alertmanagerPayload([
      alert({ namespace: 'down', deployment: 'b' }),
      alert({ namespace: 'down', deployment: 'c' }),
    ]);
    expect((await send(PROMETHEUS, batch)).status).toBe(503);
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      involvedObject: { kind: 'Deployment', name: 'evt-down', namespace: 'down' },
      reason: 'BackOff',
      count: 1,
    };
    expect((await send(K8S_EVENT, event)).status).toBe(503);

    // An operator that cannot sync its cache is not ready and refuses signals.
    const ports = { intake: await freePort(), health: await freePort(), metrics: await freePort() };
    const config = testConfig(ns, {
      intake: { port: ports.intake },
      health: { port: ports.health },
      metrics: { port: ports.metrics },
    } as never);
    const blind = new Manager({
      config,
      logger: createLogger('error'),
      kubeConfig: loadKubeConfig({ kubeconfigPath }),
      defaultMetrics: false,
    });
    void blind.start().catch(() => undefined);
    try {
      const health = `http://127.0.0.1:${ports.health}`;
      const notReady = await eventually('a /readyz answer', async () => {
        const x = await exchange('GET', health, '/readyz');
        return x.status === 503 ? x : undefined;
      });
      api.check(notReady);
      const refused = await send(K8S_EVENT, event, { base: `http://127.0.0.1:${ports.intake}` });
      expect(refused.status).toBe(503);
    } finally {
      await blind.stop(1000);
    }
  });

  it('produced every response the document lists', () => {
    const missing = api.documented().filter((r) => !api.covered().includes(r) && !NOT_PRODUCIBLE.includes(r));
    expect(missing).toEqual([]);
  });

  function exporterEvent() {
    return {
      metadata: { name: 'api-7d9f.18a3', namespace: 'shop', uid: randomBytes(8).toString('hex') },
      involvedObject: {
        kind: 'Pod',
        namespace: 'shop',
        name: 'api-7d9f-x2k4q',
        uid: randomBytes(8).toString('hex'),
        apiVersion: 'v1',
        resourceVersion: '4711',
        fieldPath: 'spec.containers{api}',
        labels: { app: 'api' },
      },
      reason: 'BackOff',
      message: 'Back-off restarting failed container api',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2026-11-26T10:00:00Z',
      lastTimestamp: '2026-11-26T10:00:00Z',
      count: 1,
      type: 'Warning',
      eventTime: null,
      series: null,
      action: '',
      related: null,
      reportingComponent: '',
      reportingInstance: '',
      clusterName: '',
    };
  }

  async function intakeToken(namespace: string, name: string): Promise<string> {
    const tr = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
      namespace,
      name,
      body: { spec: { audiences: [INTAKE_AUDIENCE], expirationSeconds: 3600 } },
    });
    const token = tr.status?.token;
    if (!token) throw new Error(`no token for ${namespace}/${name}`);
    return token;
  }
});
