// Reads the API server's own request counter (apiserver_request_total), so tests and the
// benchmark can count exactly how many API requests something cost.
import type { KubeConfig } from '@kubernetes/client-node';
import { adminRawGet } from './cluster.ts';

export interface RequestCount {
  verb: string;
  resource: string;
  subresource: string;
  code: string;
  value: number;
}

export function parseRequestTotals(text: string): RequestCount[] {
  const out: RequestCount[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    out.push({
      verb: labels.verb ?? '',
      resource: labels.resource ?? '',
      subresource: labels.subresource ?? '',
      code: labels.code ?? '',
      value,
    });
  }
  return out;
}

/** Non-watch requests per `resource[/subresource] VERB`, summed over response codes. */
export async function requestCounts(resources: string[], kc?: KubeConfig): Promise<Map<string, number>> {
  const res = await adminRawGet('/metrics', 'text/plain', kc);
  const counts = new Map<string, number>();
  for (const c of parseRequestTotals(res.body)) {
    if (c.verb === 'WATCH' || !resources.includes(c.resource)) continue;
    const key = `${c.resource}${c.subresource ? `/${c.subresource}` : ''} ${c.verb}`;
    counts.set(key, (counts.get(key) ?? 0) + c.value);
  }
  return counts;
}

export function delta(
  before: Map<string, number>,
  after: Map<string, number>,
): { total: number; by: Record<string, number> } {
  const by: Record<string, number> = {};
  let total = 0;
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d > 0) {
      by[k] = d;
      total += d;
    }
  }
  return { total, by };
}
