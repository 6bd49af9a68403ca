// What the benchmark takes from the chart's default values (charts/kubernaut-intake/values.yaml)
// so it runs the replicas as the chart does: `nodeOptions` (the pods' NODE_OPTIONS) and
// `replicaCount` (the open-loop cases' replica count).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../e2e/controlplane/install.ts';

export const VALUES_FILE = join(REPO_ROOT, 'charts', 'kubernaut-intake', 'values.yaml');

interface Values {
  nodeOptions?: unknown;
  replicaCount?: unknown;
}

const values = (text: string) => (parse(text) as Values | null) ?? {};

/** `nodeOptions` of a values file's text; empty when unset (the chart then sets no NODE_OPTIONS). */
export function nodeOptionsFrom(valuesYaml: string): string {
  const v = values(valuesYaml).nodeOptions;
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new Error(`values.yaml nodeOptions is not a string: ${JSON.stringify(v)}`);
  return v.trim();
}

/** `replicaCount` of a values file's text (the chart's default is used when it is unset: 1). */
export function replicaCountFrom(valuesYaml: string): number {
  const v = values(valuesYaml).replicaCount ?? 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new Error(`values.yaml replicaCount is not a positive integer: ${JSON.stringify(v)}`);
  }
  return v;
}

const read = () => readFileSync(VALUES_FILE, 'utf8');
export const chartNodeOptions = () => nodeOptionsFrom(read());
export const chartReplicaCount = () => replicaCountFrom(read());
