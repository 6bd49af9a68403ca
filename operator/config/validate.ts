// Validates a configuration value against ConfigSchema with Ajv, filling in defaults, and turns
// Ajv's errors into one line per setting that names its path, what is allowed and what was given.
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { ConfigSchema } from './schema.ts';
import type { Config } from './schema.ts';

const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true });
const check = ajv.compile<Config>(ConfigSchema);

interface SchemaFacts {
  type?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: unknown[];
}

function allowed(s: SchemaFacts): string {
  if (s.enum) return `must be one of ${s.enum.join(', ')}`;
  switch (s.type) {
    case 'integer':
      return s.maximum === undefined || s.maximum >= Number.MAX_SAFE_INTEGER
        ? `must be a whole number of at least ${s.minimum}`
        : `must be a whole number from ${s.minimum} to ${s.maximum}`;
    case 'boolean':
      return 'must be true or false';
    case 'string': {
      const length =
        s.maxLength === undefined
          ? 'a string'
          : `a string of ${s.minLength ?? 0} to ${s.maxLength} characters`;
      return `must be ${length}${s.pattern ? ` matching ${s.pattern}` : ''}`;
    }
    case 'object':
      return 'expected a mapping';
    default:
      return 'is not valid';
  }
}

const dotted = (pointer: string) =>
  pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');

function messages(errors: ErrorObject[]): string[] {
  const byPath = new Map<string, string>();
  for (const e of errors) {
    const at = dotted(e.instancePath);
    const join = (key: string) => (at ? `${at}.${key}` : key);
    if (e.keyword === 'additionalProperties') {
      const key = join(String((e.params as { additionalProperty: string }).additionalProperty));
      byPath.set(key, `${key}: unknown setting`);
    } else if (e.keyword === 'required') {
      const key = join(String((e.params as { missingProperty: string }).missingProperty));
      byPath.set(key, `${key}: is required`);
    } else if (!byPath.has(at || 'config')) {
      const got = e.data === undefined ? '' : ` (got ${JSON.stringify(e.data)})`;
      byPath.set(at || 'config', `${at || 'config'}: ${allowed(e.parentSchema as SchemaFacts)}${got}`);
    }
  }
  return [...byPath.values()];
}

/** Fills defaults into `value` in place; returns the problems (empty when valid). */
export function validateSchema(value: unknown): { config: Config; errors: string[] } {
  const ok = check(value);
  return { config: value as Config, errors: ok ? [] : messages(check.errors ?? []) };
}

/** The JSON type of the setting at a dotted path, for converting environment strings. */
export function settingType(path: string): string | undefined {
  type Node = { type?: string; properties?: Record<string, Node> } | undefined;
  let s: Node = ConfigSchema as Node;
  for (const key of path.split('.')) s = s?.properties?.[key];
  return s?.type;
}
