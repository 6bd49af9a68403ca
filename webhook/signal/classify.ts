// Classification (contract §4): the environment comes from the target namespace's labels, and
// the priority from a severity x environment matrix that operators may replace in config.
import type { Priority } from '../../operator/api/types.ts';

export const ENVIRONMENT_LABELS = ['kubernaut.ai/environment', 'environment'] as const;
export const WILDCARD = '*';
export const PRIORITIES: readonly Priority[] = ['P0', 'P1', 'P2', 'P3'];

/** `matrix[severity][environment]`; a `'*'` row or column stands for "any other". */
export type PriorityMatrix = Readonly<Record<string, Readonly<Record<string, Priority>>>>;

/** Used when no cell matches, even through wildcards: an unclassifiable signal is the least urgent. */
export const FALLBACK_PRIORITY: Priority = 'P3';

export const DEFAULT_PRIORITY_MATRIX: PriorityMatrix = {
  critical: { production: 'P0', staging: 'P1', development: 'P2', [WILDCARD]: 'P2' },
  warning: { production: 'P1', staging: 'P2', development: 'P2', [WILDCARD]: 'P2' },
  info: { [WILDCARD]: 'P3' },
  [WILDCARD]: { [WILDCARD]: 'P3' },
};

/** The first non-empty environment label, lower-cased, so `Production` and `production` agree. */
export function environmentFromNamespaceLabels(
  labels: Readonly<Record<string, string>> | undefined,
  defaultEnv: string,
): string {
  for (const key of ENVIRONMENT_LABELS) {
    const value = labels?.[key]?.trim().toLowerCase();
    if (value) return value;
  }
  return defaultEnv;
}

/**
 * Looks up (severity, environment), then (severity, *), then (*, environment), then (*, *):
 * a specific row wins over the wildcard row, so a partial matrix still classifies everything.
 */
export function priorityFor(matrix: PriorityMatrix, severity: string, environment: string): Priority {
  const sev = severity.toLowerCase();
  const env = environment.toLowerCase();
  const row = Object.hasOwn(matrix, sev) ? matrix[sev] : undefined;
  const other = Object.hasOwn(matrix, WILDCARD) ? matrix[WILDCARD] : undefined;
  return cell(row, env) ?? cell(other, env) ?? FALLBACK_PRIORITY;
}

function cell(row: Readonly<Record<string, Priority>> | undefined, env: string): Priority | undefined {
  if (!row) return undefined;
  if (Object.hasOwn(row, env)) return row[env];
  return Object.hasOwn(row, WILDCARD) ? row[WILDCARD] : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a matrix read from configuration, so a typo fails at start-up with the offending
 * key named, instead of silently classifying everything as P3. Keys are lower-cased to match
 * the lower-cased severities and environments they are looked up with.
 */
export function parsePriorityMatrix(input: unknown, path = 'priorityMatrix'): PriorityMatrix {
  if (!isPlainObject(input))
    throw new Error(`${path} must be an object of severity -> environment -> priority`);
  const rows = normalizedEntries(input, path, 'severity row');
  // fromEntries defines own properties, so even a `__proto__` key cannot touch the prototype.
  return Object.fromEntries(rows.map(([sev, row]) => [sev, parseRow(row, `${path}.${sev}`)]));
}

function parseRow(input: unknown, path: string): Record<string, Priority> {
  if (!isPlainObject(input)) throw new Error(`${path} must be an object of environment -> priority`);
  const cells = normalizedEntries(input, path, 'environment');
  for (const [env, value] of cells) {
    if (typeof value !== 'string' || !(PRIORITIES as readonly string[]).includes(value)) {
      throw new Error(
        `${path}.${env} must be one of ${PRIORITIES.join(', ')} (got ${JSON.stringify(value)})`,
      );
    }
  }
  return Object.fromEntries(cells) as Record<string, Priority>;
}

function normalizedEntries(input: Record<string, unknown>, path: string, what: string): [string, unknown][] {
  const entries = Object.entries(input).map(([key, value]): [string, unknown] => [
    key.trim().toLowerCase(),
    value,
  ]);
  if (entries.length === 0) throw new Error(`${path} must have at least one ${what}`);
  const seen = new Set<string>();
  for (const [key] of entries) {
    if (key === '') throw new Error(`${path} has an empty key`);
    if (seen.has(key)) throw new Error(`${path}.${key} is given twice (keys are case-insensitive)`);
    seen.add(key);
  }
  return entries;
}
