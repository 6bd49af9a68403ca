// The checker behind webhook/openapi.int.test.ts, on made-up exchanges: it must refuse what the
// document does not allow, or the integration test would prove nothing. And the document itself:
// OpenAPI 3.1, every reference resolves, every schema compiles.
import { OpenApiChecker } from '../test/support/openapi.ts';
import type { Exchange } from '../test/support/openapi.ts';

const PROM = '/api/v1/signals/prometheus';
const FP = 'a'.repeat(64);
const created = {
  status: 'created',
  fingerprint: FP,
  remediationRequestName: `rr-${'a'.repeat(12)}-x7k2p`,
  remediationRequestNamespace: 'kubernaut-system',
  duplicate: false,
};
const problem = {
  type: 'https://kubernaut.ai/problems/service-unavailable',
  title: 'Service unavailable',
  status: 503,
  detail: 'Kubernetes API: connect ECONNREFUSED',
  instance: PROM,
};

function x(status: number, body: unknown, headers: Record<string, string> = {}): Exchange {
  return {
    method: 'POST',
    path: PROM,
    status,
    body,
    headers: new Headers({ 'content-type': 'application/json; charset=utf-8', ...headers }),
  };
}

describe('docs/openapi.yaml checker', () => {
  const api = new OpenApiChecker();

  it('is an OpenAPI 3.1 document whose references all resolve', () => {
    expect(api.doc.openapi).toMatch(/^3\.1\./);
    const refs: string[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object')
        for (const [k, v] of Object.entries(n)) {
          if (k === '$ref') refs.push(v as string);
          else walk(v);
        }
    };
    walk(api.doc);
    const resolve = (ref: string) =>
      ref
        .slice(2)
        .split('/')
        .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], api.doc);
    expect(refs.filter((r) => resolve(r) === undefined)).toEqual([]);
    expect(api.documented()).toContain(`POST ${PROM} 207`);
  });

  it('accepts a documented response', () => {
    expect(() => api.check(x(201, created))).not.toThrow();
    const retry = { 'content-type': 'application/problem+json', 'retry-after': '5' };
    expect(() => api.check(x(503, problem, retry))).not.toThrow();
  });

  it('refuses a wrong body, an undocumented status, a missing header or content type', () => {
    expect(() => api.check(x(201, { ...created, duplicate: true }))).toThrow(/duplicate/);
    expect(() => api.check(x(201, { ...created, extra: 1 }))).toThrow(/additional/);
    expect(() => api.check(x(201, { ...created, fingerprint: 'abc' }))).toThrow(/fingerprint/);
    expect(() => api.check(x(429, problem))).toThrow(/not documented/);
    expect(() => api.check(x(503, problem, { 'content-type': 'application/problem+json' }))).toThrow(
      /Retry-After/,
    );
    expect(() => api.check(x(201, created, { 'content-type': 'text/plain' }))).toThrow(/content type/);
    const batch = { results: [created], summary: { total: 1 } };
    expect(() => api.check(x(207, batch))).toThrow(/body does not match/);
  });

  it('checks request bodies too', () => {
    expect(() => api.checkRequest('POST', PROM, { alerts: [{ labels: { alertname: 'A' } }] })).not.toThrow();
    expect(() => api.checkRequest('POST', PROM, { alerts: [{ labels: {} }] })).toThrow(/alertname/);
  });
});
