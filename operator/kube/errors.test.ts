import { json, recordingServer } from '../../test/support/recordingServer.ts';
import type { RecordingServer } from '../../test/support/recordingServer.ts';
import { KubeClient } from './client.ts';
import { ApiStatusError, classifyKubeError, KubeError } from './errors.ts';
import { API_REQUEST_TIMEOUT_MS } from './kubeconfig.ts';
import type { ClusterConfig } from './kubeconfig.ts';
import { createMetrics } from '../observability/metrics.ts';

const status = (code: number, reason?: string, message?: string, details?: object) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, details });

describe('classifyKubeError from HTTP status and Status body', () => {
  it.each([
    [409, 'AlreadyExists', 'alreadyExists'],
    [409, 'Conflict', 'conflict'],
    [404, 'NotFound', 'notFound'],
    [410, 'Expired', 'gone'],
    [422, 'Invalid', 'invalid'],
    [400, 'BadRequest', 'invalid'],
    [401, 'Unauthorized', 'unauthorized'],
    [403, 'Forbidden', 'forbidden'],
    [429, 'TooManyRequests', 'unavailable'],
    [500, 'InternalError', 'unavailable'],
    [503, 'ServiceUnavailable', 'unavailable'],
    [418, undefined, 'other'],
  ])('%i %s -> %s', (code, reason, kind) => {
    const err = classifyKubeError(new ApiStatusError(code, status(code, reason, `msg ${code}`)));
    expect(err).toBeInstanceOf(KubeError);
    expect(err).toMatchObject({ kind, code, reason, message: `msg ${code}` });
  });

  it('keeps a non-JSON body as the message and says HTTP <code> without one', () => {
    expect(classifyKubeError(new ApiStatusError(502, '<html>bad gateway</html>'))).toMatchObject({
      kind: 'unavailable',
      code: 502,
      message: '<html>bad gateway</html>',
    });
    expect(classifyKubeError(new ApiStatusError(500, ''))).toMatchObject({ message: 'HTTP 500' });
  });

  it('carries Retry-After from the header, else from the Status details', () => {
    expect(
      classifyKubeError(new ApiStatusError(429, status(429, 'TooManyRequests'), 7)).retryAfterSeconds,
    ).toBe(7);
    const fromBody = new ApiStatusError(
      429,
      status(429, 'TooManyRequests', 'slow', { retryAfterSeconds: 3 }),
    );
    expect(classifyKubeError(fromBody).retryAfterSeconds).toBe(3);
  });

  it('treats network failures and timeouts as unavailable with code 0 (the write may or may not have happened)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyKubeError(refused)).toMatchObject({ kind: 'unavailable', code: 0 });
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyKubeError(timeout)).toMatchObject({ kind: 'unavailable', code: 0 });
  });
});

describe('KubeClient requests, errors and metrics', () => {
  let server: RecordingServer;
  let cfg: ClusterConfig;
  beforeEach(async () => {
    server = await recordingServer();
    cfg = {
      contextName: 't',
      server: server.url,
      insecureSkipTlsVerify: false,
      credentials: { current: () => Promise.resolve({ authorization: 'Bearer t' }), invalidate: () => false },
      requestTimeoutMs: API_REQUEST_TIMEOUT_MS,
    };
  });
  afterEach(() => server.close());

  it('sends merge patches and delete preconditions as JSON, and counts every call by code', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const kube = new KubeClient(cfg, metrics);
    server.handle((r, res) =>
      r.method === 'DELETE'
        ? json(res, 409, JSON.parse(status(409, 'Conflict', 'stale')))
        : json(res, 200, { metadata: { name: 'rr-1', resourceVersion: '8' } }),
    );
    await kube.patchRRStatus('ns', 'rr-1', { overallPhase: 'Pending' }, '7');
    await expect(kube.deleteRR('ns', 'rr-1', '7')).rejects.toMatchObject({ kind: 'conflict', code: 409 });
    const [patch, del] = server.requests;
    expect(patch).toMatchObject({
      method: 'PATCH',
      url: '/apis/kubernaut.ai/v1alpha1/namespaces/ns/remediationrequests/rr-1/status',
    });
    expect(patch?.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(patch?.body ?? '')).toEqual({
      status: { overallPhase: 'Pending' },
      metadata: { resourceVersion: '7' },
    });
    expect(JSON.parse(del?.body ?? '')).toEqual({ preconditions: { resourceVersion: '7' } });
    const counts = (await metrics.registry.getSingleMetric('gateway_k8s_api_requests_total')?.get())?.values;
    expect(counts?.map((v) => [v.labels.verb, v.labels.resource, v.labels.code, v.value])).toEqual([
      ['patch', 'remediationrequests/status', '200', 1],
      ['delete', 'remediationrequests', '409', 1],
    ]);
  });

  it('bounds a request by requestTimeoutMs and reports it as unavailable', async () => {
    server.handle(() => undefined); // never answers
    const kube = new KubeClient({ ...cfg, requestTimeoutMs: 100 });
    const started = Date.now();
    await expect(kube.getRR('ns', 'x')).rejects.toMatchObject({ kind: 'unavailable', code: 0 });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('passes Retry-After of a 429 on', async () => {
    server.handle((_r, res) =>
      json(res, 429, JSON.parse(status(429, 'TooManyRequests', 'slow down')), { 'retry-after': '4' }),
    );
    await expect(new KubeClient(cfg).listRRs('ns', { limit: 5, continueToken: 'c/1' })).rejects.toMatchObject(
      {
        kind: 'unavailable',
        code: 429,
        retryAfterSeconds: 4,
      },
    );
    expect(server.requests[0]?.url).toBe(
      '/apis/kubernaut.ai/v1alpha1/namespaces/ns/remediationrequests?limit=5&continue=c%2F1',
    );
  });
});
