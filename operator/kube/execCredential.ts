// client-go credential plugins (kubeconfig `user.exec`, client.authentication.k8s.io/v1 and
// v1beta1): runs the command, reads an ExecCredential from its stdout, and caches the token or
// client certificate it returns until its expirationTimestamp. A credential without expiry is
// kept until the API server answers 401, which forces the next request to run the plugin again.
import { execFile } from 'node:child_process';

export interface ExecConfig {
  apiVersion: string;
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  interactiveMode?: string;
  provideClusterInfo?: boolean;
}

export interface ExecResult {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  /** Epoch ms after which the plugin is run again; undefined: until a 401. */
  expiresAtMs?: number;
}

export interface ExecOptions {
  now?: () => number;
  /** A plugin that has not answered after this long fails the request (default 60 s). */
  timeoutMs?: number;
  /** Passed to plugins that ask for it (provideClusterInfo). */
  cluster?: { server: string; 'certificate-authority-data'?: string; 'tls-server-name'?: string };
}

const SUPPORTED = new Set(['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1']);

type Raw = Record<string, unknown>;

/** Validates a plugin's stdout against the apiVersion it was run with. */
export function parseExecCredential(stdout: string, apiVersion: string): ExecResult {
  let doc: Raw;
  try {
    doc = JSON.parse(stdout) as Raw;
  } catch {
    throw new Error('exec plugin printed no JSON ExecCredential');
  }
  if (doc.kind !== 'ExecCredential' || doc.apiVersion !== apiVersion) {
    throw new Error(
      `exec plugin returned ${String(doc.kind)} ${String(doc.apiVersion)}, want ExecCredential ${apiVersion}`,
    );
  }
  const status = (doc.status ?? {}) as Raw;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const result: ExecResult = {
    token: text(status.token),
    clientCertificateData: text(status.clientCertificateData),
    clientKeyData: text(status.clientKeyData),
  };
  if (!result.token && !(result.clientCertificateData && result.clientKeyData)) {
    throw new Error('exec plugin returned neither a token nor a client certificate and key');
  }
  if (Boolean(result.clientCertificateData) !== Boolean(result.clientKeyData)) {
    throw new Error('exec plugin returned a client certificate without its key (or a key without it)');
  }
  const expiry = text(status.expirationTimestamp);
  if (expiry !== undefined) {
    const ms = Date.parse(expiry);
    if (!Number.isFinite(ms)) throw new Error(`exec plugin returned a bad expirationTimestamp "${expiry}"`);
    result.expiresAtMs = ms;
  }
  return result;
}

export class ExecCredentialPlugin {
  private readonly config: ExecConfig;
  private readonly opts: ExecOptions;
  private readonly now: () => number;
  private cached: ExecResult | undefined;
  private running: Promise<ExecResult> | undefined;
  /** How many times the plugin has run (for tests and diagnostics). */
  runs = 0;

  constructor(config: ExecConfig, opts: ExecOptions = {}) {
    if (!SUPPORTED.has(config.apiVersion)) {
      throw new Error(
        `exec plugin apiVersion "${config.apiVersion}" is not supported (use ${[...SUPPORTED].join(' or ')})`,
      );
    }
    this.config = config;
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  /** The cached credential while it is valid, else the plugin's fresh answer (one run at a time). */
  get(): Promise<ExecResult> {
    const c = this.cached;
    if (c && (c.expiresAtMs === undefined || this.now() < c.expiresAtMs)) return Promise.resolve(c);
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Forgets the cached credential (after a 401). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async run(): Promise<ExecResult> {
    this.runs++;
    const { apiVersion, command, args } = this.config;
    const spec: Raw = { interactive: false };
    if (this.config.provideClusterInfo && this.opts.cluster) spec.cluster = this.opts.cluster;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const e of this.config.env) env[e.name] = e.value;
    env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion, kind: 'ExecCredential', spec });
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        command,
        args,
        { env, timeout: this.opts.timeoutMs ?? 60_000, maxBuffer: 1 << 20, encoding: 'utf8' },
        (err, out, stderr) => {
          if (err)
            reject(new Error(`exec plugin ${command} failed: ${err.message} ${stderr.slice(0, 500)}`.trim()));
          else resolve(out);
        },
      );
    });
    this.cached = parseExecCredential(stdout, apiVersion);
    return this.cached;
  }
}
