// Who we are to the API server, per request: a bearer token (inline, from a file re-read
// periodically, or from an exec plugin), basic auth, and/or a TLS client certificate. A 401
// makes the refreshable sources forget what they hold, so the retried request uses fresh
// material: bound ServiceAccount tokens rotate on disk, exec credentials expire early.
import { readFileSync } from 'node:fs';
import { ExecCredentialPlugin } from './execCredential.ts';
import type { ExecOptions } from './execCredential.ts';
import type { KubeconfigUser } from './kubeconfigFile.ts';

/** What one request presents. The same cert/key objects come back until they change. */
export interface AuthState {
  authorization?: string;
  cert?: string;
  key?: string;
}

export interface Credentials {
  current(): Promise<AuthState>;
  /** Forgets refreshable material after a 401; true when a retry can present something new. */
  invalidate(): boolean;
}

/** client-go re-reads token files about once a minute. */
export const TOKEN_FILE_REREAD_MS = 60_000;

export interface CredentialOptions {
  now?: () => number;
  /** How long a token read from a file is used before the file is read again. */
  tokenFileRereadMs?: number;
  exec?: ExecOptions;
}

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

/** A token file read on first use and again once `rereadMs` has passed or after a 401. */
export class TokenFile {
  private readonly path: string;
  private readonly now: () => number;
  private readonly rereadMs: number;
  private token: string | undefined;
  private readAtMs = -Infinity;

  constructor(path: string, now: () => number = Date.now, rereadMs = TOKEN_FILE_REREAD_MS) {
    this.path = path;
    this.now = now;
    this.rereadMs = rereadMs;
  }

  get(): string {
    const now = this.now();
    if (this.token === undefined || now - this.readAtMs >= this.rereadMs) {
      try {
        this.token = readFileSync(this.path, 'utf8').trim();
        this.readAtMs = now;
      } catch (err) {
        // Keep the last good token while the file is being replaced; fail only without one.
        if (this.token === undefined) {
          throw new Error(`cannot read token file ${this.path}: ${String(err)}`, { cause: err });
        }
      }
    }
    return this.token;
  }

  invalidate(): void {
    this.readAtMs = -Infinity;
  }
}

/** The credentials of one kubeconfig user (or of a pod's ServiceAccount). */
export class UserCredentials implements Credentials {
  private readonly staticState: AuthState;
  private readonly tokenFile: TokenFile | undefined;
  private readonly exec: ExecCredentialPlugin | undefined;
  private execState: { from: unknown; state: AuthState } | undefined;

  constructor(user: KubeconfigUser, opts: CredentialOptions = {}) {
    const cert = user.clientCertificateData
      ? decode(user.clientCertificateData)
      : readOptional(user.clientCertificate);
    const key = user.clientKeyData ? decode(user.clientKeyData) : readOptional(user.clientKey);
    if (Boolean(cert) !== Boolean(key))
      throw new Error('the kubeconfig user has a client certificate without a key (or a key without one)');
    this.staticState = { cert, key, authorization: staticAuthorization(user) };
    this.tokenFile = user.tokenFile
      ? new TokenFile(user.tokenFile, opts.now, opts.tokenFileRereadMs)
      : undefined;
    this.exec = user.exec && new ExecCredentialPlugin(user.exec, { now: opts.now, ...opts.exec });
  }

  async current(): Promise<AuthState> {
    if (this.exec) return this.fromExec(await this.exec.get());
    if (this.tokenFile) return { ...this.staticState, authorization: `Bearer ${this.tokenFile.get()}` };
    return this.staticState;
  }

  invalidate(): boolean {
    this.exec?.invalidate();
    this.tokenFile?.invalidate();
    return this.exec !== undefined || this.tokenFile !== undefined;
  }

  /** Keeps returning the same state object for the same plugin answer (the pool is keyed on it). */
  private fromExec(r: Awaited<ReturnType<ExecCredentialPlugin['get']>>): AuthState {
    if (this.execState?.from === r) return this.execState.state;
    const state: AuthState = r.clientCertificateData
      ? { cert: r.clientCertificateData, key: r.clientKeyData }
      : { cert: this.staticState.cert, key: this.staticState.key };
    state.authorization = r.token ? `Bearer ${r.token}` : this.staticState.authorization;
    this.execState = { from: r, state };
    return state;
  }
}

function staticAuthorization(user: KubeconfigUser): string | undefined {
  if (user.token) return `Bearer ${user.token}`;
  if (user.username !== undefined || user.password !== undefined) {
    return `Basic ${Buffer.from(`${user.username ?? ''}:${user.password ?? ''}`).toString('base64')}`;
  }
  return undefined;
}

function readOptional(path: string | undefined): string | undefined {
  return path === undefined ? undefined : readFileSync(path, 'utf8');
}
