// Reads kubeconfig files the way kubectl does: several files (KUBECONFIG=a:b:c) merge into one,
// the first file to define a cluster, user or context by name wins, and so does the first
// current-context. Relative file paths are resolved against the directory of the file that
// named them. Only the fields this client supports are kept; unsupported ones fail loudly when
// the current context uses them, rather than connecting with the wrong identity.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import type { ExecConfig } from './execCredential.ts';

export interface KubeconfigCluster {
  server: string;
  certificateAuthority?: string;
  certificateAuthorityData?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
}

export interface KubeconfigUser {
  clientCertificate?: string;
  clientCertificateData?: string;
  clientKey?: string;
  clientKeyData?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
  authProvider?: string;
}

export interface KubeconfigContext {
  cluster: string;
  user: string;
  namespace?: string;
}

export interface Kubeconfig {
  currentContext?: string;
  clusters: Map<string, KubeconfigCluster>;
  users: Map<string, KubeconfigUser>;
  contexts: Map<string, KubeconfigContext>;
}

type Raw = Record<string, unknown>;

const obj = (v: unknown): Raw => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const named = (v: unknown): { name: string; body: Raw }[] =>
  (Array.isArray(v) ? v : [])
    .map((e) => obj(e))
    .filter((e) => typeof e.name === 'string')
    .map((e) => ({ name: e.name as string, body: e }));

function pathIn(dir: string, p: string | undefined): string | undefined {
  return p === undefined || isAbsolute(p) ? p : resolve(dir, p);
}

function parseCluster(raw: Raw, dir: string): KubeconfigCluster {
  const c = obj(raw.cluster);
  return {
    server: str(c.server) ?? '',
    certificateAuthority: pathIn(dir, str(c['certificate-authority'])),
    certificateAuthorityData: str(c['certificate-authority-data']),
    insecureSkipTlsVerify: c['insecure-skip-tls-verify'] === true,
    tlsServerName: str(c['tls-server-name']),
    proxyUrl: str(c['proxy-url']),
  };
}

function parseExec(raw: unknown, dir: string): ExecConfig | undefined {
  const e = obj(raw);
  const command = str(e.command);
  if (!command) return undefined;
  // kubectl resolves a relative command only when it contains a path separator ("./bin/x"),
  // not a bare name looked up on PATH ("aws").
  return {
    apiVersion: str(e.apiVersion) ?? '',
    command: command.includes('/') ? (pathIn(dir, command) ?? command) : command,
    args: Array.isArray(e.args) ? e.args.map(String) : [],
    env: named(e.env).map(({ name, body }) => ({ name, value: String(body.value ?? '') })),
    interactiveMode: str(e.interactiveMode),
    provideClusterInfo: e.provideClusterInfo === true,
  };
}

function parseUser(raw: Raw, dir: string): KubeconfigUser {
  const u = obj(raw.user);
  return {
    clientCertificate: pathIn(dir, str(u['client-certificate'])),
    clientCertificateData: str(u['client-certificate-data']),
    clientKey: pathIn(dir, str(u['client-key'])),
    clientKeyData: str(u['client-key-data']),
    token: str(u.token),
    tokenFile: pathIn(dir, str(u.tokenFile)),
    username: str(u.username),
    password: str(u.password),
    exec: parseExec(u.exec, dir),
    authProvider: str(obj(u['auth-provider']).name),
  };
}

function parseContext(raw: Raw): KubeconfigContext {
  const c = obj(raw.context);
  return { cluster: str(c.cluster) ?? '', user: str(c.user) ?? '', namespace: str(c.namespace) };
}

/** Parses one kubeconfig document; `path` locates relative file references. */
export function parseKubeconfig(text: string, path: string): Kubeconfig {
  const doc = obj(parse(text));
  const dir = dirname(resolve(path));
  const map = <T>(list: unknown, f: (raw: Raw) => T) => {
    const m = new Map<string, T>();
    for (const { name, body } of named(list)) if (!m.has(name)) m.set(name, f(body));
    return m;
  };
  return {
    currentContext: str(doc['current-context']),
    clusters: map(doc.clusters, (r) => parseCluster(r, dir)),
    users: map(doc.users, (r) => parseUser(r, dir)),
    contexts: map(doc.contexts, parseContext),
  };
}

/** Merges kubeconfigs in order: for every name and for current-context, the first one wins. */
export function mergeKubeconfigs(configs: Kubeconfig[]): Kubeconfig {
  const merged: Kubeconfig = { clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const c of configs) {
    merged.currentContext ??= c.currentContext;
    for (const key of ['clusters', 'users', 'contexts'] as const) {
      const into = merged[key] as Map<string, unknown>;
      for (const [name, value] of c[key]) if (!into.has(name)) into.set(name, value);
    }
  }
  return merged;
}

/**
 * Reads and merges the files of a KUBECONFIG-style list. Like kubectl, empty entries and missing
 * files are skipped; a list that names no readable file is an error.
 */
export function readKubeconfigFiles(paths: string[]): Kubeconfig {
  const found: Kubeconfig[] = [];
  for (const p of paths.filter((x) => x !== '')) {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    found.push(parseKubeconfig(text, p));
  }
  if (found.length === 0) throw new Error(`no kubeconfig file found in ${paths.join(':')}`);
  return mergeKubeconfigs(found);
}

export interface CurrentContext {
  name: string;
  cluster: KubeconfigCluster;
  user: KubeconfigUser;
  namespace?: string;
}

/** The current context with its cluster and user; throws when any of them is missing. */
export function currentContext(kc: Kubeconfig, override?: string): CurrentContext {
  const name = override ?? kc.currentContext;
  if (!name) throw new Error('the kubeconfig names no current context');
  const ctx = kc.contexts.get(name);
  if (!ctx) throw new Error(`the kubeconfig has no context "${name}"`);
  const cluster = kc.clusters.get(ctx.cluster);
  if (!cluster?.server) throw new Error('the kubeconfig names no current cluster');
  if (cluster.proxyUrl) throw new Error(`cluster "${ctx.cluster}": proxy-url is not supported`);
  const user = kc.users.get(ctx.user) ?? {};
  if (user.authProvider) {
    throw new Error(
      `user "${ctx.user}": auth-provider "${user.authProvider}" is not supported; use an exec plugin`,
    );
  }
  return { name, cluster, user, namespace: ctx.namespace };
}
