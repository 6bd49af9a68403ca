// Loads the configuration once at start-up: defaults, then the YAML file, then environment
// overrides; validates the result and fails with one message listing every problem.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse } from 'yaml';
import { parsePriorityMatrix } from '../../webhook/signal/classify.ts';
import { defaultConfig } from './schema.ts';
import type { Config } from './schema.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Environment variable -> dotted config path. */
export const ENV_OVERRIDES: Record<string, string> = {
  POD_NAME: 'podName',
  POD_NAMESPACE: 'namespace',
  CLUSTER_ID: 'clusterID',
  LOG_LEVEL: 'logLevel',
  INTAKE_PORT: 'intake.port',
  HEALTH_PORT: 'health.port',
  METRICS_PORT: 'metrics.port',
  INTAKE_AUTH_ENABLED: 'intake.auth.enabled',
  INTAKE_BODY_LIMIT_BYTES: 'intake.bodyLimitBytes',
  INTAKE_GROUP_COMMIT_LINGER_MS: 'intake.groupCommitLingerMs',
  DEFAULT_ENVIRONMENT: 'classification.defaultEnvironment',
  LEADER_ELECTION_ENABLED: 'leaderElection.enabled',
  RETENTION_HOURS: 'lifecycle.retentionHours',
  STORM_BUFFER_SECONDS: 'storm.bufferSeconds',
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges `patch` into `base`, reporting keys that the schema does not know. */
function merge(base: Record<string, unknown>, patch: unknown, path: string, errors: string[]): void {
  if (!isObject(patch)) {
    errors.push(`${path || 'config'}: expected a mapping`);
    return;
  }
  for (const [key, value] of Object.entries(patch)) {
    const at = path ? `${path}.${key}` : key;
    const optional =
      (path === 'classification' && key === 'priorityMatrix') || (path === '' && key === 'kubeconfigPath');
    if (!(key in base) && !optional) {
      errors.push(`${at}: unknown setting`);
    } else if (isObject(base[key]) && key !== 'priorityMatrix') {
      merge(base[key] as Record<string, unknown>, value, at, errors);
    } else {
      base[key] = value;
    }
  }
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

/** Converts an environment string to the setting's type; what does not convert stays a string and fails validation. */
function coerce(current: unknown, raw: string): unknown {
  if (typeof current === 'number') return raw.trim() === '' ? NaN : Number(raw);
  if (typeof current === 'boolean') {
    if (TRUE.includes(raw.toLowerCase())) return true;
    if (FALSE.includes(raw.toLowerCase())) return false;
  }
  return raw;
}

function applyEnv(cfg: Record<string, unknown>, env: Env): void {
  for (const [name, path] of Object.entries(ENV_OVERRIDES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const keys = path.split('.');
    const leaf = keys.pop()!;
    let obj = cfg;
    for (const k of keys) obj = obj[k] as Record<string, unknown>;
    obj[leaf] = coerce(obj[leaf], raw);
  }
}

export function loadConfig(env: Env = process.env): Config {
  const cfg = defaultConfig() as unknown as Record<string, unknown>;
  const errors: string[] = [];
  const file = env.CONFIG_FILE;
  if (file) {
    let parsed: unknown;
    try {
      parsed = parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    if (parsed !== null && parsed !== undefined) merge(cfg, parsed, '', errors);
  }
  applyEnv(cfg, env);
  if (env.KUBECONFIG_PATH) cfg.kubeconfigPath = env.KUBECONFIG_PATH;
  const config = cfg as unknown as Config;
  if (!config.podName) config.podName = `${hostname()}-${process.pid}`;
  errors.push(...validateConfig(config));
  if (errors.length > 0) {
    throw new ConfigError(`invalid configuration${file ? ` (${file})` : ''}:\n  - ${errors.join('\n  - ')}`);
  }
  return config;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function validateConfig(c: Config): string[] {
  const errors: string[] = [];
  const positiveInt = (path: string, v: unknown, max = Number.MAX_SAFE_INTEGER) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > max) {
      errors.push(`${path}: must be a whole number between 1 and ${max} (got ${JSON.stringify(v)})`);
    }
  };
  const port = (path: string, v: unknown) => positiveInt(path, v, 65535);
  const bool = (path: string, v: unknown) => {
    if (typeof v !== 'boolean') errors.push(`${path}: must be true or false (got ${JSON.stringify(v)})`);
  };
  const text = (path: string, v: unknown, max: number, pattern?: RegExp) => {
    if (typeof v !== 'string' || v.length === 0 || v.length > max || (pattern && !pattern.test(v))) {
      errors.push(
        `${path}: must be a string of 1 to ${max} characters${pattern ? ` matching ${pattern}` : ''} (got ${JSON.stringify(v)})`,
      );
    }
  };
  if (typeof c.namespace !== 'string' || !DNS_LABEL.test(c.namespace))
    errors.push(`namespace: "${c.namespace}" is not a valid namespace name`);
  text('clusterID', c.clusterID, 253);
  text('podName', c.podName, 253);
  text('classification.defaultEnvironment', c.classification.defaultEnvironment, 63);
  text('leaderElection.leaseName', c.leaderElection.leaseName, 253, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
  bool('intake.auth.enabled', c.intake.auth.enabled);
  bool('leaderElection.enabled', c.leaderElection.enabled);
  if (!['error', 'warn', 'info', 'debug'].includes(c.logLevel))
    errors.push(`logLevel: one of error, warn, info, debug`);
  port('intake.port', c.intake.port);
  port('health.port', c.health.port);
  port('metrics.port', c.metrics.port);
  positiveInt('intake.bodyLimitBytes', c.intake.bodyLimitBytes, 64 * 1024 * 1024);
  positiveInt('intake.maxAlertsPerRequest', c.intake.maxAlertsPerRequest, 100_000);
  positiveInt('intake.retryAfterSeconds', c.intake.retryAfterSeconds, 3600);
  positiveInt('intake.requestTimeoutMs', c.intake.requestTimeoutMs, 600_000);
  positiveInt('intake.maxInFlight', c.intake.maxInFlight, 1_000_000);
  if (
    !Number.isInteger(c.intake.groupCommitLingerMs) ||
    c.intake.groupCommitLingerMs < 0 ||
    c.intake.groupCommitLingerMs > 1000
  ) {
    errors.push(
      `intake.groupCommitLingerMs: must be a whole number from 0 to 1000 (got ${JSON.stringify(c.intake.groupCommitLingerMs)})`,
    );
  }
  if (c.classification.priorityMatrix !== undefined) {
    try {
      parsePriorityMatrix(c.classification.priorityMatrix, 'classification.priorityMatrix');
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  positiveInt('intake.auth.cacheTtlSeconds', c.intake.auth.cacheTtlSeconds, 3600);
  positiveInt('intake.lock.leaseDurationSeconds', c.intake.lock.leaseDurationSeconds, 3600);
  positiveInt('intake.lock.maxWaitMs', c.intake.lock.maxWaitMs, 600_000);
  positiveInt('storm.rate.threshold', c.storm.rate.threshold);
  positiveInt('storm.rate.windowSeconds', c.storm.rate.windowSeconds);
  positiveInt('storm.pattern.threshold', c.storm.pattern.threshold);
  positiveInt('storm.pattern.windowSeconds', c.storm.pattern.windowSeconds);
  positiveInt('storm.quietSeconds', c.storm.quietSeconds);
  positiveInt('storm.maxDurationSeconds', c.storm.maxDurationSeconds);
  if (!Number.isInteger(c.storm.bufferSeconds) || c.storm.bufferSeconds < 0 || c.storm.bufferSeconds > 60) {
    errors.push(
      `storm.bufferSeconds: must be a whole number from 0 to 60 (got ${JSON.stringify(c.storm.bufferSeconds)})`,
    );
  }
  positiveInt('storm.maxListedMembers', c.storm.maxListedMembers, 10_000);
  positiveInt('lifecycle.retentionHours', c.lifecycle.retentionHours);
  positiveInt('lifecycle.leaseCleanupAfterSeconds', c.lifecycle.leaseCleanupAfterSeconds);
  positiveInt('lifecycle.resyncSeconds', c.lifecycle.resyncSeconds);
  positiveInt('leaderElection.leaseDurationSeconds', c.leaderElection.leaseDurationSeconds, 3600);
  if (new Set([c.intake.port, c.health.port, c.metrics.port]).size !== 3) {
    errors.push('intake.port, health.port and metrics.port must differ');
  }
  if (c.intake.lock.maxWaitMs >= c.intake.requestTimeoutMs) {
    errors.push('intake.lock.maxWaitMs must be shorter than intake.requestTimeoutMs');
  }
  return errors;
}
