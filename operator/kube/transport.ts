// HTTP to one API server over undici: a keep-alive connection pool per cluster and TLS identity
// (HTTP/1.1 without pipelining: one request per connection at a time), bearer/basic auth per request, and one
// retry after a 401 when the credentials can be refreshed (rotated token file, expired exec
// credential). Non-watch requests are bounded by the config's requestTimeoutMs end to end.
import { createRequire } from 'node:module';
import type { Dispatcher, Pool as UndiciPool } from 'undici';
import type { AuthState } from './credentials.ts';
import { ApiStatusError } from './errors.ts';
import type { ClusterConfig } from './kubeconfig.ts';

// undici's index also loads fetch, WebSocket, caches and their parsers (~7 MB more RSS in every
// replica: 67 -> 60 MB after import). Only the connection pool and the request API it mixes into
// every dispatcher are loaded, as the index itself does it (undici is pinned exactly; the unit
// tests of this transport fail if a release moves these files).
const requireCjs = createRequire(import.meta.url);
const Pool = requireCjs('undici/lib/dispatcher/pool.js') as typeof UndiciPool;
Object.assign(
  (requireCjs('undici/lib/dispatcher/dispatcher.js') as { prototype: object }).prototype,
  requireCjs('undici/lib/api/index.js') as object,
);
type Pool = UndiciPool;

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestSpec {
  method: Dispatcher.HttpMethod;
  path: string;
  query?: Query;
  body?: unknown;
  contentType?: string;
}

const USER_AGENT = 'kubernaut-intake';
/** Idle pooled connections are closed after this (the API server's own idle timeout is longer). */
const KEEP_ALIVE_MS = 30_000;

export function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `${path}?${parts.join('&')}` : path;
}

export class Transport {
  readonly config: ClusterConfig;
  private pool: Pool | undefined;
  private poolFor: AuthState | undefined;

  constructor(config: ClusterConfig) {
    this.config = config;
  }

  /** A request whose JSON answer is parsed once; non-2xx throws ApiStatusError. */
  async json<T>(spec: RequestSpec): Promise<T> {
    const res = await this.send(spec, AbortSignal.timeout(this.config.requestTimeoutMs));
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode > 299) throw statusError(res.statusCode, text, res.headers);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** Sends a request and returns the response with its body unread (watches). */
  async send(spec: RequestSpec, signal: AbortSignal, retried = false): Promise<Dispatcher.ResponseData> {
    const creds = this.config.credentials;
    const auth = await creds.current();
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': USER_AGENT };
    if (auth.authorization) headers.authorization = auth.authorization;
    let body: string | undefined;
    if (spec.body !== undefined) {
      body = JSON.stringify(spec.body);
      headers['content-type'] = spec.contentType ?? 'application/json';
    }
    const res = await this.dispatcher(auth).request({
      path: withQuery(spec.path, spec.query),
      method: spec.method,
      headers,
      body,
      signal,
    });
    if (res.statusCode === 401 && !retried && creds.invalidate()) {
      await res.body.dump();
      return this.send(spec, signal, true);
    }
    return res;
  }

  /** Closes the pooled connections once their requests have finished. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  /** The pool for this TLS identity; a new client certificate (exec plugin) gets a new pool. */
  private dispatcher(auth: AuthState): Pool {
    if (this.pool && this.poolFor?.cert === auth.cert && this.poolFor?.key === auth.key) return this.pool;
    const old = this.pool;
    const c = this.config;
    this.pool = new Pool(c.server, {
      pipelining: 1,
      // undici 8 negotiates HTTP/2 when offered; Node's HTTP/2 costs more CPU per request, and
      // one multiplexed connection would put every call (and watch) behind one TCP stream.
      allowH2: false,
      keepAliveTimeout: KEEP_ALIVE_MS,
      connect: {
        ca: c.ca,
        cert: auth.cert,
        key: auth.key,
        rejectUnauthorized: !c.insecureSkipTlsVerify,
        ...(c.tlsServerName ? { servername: c.tlsServerName } : {}),
      },
    });
    this.poolFor = auth;
    void old?.close().catch(() => undefined);
    return this.pool;
  }
}

function statusError(
  code: number,
  body: string,
  headers: Dispatcher.ResponseData['headers'],
): ApiStatusError {
  const raw = headers['retry-after'];
  const seconds = Number(Array.isArray(raw) ? raw[0] : raw);
  return new ApiStatusError(code, body, Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined);
}

const shared = new WeakMap<ClusterConfig, Transport>();

/** One transport (one connection pool) per config object, shared by every client made from it. */
export function transportFor(config: ClusterConfig): Transport {
  let t = shared.get(config);
  if (!t) {
    t = new Transport(config);
    shared.set(config, t);
  }
  return t;
}
