// API server request counts, read from the kube-apiserver's own `apiserver_request_total`.
// Counted: every resource request (creates, gets, lists, patches, updates, deletes) by anyone.
// Not counted: WATCH and CONNECT (long-running; a watch is counted when it ends, so it is a
// fixed per-replica cost that would land in whichever case happens to be running) and
// non-resource requests (/metrics, /readyz, /version: this benchmark's own probing).
// Background traffic (leader-election renewals, the API server's own loops) is measured while
// idle and subtracted as a rate (see run.ts).
import { request } from 'node:https';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** `VERB resource[/subresource] code` -> count. */
export type Counters = Map<string, number>;

const SERIES = /^apiserver_request_total\{([^}]*)\}\s+([0-9.eE+-]+)$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;
const EXCLUDED_VERBS = new Set(['WATCH', 'CONNECT']);

export function parseRequestTotals(text: string): Counters {
  const counters: Counters = new Map();
  for (const line of text.split('\n')) {
    const m = SERIES.exec(line.trim());
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of m[1]!.matchAll(LABEL)) labels[l[1]!] = l[2]!;
    const resource = labels.resource ?? '';
    if (!resource || EXCLUDED_VERBS.has(labels.verb ?? '')) continue;
    const sub = labels.subresource ? `/${labels.subresource}` : '';
    const key = `${labels.verb} ${resource}${sub} ${labels.code}`;
    counters.set(key, (counters.get(key) ?? 0) + Number(m[2]));
  }
  return counters;
}

export function total(c: Counters): number {
  let sum = 0;
  for (const v of c.values()) sum += v;
  return sum;
}

export function minus(after: Counters, before: Counters): Counters {
  const out: Counters = new Map();
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d !== 0) out.set(k, d);
  }
  return out;
}

/** Sum of the series whose key starts with `prefix` (e.g. `PATCH remediationrequests/status`). */
export function sumWhere(c: Counters, prefix: string): number {
  let sum = 0;
  for (const [k, v] of c) if (k.startsWith(`${prefix} `)) sum += v;
  return sum;
}

export interface ApiserverReading {
  counters: Counters;
  /** The API server process's CPU time so far (process_cpu_seconds_total). */
  cpuSeconds: number;
}

export function parseCpuSeconds(text: string): number {
  const m = /^process_cpu_seconds_total\s+([0-9.eE+-]+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Fetches the API server's /metrics as the admin of `kc`. */
export async function readApiserver(kc: KubeConfig): Promise<ApiserverReading> {
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const url = new URL(`${kc.getCurrentCluster()!.server}/metrics`);
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(url, { ...opts, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`/metrics: HTTP ${res.statusCode}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error('/metrics timed out')));
    req.on('error', reject);
    req.end();
  });
  return { counters: parseRequestTotals(text), cpuSeconds: parseCpuSeconds(text) };
}
