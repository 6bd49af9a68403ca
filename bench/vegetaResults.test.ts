import { summarizeEncoded, targetLine } from './vegetaResults.ts';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64');
const line = (code: number, ms: number, atMs: number, status?: string, error = '') =>
  JSON.stringify({
    attack: '',
    seq: 0,
    code,
    timestamp: new Date(Date.UTC(2026, 0, 1) + atMs).toISOString(),
    latency: ms * 1e6,
    bytes_out: 10,
    bytes_in: 10,
    error,
    body: status ? b64({ status }) : '',
  });

describe('vegeta results', () => {
  it('writes JSON targets with a base64 body and the bearer token', () => {
    const t = JSON.parse(targetLine({ url: 'http://x/api', body: '{"a":1}', token: 'tok' })) as {
      method: string;
      body: string;
      header: Record<string, string[]>;
    };
    expect(t.method).toBe('POST');
    expect(Buffer.from(t.body, 'base64').toString()).toBe('{"a":1}');
    expect(t.header.Authorization).toEqual(['Bearer tok']);
    const anon = JSON.parse(targetLine({ url: 'http://x', body: '', token: '' })) as {
      header: Record<string, string[]>;
    };
    expect(anon.header.Authorization).toBeUndefined();
  });

  it('computes percentiles, codes, outcomes and the sent rate from encoded results', () => {
    const text = [
      ...Array.from({ length: 98 }, (_, i) => line(202, i + 1, i * 20, 'duplicate')),
      line(201, 500, 98 * 20, 'created'),
      line(0, 30_000, 99 * 20, undefined, 'timeout'),
      '',
    ].join('\n');
    const s = summarizeEncoded(text);
    expect(s.requests).toBe(100);
    expect(s.codes).toEqual({ '202': 98, '201': 1, '0': 1 });
    expect(s.outcomes).toEqual({ duplicate: 98, created: 1, none: 1 });
    expect(s.errors).toBe(1);
    expect(s.errorSamples).toEqual(['0: timeout']);
    expect(s.latency.p50Ms).toBe(50);
    expect(s.latency.p95Ms).toBe(95);
    expect(s.latency.p99Ms).toBe(500);
    expect(s.latency.maxMs).toBe(30_000);
    expect(s.sentPerSec).toBe(50);
  });
});
