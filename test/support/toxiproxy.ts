// A real TCP fault proxy for the fault tests: Toxiproxy (built from the Go module proxy by
// e2e/controlplane/build-gotool.sh) runs on a free loopback port behind guard.sh, and each proxy
// it serves can be given latency, timeouts, resets or a bandwidth squeeze through its HTTP API.
// kubeconfigThrough() points a kubeconfig at a proxy, so one replica talks to the real API server
// through the faults while the others talk to it directly (the serving certificate names
// 127.0.0.1, so TLS verification still holds through the proxy).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { freePort } from '../../e2e/controlplane/ports.ts';
import { makeStateDir, recordPids, startGuarded, stopProcess } from '../../e2e/controlplane/processes.ts';
import type { ManagedProcess } from '../../e2e/controlplane/processes.ts';

const BUILD = join(dirname(fileURLToPath(import.meta.url)), '../../e2e/controlplane/build-gotool.sh');

export type ToxicType =
  'latency' | 'timeout' | 'reset_peer' | 'bandwidth' | 'limit_data' | 'slow_close' | 'slicer';

export interface Toxic {
  type: ToxicType;
  /** Which direction the toxic acts on; Toxiproxy's default is downstream (server -> client). */
  stream?: 'upstream' | 'downstream';
  /** Fraction of connections affected, 0..1 (default 1). */
  toxicity?: number;
  /** e.g. latency: {latency, jitter} ms; timeout: {timeout} ms; bandwidth: {rate} KB/s. */
  attributes: Record<string, number>;
  name?: string;
}

export interface Proxy {
  name: string;
  /** host:port the proxy listens on. */
  listen: string;
  upstream: string;
  /** Adds a toxic; returns its name (for removeToxic). */
  addToxic(toxic: Toxic): Promise<string>;
  removeToxic(name: string): Promise<void>;
  clearToxics(): Promise<void>;
  /** Disabled: refuses new connections and drops open ones (a network partition). */
  disable(): Promise<void>;
  enable(): Promise<void>;
}

export function toxiproxyBinary(): string {
  const out = execFileSync('bash', [BUILD, 'toxiproxy'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').pop()!;
}

export class Toxiproxy {
  private readonly api: string;
  private readonly proc: ManagedProcess;
  private toxicSeq = 0;

  private constructor(api: string, proc: ManagedProcess) {
    this.api = api;
    this.proc = proc;
  }

  /** Starts toxiproxy-server on a free loopback port; ready when its API answers. */
  static async start(): Promise<Toxiproxy> {
    const port = await freePort();
    const stateDir = makeStateDir();
    const proc = startGuarded(
      'toxiproxy',
      toxiproxyBinary(),
      ['-host', '127.0.0.1', '-port', String(port)],
      join(stateDir, 'toxiproxy.log'),
    );
    recordPids(stateDir, [proc.pid]);
    const tp = new Toxiproxy(`http://127.0.0.1:${port}`, proc);
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        if ((await fetch(`${tp.api}/version`)).ok) return tp;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`toxiproxy did not start; see ${proc.logPath}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A new proxy on a free loopback port in front of `upstream` (host:port). */
  async proxy(name: string, upstream: string): Promise<Proxy> {
    const listen = `127.0.0.1:${await freePort()}`;
    await this.call('POST', '/proxies', { name, listen, upstream, enabled: true });
    const path = `/proxies/${encodeURIComponent(name)}`;
    const names = new Set<string>();
    return {
      name,
      listen,
      upstream,
      addToxic: async (t) => {
        const toxicName = t.name ?? `${t.type}-${++this.toxicSeq}`;
        await this.call('POST', `${path}/toxics`, {
          name: toxicName,
          type: t.type,
          stream: t.stream ?? 'downstream',
          toxicity: t.toxicity ?? 1,
          attributes: t.attributes,
        });
        names.add(toxicName);
        return toxicName;
      },
      removeToxic: async (toxicName) => {
        await this.call('DELETE', `${path}/toxics/${encodeURIComponent(toxicName)}`);
        names.delete(toxicName);
      },
      clearToxics: async () => {
        for (const toxicName of [...names]) {
          await this.call('DELETE', `${path}/toxics/${encodeURIComponent(toxicName)}`);
          names.delete(toxicName);
        }
      },
      disable: async () => void (await this.call('POST', path, { enabled: false })),
      enable: async () => void (await this.call('POST', path, { enabled: true })),
    };
  }

  async stop(): Promise<void> {
    await stopProcess(this.proc);
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(this.api + path, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`toxiproxy ${method} ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}

/** host:port of a kubeconfig's current cluster (for `tp.proxy(name, upstream)`). */
export function kubeconfigServer(kubeconfig: string): string {
  const cfg = parseKubeconfig(kubeconfig);
  return new URL(currentCluster(cfg).server).host;
}

/**
 * Writes a copy of a kubeconfig (a path or its YAML text) whose current cluster is reached
 * through `proxy`; returns the new file's path (`outPath`, or next to the original / in /tmp).
 */
export function kubeconfigThrough(proxy: Proxy, kubeconfig: string, outPath?: string): string {
  const cfg = parseKubeconfig(kubeconfig);
  const cluster = currentCluster(cfg);
  const url = new URL(cluster.server);
  url.host = proxy.listen;
  cluster.server = url.toString().replace(/\/$/, '');
  const out =
    outPath ??
    (looksLikePath(kubeconfig)
      ? `${kubeconfig}.via-${proxy.name}`
      : join('/tmp', `kubeconfig-via-${proxy.name}-${process.pid}`));
  writeFileSync(out, stringify(cfg), { mode: 0o600 });
  return out;
}

interface KubeconfigDoc {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string } }[];
  clusters?: { name: string; cluster: { server: string } }[];
}

function looksLikePath(s: string): boolean {
  return !s.includes('\n') && !s.trimStart().startsWith('apiVersion');
}

function parseKubeconfig(kubeconfig: string): KubeconfigDoc {
  return parse(looksLikePath(kubeconfig) ? readFileSync(kubeconfig, 'utf8') : kubeconfig) as KubeconfigDoc;
}

function currentCluster(cfg: KubeconfigDoc): { server: string } {
  const ctx = cfg.contexts?.find((c) => c.name === cfg['current-context']) ?? cfg.contexts?.[0];
  const entry = cfg.clusters?.find((c) => c.name === ctx?.context.cluster) ?? cfg.clusters?.[0];
  if (!entry) throw new Error('kubeconfig has no cluster');
  return entry.cluster;
}
