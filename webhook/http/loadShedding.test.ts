// The HTTP layer's memory bounds and body decoding, with a pipeline stand-in that holds requests
// in flight until released (no API server is involved at this layer): bytes are admitted from
// Content-Length, counted as a chunked body streams and after a compressed body inflates; parsed
// signals are counted; a bound reached is 503 + Retry-After; a body that does not decode is 400.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { deflateSync, gzipSync } from 'node:zlib';
import { createLogger } from '../../operator/observability/logger.ts';
import { createMetrics } from '../../operator/observability/metrics.ts';
import type { Metrics } from '../../operator/observability/metrics.ts';
import type { Intake, Outcome } from '../pipeline/intake.ts';
import { ROUTES, createIntakeApp } from './app.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/** Posts `chunks` one by one (chunked unless a Content-Length header is given). */
function send(url: string, chunks: Buffer[], headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = { raw: text };
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    // The server may answer (and close) before the whole body is written.
    req.on('error', (err) => (String(err).includes('EPIPE') ? undefined : reject(err)));
    for (const c of chunks) req.write(c);
    req.end();
  });
}

function payload(alerts: number, padBytes = 0): Buffer {
  const one = (i: number) => ({
    status: 'firing',
    labels: { alertname: 'Held', namespace: 'shop', pod: `p-${i}` },
    annotations: { pad: 'x'.repeat(padBytes) },
    startsAt: '2026-11-26T10:00:00Z',
  });
  return Buffer.from(
    JSON.stringify({ version: '4', alerts: Array.from({ length: alerts }, (_, i) => one(i)) }),
  );
}

const sized = (buf: Buffer) => ({ 'content-length': String(buf.length) });

