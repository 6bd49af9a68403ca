// Loads the configuration once at start-up: the YAML file, then environment overrides, then the
// schema's defaults for whatever is still missing; validates the result (schema.ts via
// validate.ts, then checks.ts) and fails with one message listing every problem.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse } from 'yaml';
import { crossFieldErrors } from './checks.ts';
import { ConfigError } from './configError.ts';
import type { Config } from './schema.ts';
import { settingType, validateSchema } from './validate.ts';

export { defaultConfig } from './schema.ts';
export { MIN_LOCK_LEASE_MS } from './checks.ts';
export type { Config } from './schema.ts';

export { ConfigError };

type Env = Record<string, string | undefined>;

/** Environment variable -> dotted config path. */
export const ENV_OVERRIDES: Record<string, string> = {
  POD_NAME: 'podName',
  POD_NAMESPACE: 'namespace',
  CLUSTER_ID: 'clusterID',
  LOG_LEVEL: 'logLevel',
  KUBECONFIG_PATH: 'kubeconfigPath',
  INTAKE_PORT: 'intake.port',
  HEALTH_PORT: 'health.port',
  METRICS_PORT: 'metrics.port',
  INTAKE_AUTH_ENABLED: 'intake.auth.enabled',
  INTAKE_AUTH_AUDIENCE: 'intake.auth.audience',
  INTAKE_TLS_ENABLED: 'intake.tls.enabled',
  INTAKE_BODY_LIMIT_BYTES: 'intake.bodyLimitBytes',
  INTAKE_GROUP_COMMIT_LINGER_MS: 'intake.groupCommitLingerMs',
  INTAKE_MAX_BYTES_IN_FLIGHT: 'intake.maxBytesInFlight',
  INTAKE_MAX_ALERTS_IN_FLIGHT: 'intake.maxAlertsInFlight',
  KUBE_MAX_CONCURRENT_REQUESTS: 'kube.maxConcurrentRequests',
  KUBE_MAX_WAIT_MS: 'kube.maxWaitMs',
  DEFAULT_ENVIRONMENT: 'classification.defaultEnvironment',
  LEADER_ELECTION_ENABLED: 'leaderElection.enabled',
  RETENTION_HOURS: 'lifecycle.retentionHours',
  STORM_BUFFER_SECONDS: 'storm.bufferSeconds',
  INTAKE_LOCK_ENABLED: 'intake.lock.enabled',
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

/** Converts an environment string to the setting's type; what does not convert stays a string and fails validation. */
function coerce(type: string | undefined, raw: string): unknown {
  if (type === 'integer' || type === 'number') {
    const n = raw.trim() === '' ? NaN : Number(raw);
    return Number.isNaN(n) ? raw : n;
  }
  if (type === 'boolean') {
    if (TRUE.includes(raw.toLowerCase())) return true;
    if (FALSE.includes(raw.toLowerCase())) return false;
  }
  return raw;
}

/** Sets each override; a section in the way that is not a mapping is left for validation to report. */
function applyEnv(cfg: Record<string, unknown>, env: Env): void {
  for (const [name, path] of Object.entries(ENV_OVERRIDES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const keys = path.split('.');
    const leaf = keys.pop()!;
    let obj: Record<string, unknown> | undefined = cfg;
    for (const k of keys) {
      if (obj[k] === undefined) obj[k] = {};
      const next: unknown = obj[k];
      obj = isObject(next) ? next : undefined;
      if (!obj) break;
    }
    if (obj) obj[leaf] = coerce(settingType(path), raw);
  }
}

function readFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isObject(parsed))
    throw new ConfigError(`invalid configuration (${file}):\n  - config: expected a mapping`);
  return parsed;
}

export function loadConfig(env: Env = process.env): Config {
  const file = env.CONFIG_FILE;
  const raw = file ? readFile(file) : {};
  applyEnv(raw, env);
  if (!raw.podName) raw.podName = `${hostname()}-${process.pid}`;
  const { config, errors } = validateSchema(raw);
  if (errors.length === 0) errors.push(...crossFieldErrors(config));
  if (errors.length > 0) {
    throw new ConfigError(`invalid configuration${file ? ` (${file})` : ''}:\n  - ${errors.join('\n  - ')}`);
  }
  return config;
}

/** All problems of a complete configuration value (schema, then cross-field rules). */
export function validateConfig(c: unknown): string[] {
  const { config, errors } = validateSchema(structuredClone(c));
  return errors.length > 0 ? errors : crossFieldErrors(config);
}
