// Plain HTTP/1.1 requests with whatever headers and bytes a test wants (fetch refuses some), and
// slow clients (slowloris) that trickle a request that never completes.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface RawReply {
  status: number;
  retryAfter?: string;
  /** Set when the connection failed or closed without an answer. */
  error?: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export function rawPost(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  timeoutMs = 30_000,
): Promise<RawReply> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': String(body.length) },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'] as string | undefined,
          }),
        );
        res.on('error', (err) => resolve({ status: res.statusCode ?? 0, error: String(err) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', (err) =>
      resolve({ status: 0, error: (err as NodeJS.ErrnoException).code ?? err.message }),
    );
    req.end(body);
  });
}

export interface Slowloris {
  /** Connections the server answered or closed on its own. */
  closedByServer(): number;
  /** Status codes the server answered the slow requests with. */
  statuses(): number[];
  stop(): void;
}

/**
 * `count` connections to `url` that each send a POST's headers, then one byte of a body that
 * never completes (or, for every other one, header lines that never end) every `intervalMs`.
 */
export function slowloris(
  url: string,
  path: string,
  count: number,
  intervalMs = 1000,
  headers: Record<string, string> = {},
): Slowloris {
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const u = new URL(url);
  const sockets: Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  let closed = 0;
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const s = connect(Number(u.port), u.hostname);
    sockets.push(s);
    s.on('error', () => {});
    s.on('data', (d: Buffer) => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(d.toString('latin1'));
      if (m) statuses.push(Number(m[1]));
    });
    s.on('close', () => {
      closed++;
      clearInterval(timers[i]);
    });
    const slowHeaders = i % 2 === 1;
    s.write(
      `POST ${path} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\n${extra}` +
        (slowHeaders ? '' : 'Content-Length: 100000\r\n\r\n{"version":"4","alerts":['),
    );
    timers[i] = setInterval(() => {
      if (!s.destroyed) s.write(slowHeaders ? `X-Slow-${Date.now()}: 1\r\n` : ' ');
    }, intervalMs);
  }
  let atStop: number | undefined;
  return {
    closedByServer: () => atStop ?? closed,
    statuses: () => statuses,
    stop: () => {
      if (atStop !== undefined) return;
      atStop = closed;
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
    },
  };
}
