// The intake as deployed: running under the kubernaut-intake ServiceAccount with exactly the RBAC
// in rbac/, authenticating senders by TokenReview and authorizing them by SubjectAccessReview.
// Every 4xx of the contract is checked, each time asserting that nothing was written.
import { bindClusterRole, intakeToken, serviceAccountToken } from '../e2e/controlplane/identities.ts';
import { installManifests } from '../e2e/controlplane/install.ts';
import { writeTokenKubeconfig } from '../e2e/controlplane/kubeconfig.ts';
import type { KubeClient } from '../operator/kube/client.ts';
import { loadKubeConfig } from '../operator/kube/kubeconfig.ts';
import { adminClient, adminKubeConfig, controlPlaneInfo, freshNamespace } from '../test/support/cluster.ts';
import {
  K8S_EVENT,
  PROMETHEUS,
  alert,
  alertmanagerPayload,
  post,
  startOperator,
} from '../test/support/operator.ts';
import type { Reply, RunningOperator } from '../test/support/operator.ts';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { INTAKE_AUDIENCE } from '../e2e/controlplane/identities.ts';

describe('intake under its own least-privilege identity, with authentication on', () => {
  let kube: KubeClient;
  let ns: string;
  let op: RunningOperator;
  let url: string;
  let sender: string;
  let stranger: string;
  let apiAudienceSender: string;
  const count = async () => (await kube.listRRs(ns)).items.length;

  beforeAll(async () => {
    kube = adminClient();
    ns = await freshNamespace('authz');
    const admin = adminKubeConfig();
    await installManifests(admin, ns);
    const info = controlPlaneInfo();
    const operatorToken = await serviceAccountToken(admin, ns, 'kubernaut-intake');
    const kcPath = join(info.stateDir, `intake-${ns}.kubeconfig`);
    writeTokenKubeconfig(
      kcPath,
      { server: info.server, caCertPath: info.caCertPath },
      'kubernaut-intake',
      operatorToken,
    );
    sender = await intakeToken(admin, 'monitoring', `alertmanager-${ns}`);
    await bindClusterRole(admin, 'kubernaut-signal-source', 'monitoring', `alertmanager-${ns}`);
    apiAudienceSender = await serviceAccountToken(admin, 'monitoring', `alertmanager-${ns}`);
    stranger = await intakeToken(admin, 'monitoring', `stranger-${ns}`);
    op = await startOperator(
      ns,
      {
        intake: {
          auth: {
            enabled: true,
            audience: INTAKE_AUDIENCE,
            cacheTtlSeconds: 600,
            cacheMaxEntries: 20,
            maxConcurrentReviews: 8,
          },
        } as never,
      },
      loadKubeConfig({ kubeconfigPath: kcPath }),
    );
    url = op.endpoints.intake + PROMETHEUS;
  });
  afterAll(() => op.stop());

  const payload = () =>
    alertmanagerPayload([alert({ namespace: 'shop', deployment: 'auth', alertname: 'AuthAlert' })]);
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  function expectProblem(r: Reply, status: number, type: string, detail?: string) {
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body).toMatchObject({
      status,
      type: expect.stringContaining(type),
      instance: expect.any(String),
    });
    if (detail) expect(r.body.detail).toContain(detail);
  }

  it('creates RRs for a sender bound to the kubernaut-signal-source ClusterRole', async () => {
    const r = await post(url, payload(), bearer(sender));
    expect(r.status).toBe(201);
    expect(r.body.remediationRequestNamespace).toBe(ns);
    const again = await post(url, payload(), bearer(sender));
    expect(again.status).toBe(202);
    expect(again.body.occurrenceCount).toBe(2);
  });

  it('answers 401 without a token and with a forged one', async () => {
    const before = await count();
    expectProblem(await post(url, payload()), 401, 'unauthorized');
    expectProblem(await post(url, payload(), bearer('not-a-real-token')), 401, 'unauthorized');
    expect(await count()).toBe(before);
  });

  it('refuses a token minted for the API server, and the API server refuses the intake token', async () => {
    const before = await count();
    // The same ServiceAccount, bound to kubernaut-signal-source: only the audience differs.
    expectProblem(
      await post(url, payload(), bearer(apiAudienceSender)),
      401,
      'unauthorized',
      INTAKE_AUDIENCE,
    );
    expect(await count()).toBe(before);
    const server = controlPlaneInfo().server;
    const asSender = (token: string) =>
      rawGet(`${server}/api/v1/namespaces/${ns}`, token, controlPlaneInfo().caCertPath);
    expect((await asSender(sender)).status).toBe(401);
    // The API-audience token of the same identity is authenticated there (403: no RBAC to read).
    expect((await asSender(apiAudienceSender)).status).toBe(403);
  });

  it('keeps a good verdict through a flood of made-up tokens, each reviewed at most once', async () => {
    expect((await post(url, payload(), bearer(sender))).status).toBeLessThan(300);
    const reviews = async () => await tokenReviews(op.endpoints.metrics);
    const start = await reviews();
    // JWT-shaped, for the intake's audience, bad signature: they pass the local pre-check and
    // cost one TokenReview each; 60 of them overflow a cache of 20 entries three times.
    const forged = Array.from({ length: 60 }, (_, i) => forgedJwt(INTAKE_AUDIENCE, i));
    for (let i = 0; i < forged.length; i += 4) {
      const replies = await Promise.all(forged.slice(i, i + 4).map((t) => post(url, payload(), bearer(t))));
      for (const r of replies) expect(r.status).toBe(401);
    }
    const afterFlood = await reviews();
    expect(afterFlood - start).toBe(60);
    expect((await post(url, payload(), bearer(sender))).status).toBeLessThan(300);
    expect((await post(url, payload(), bearer(forged[59]!))).status).toBe(401);
    expect(await reviews()).toBe(afterFlood);
  });

  it('answers 403 to an authenticated identity without the signals permission', async () => {
    const before = await count();
    expectProblem(await post(url, payload(), bearer(stranger)), 403, 'forbidden', 'kubernaut-signal-source');
    expect(await count()).toBe(before);
  });

  it('answers 415, 413 and 400 with problems naming what is wrong', async () => {
    const before = await count();
    const h = bearer(sender);
    expectProblem(
      await post(url, 'alertname=x', { ...h, 'content-type': 'text/plain' }),
      415,
      'unsupported-media-type',
    );
    const huge = alertmanagerPayload([
      { ...alert({ namespace: 'shop', pod: 'big' }), annotations: { summary: 'x'.repeat(300 * 1024) } },
    ]);
    expectProblem(await post(url, huge, h), 413, 'payload-too-large');
    expectProblem(await post(url, '{"version": "4", "alerts": [', h), 400, 'malformed-json');
    expectProblem(await post(url, { version: '4' }, h), 400, 'validation', 'alerts');
    expectProblem(
      await post(url, { version: '3', alerts: [alert({ namespace: 'shop', pod: 'p' })] }, h),
      400,
      'validation',
      'version',
    );
    const noName = { ...alert({ namespace: 'shop', pod: 'p' }), labels: { namespace: 'shop', pod: 'p' } };
    expectProblem(
      await post(url, alertmanagerPayload([noName]), h),
      400,
      'validation',
      'alerts[0].labels.alertname',
    );
    const badTime = { ...alert({ namespace: 'shop', pod: 'p' }), startsAt: 'yesterday' };
    expectProblem(await post(url, alertmanagerPayload([badTime]), h), 400, 'validation', 'startsAt');
    expectProblem(
      await post(
        op.endpoints.intake + K8S_EVENT,
        { kind: 'Event', apiVersion: 'v1', involvedObject: { kind: 'Pod', name: 'x', namespace: 'shop' } },
        h,
      ),
      400,
      'validation',
      'reason',
    );
    expect(await count()).toBe(before);
  });

  it('serves health and metrics without a token', async () => {
    expect((await fetch(op.endpoints.health + '/healthz')).status).toBe(200);
    expect((await fetch(op.endpoints.health + '/readyz')).status).toBe(200);
    const metrics = await (await fetch(op.endpoints.metrics + '/metrics')).text();
    expect(metrics).toContain('gateway_crds_created_total 1');
    expect(metrics).toMatch(/gateway_signals_rejected_total\{reason="unauthorized"\} 64/);
    expect(metrics).toContain('gateway_informer_synced{resource="remediationrequests"} 1');
  });
});

function forgedJwt(aud: string, n: number): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const sig = Buffer.from(`forged-${n}-${Math.random()}`).toString('base64url');
  return `${part({ alg: 'ES256', kid: 'x' })}.${part({ aud: [aud], sub: `system:serviceaccount:x:f${n}` })}.${sig}`;
}

/** TokenReviews this operator made, from its own gateway_k8s_api_requests_total. */
async function tokenReviews(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl + '/metrics')).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('gateway_k8s_api_requests_total{') && line.includes('resource="tokenreviews"'))
      sum += Number(line.split(' ').pop());
  }
  return sum;
}

function rawGet(url: string, token: string, caPath: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { headers: { authorization: `Bearer ${token}` }, ca: readFileSync(caPath) },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
