// What something cost the API server, from its own apiserver_request_total: the benchmark's
// reader (bench/apiserverMetrics.ts), narrowed to the resources a test cares about.
import type { KubeConfig } from '@kubernetes/client-node';
import { minus, readApiserver, total } from '../../bench/apiserverMetrics.ts';
import type { Counters } from '../../bench/apiserverMetrics.ts';
import { adminKubeConfig } from './cluster.ts';

/** Non-watch requests to `resources`, keyed `VERB resource[/subresource] code`. */
export async function requestCounts(
  resources: string[],
  kc: KubeConfig = adminKubeConfig(),
): Promise<Counters> {
  const { counters } = await readApiserver(kc);
  const resourceOf = (key: string) => key.split(' ')[1]!.split('/')[0]!;
  return new Map([...counters].filter(([key]) => resources.includes(resourceOf(key))));
}

export function delta(before: Counters, after: Counters): { total: number; by: Record<string, number> } {
  const d = minus(after, before);
  return { total: total(d), by: Object.fromEntries(d) };
}