describe('intake load bounds and body decoding', () => {
  let server: Server;
  let url: string;
  let metrics: Metrics;
  let release: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();
  let processing = 0;

  const hold = () => {
    gate = new Promise((r) => (release = r));
  };
  const metric = async (name: string, labels = '') => {
    const text = await metrics.registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const waitFor = async (cond: () => boolean) => {
    for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(cond()).toBe(true);
  };

  beforeAll(async () => {
    metrics = createMetrics({ defaultMetrics: false });
    const intake = {
      process: async (): Promise<Outcome> => {
        processing++;
        try {
          await gate;
        } finally {
          processing--;
        }
        return { status: 'duplicate', fingerprint: 'f'.repeat(64), occurrenceCount: 2 };
      },
      // The route plans a batch's storms before processing it (nothing to plan here).
      planBatch: () => Promise.resolve(() => undefined),
    } as unknown as Intake;
    const app = createIntakeApp({
      intake,
      clusterID: 'c',
      maxAlerts: 100,
      retryAfterSeconds: 7,
      metrics,
      bodyLimitBytes: 64 * 1024,
      requestTimeoutMs: 30_000,
      maxInFlight: 1000,
      maxBytesInFlight: 100 * 1024,
      maxAlertsInFlight: 120,
      accepting: () => true,
      logger: createLogger('error'),
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${ROUTES.prometheus}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  afterEach(async () => {
    release();
    await waitFor(() => processing === 0);
  });
  const idle = async () =>
    (await metric('gateway_intake_inflight_bytes')) === 0 &&
    (await metric('gateway_intake_inflight_alerts')) === 0;

  it('sheds by bytes in flight, admitted from Content-Length before the body is read', async () => {
    hold();
    const big = payload(2, 20 * 1024); // ~40 KiB each: two fit in 100 KiB, a third does not
    const held = [send(url, [big], sized(big)), send(url, [big], sized(big))];
    await waitFor(() => processing === 4);
    const shed = await send(url, [big], sized(big));
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBe('7');
    expect(shed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(shed.body.detail).toMatch(/overloaded: \d+ bytes of request bodies in flight/);
    expect(await metric('gateway_signals_rejected_total', 'reason="overloaded"')).toBeGreaterThanOrEqual(1);
    expect(await metric('gateway_intake_shed_total', 'bound="bytes"')).toBeGreaterThanOrEqual(1);
    release();
    for (const r of await Promise.all(held)) expect(r.status).toBe(207);
    await waitFor(() => processing === 0);
    expect(await idle()).toBe(true);
    expect((await send(url, [big], sized(big))).status).toBe(207); // the budget came back
  });

  it('counts a chunked body as it streams', async () => {
    hold();
    const big = payload(2, 20 * 1024);
    const held = [send(url, [big], sized(big)), send(url, [big], sized(big))];
    await waitFor(() => processing === 4);
    const chunked = payload(2, 20 * 1024);
    const parts = [chunked.subarray(0, 10_000), chunked.subarray(10_000, 30_000), chunked.subarray(30_000)];
    const shed = await send(url, parts); // no Content-Length: Transfer-Encoding chunked
    expect(shed.status).toBe(503);
    expect(shed.body.detail).toMatch(/bytes of request bodies/);
    release();
    for (const r of await Promise.all(held)) expect(r.status).toBe(207);
  });

  it('counts a compressed body by what it inflates to', async () => {
    hold();
    const big = payload(2, 20 * 1024);
    const held = [send(url, [big], sized(big)), send(url, [big], sized(big))];
    await waitFor(() => processing === 4);
    const zipped = gzipSync(payload(2, 20 * 1024)); // under 1 KiB on the wire, ~40 KiB inflated
    expect(zipped.length).toBeLessThan(2048);
    const shed = await send(url, [zipped], { ...sized(zipped), 'content-encoding': 'gzip' });
    expect(shed.status).toBe(503);
    release();
    for (const r of await Promise.all(held)) expect(r.status).toBe(207);
    const ok = await send(url, [zipped], { ...sized(zipped), 'content-encoding': 'gzip' });
    expect(ok.status).toBe(207);
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
    const refused = await send(url, [bomb], { ...sized(bomb), 'content-encoding': 'gzip' });
    expect(refused.status).toBe(413); // inflated past the body limit
  });

  it('sheds by signals in flight once parsed', async () => {
    hold();
    const many = payload(50);
    const held = [send(url, [many], sized(many)), send(url, [many], sized(many))];
    await waitFor(() => processing === 100);
    const shed = await send(url, [many], sized(many));
    expect(shed.status).toBe(503);
    expect(shed.body.detail).toMatch(
      /overloaded: 100 signals in flight, 50 more would pass the limit of 120/,
    );
    expect(await metric('gateway_intake_shed_total', 'bound="alerts"')).toBeGreaterThanOrEqual(1);
    release();
    for (const r of await Promise.all(held)) expect(r.status).toBe(207);
  });

  it.each([
    ['gzip', gzipSync(payload(1)).subarray(0, 20), /not valid gzip/],
    ['gzip', Buffer.from('this is not gzip at all'), /not valid gzip: incorrect header check/],
    ['deflate', Buffer.from('neither is this deflate'), /not valid deflate/],
    ['br', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01]), /not valid br/],
  ])('answers a corrupt %s body 400 naming the encoding', async (encoding, body, detail) => {
    const r = await send(url, [body], { ...sized(body), 'content-encoding': encoding });
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.body.detail).toMatch(detail);
    expect(await metric('gateway_signals_rejected_total', 'reason="corrupt_body"')).toBeGreaterThanOrEqual(1);
  });

  it('decodes a good deflate body and refuses an unknown encoding with 415', async () => {
    const deflated = deflateSync(payload(1));
    expect((await send(url, [deflated], { ...sized(deflated), 'content-encoding': 'deflate' })).status).toBe(
      202,
    );
    const r = await send(url, [payload(1)], { 'content-encoding': 'zstd-magic' });
    expect(r.status).toBe(415);
    expect(r.body.detail).toBe(
      'content encoding "zstd-magic" is not supported; send identity, gzip, deflate or br',
    );
    const latin = await send(url, [payload(1)], { 'content-type': 'application/json; charset=latin1' });
    expect(latin.status).toBe(415);
    expect(latin.body.detail).toBe('charset "latin1" is not supported; send UTF-8 JSON');
  });

  it('refuses a declared body over the limit with 413 before reading it', async () => {
    const big = payload(1, 70 * 1024);
    expect((await send(url, [big], sized(big))).status).toBe(413);
  });
});
