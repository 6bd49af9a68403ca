import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultConfig, loadConfig, MIN_LOCK_LEASE_MS, validateConfig } from './load.ts';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'config.yaml');
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('uses the contract defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.namespace).toBe('kubernaut-system');
    expect([c.intake.port, c.health.port, c.metrics.port]).toEqual([8080, 8081, 9090]);
    expect(c.intake.bodyLimitBytes).toBe(262144);
    expect(c.storm.rate).toEqual({ threshold: 10, windowSeconds: 60 });
    expect(c.storm.pattern).toEqual({ threshold: 5, windowSeconds: 120 });
    expect(c.podName).toMatch(/-\d+$/);
  });

  it('layers the file under environment overrides', () => {
    const path = file('namespace: from-file\nintake:\n  port: 9000\nstorm:\n  rate:\n    threshold: 3\n');
    const c = loadConfig({ CONFIG_FILE: path, POD_NAMESPACE: 'from-env', INTAKE_AUTH_ENABLED: 'false' });
    expect(c.namespace).toBe('from-env');
    expect(c.intake.port).toBe(9000);
    expect(c.intake.auth.enabled).toBe(false);
    expect(c.storm.rate).toEqual({ threshold: 3, windowSeconds: 60 });
  });

  it('names every bad setting in one error', () => {
    const path = file('intake:\n  port: 0\n  bodyLimt: 5\nstorm:\n  quietSeconds: soon\n');
    let message = '';
    try {
      loadConfig({ CONFIG_FILE: path, METRICS_PORT: 'abc' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('intake.port: must be a whole number from 1 to 65535 (got 0)');
    expect(message).toContain('intake.bodyLimt: unknown setting');
    expect(message).toContain('storm.quietSeconds: must be a whole number of at least 1 (got "soon")');
    expect(message).toContain('metrics.port: must be a whole number from 1 to 65535 (got "abc")');
  });

  it('refuses a creation lock shorter than its critical section', () => {
    const at = (seconds: number) => () =>
      loadConfig({ CONFIG_FILE: file(`intake:\n  lock:\n    leaseDurationSeconds: ${seconds}\n`) });
    expect(MIN_LOCK_LEASE_MS).toBe(25_000);
    expect(at(20)).toThrow(
      /intake.lock.leaseDurationSeconds: must be a whole number from 25 to 3600 \(got 20\)/,
    );
    expect(at(25)).toThrow(/intake.lock.leaseDurationSeconds must be at least 28 with kube.maxWaitMs 1500/);
    expect(at(28)().intake.lock.leaseDurationSeconds).toBe(28);
  });

  it('rejects a file that is not a mapping', () => {
    expect(() => loadConfig({ CONFIG_FILE: file('- a\n- b\n') })).toThrow('config: expected a mapping');
  });

  it('rejects booleans and names that would silently misbehave', () => {
    const path = file(
      'leaderElection:\n  enabled: "no"\nclassification:\n  defaultEnvironment: ""\n  priorityMatrix:\n    critical: { production: P0 }\nintake:\n  priorityMatrix: {}\n',
    );
    let message = '';
    try {
      loadConfig({ CONFIG_FILE: path, INTAKE_AUTH_ENABLED: 'enabled' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('leaderElection.enabled: must be true or false (got "no")');
    expect(message).toContain('intake.auth.enabled: must be true or false (got "enabled")');
    expect(message).toContain('classification.defaultEnvironment: must be a string of 1 to 63 characters');
    expect(message).toContain('intake.priorityMatrix: unknown setting');
    expect(message).not.toContain('classification.priorityMatrix');
  });

  it('rejects a misspelt key at any depth, naming it', () => {
    const path = file('intake:\n  auth:\n    audiance: x\nstrom: {}\n');
    expect(() => loadConfig({ CONFIG_FILE: path })).toThrow('intake.auth.audiance: unknown setting');
    expect(() => loadConfig({ CONFIG_FILE: path })).toThrow('strom: unknown setting');
  });

  it('fills in defaults for missing sections and keeps each call independent', () => {
    const a = defaultConfig();
    a.intake.auth.audience = 'changed';
    expect(defaultConfig().intake.auth.audience).toBe('kubernaut-intake');
    expect(loadConfig({ CONFIG_FILE: file('storm:\n  quietSeconds: 5\n') }).storm).toEqual({
      ...defaultConfig().storm,
      quietSeconds: 5,
    });
  });

  it('applies the auth, TLS and keep-alive settings and their overrides', () => {
    const c = loadConfig({ INTAKE_AUTH_AUDIENCE: 'my-intake', INTAKE_TLS_ENABLED: 'true' });
    expect(c.intake.auth).toMatchObject({
      audience: 'my-intake',
      cacheMaxEntries: 10000,
      maxConcurrentReviews: 32,
    });
    expect(c.intake.tls).toEqual({
      enabled: true,
      certFile: '/etc/kubernaut-tls/tls.crt',
      keyFile: '/etc/kubernaut-tls/tls.key',
      reloadIntervalSeconds: 10,
    });
    expect(c.intake.keepAliveTimeoutMs).toBeGreaterThan(300_000);
    const bad = file('intake:\n  keepAliveTimeoutMs: 320000\n  headersTimeoutMs: 315000\n');
    expect(() => loadConfig({ CONFIG_FILE: bad })).toThrow(
      'intake.headersTimeoutMs must be longer than intake.keepAliveTimeoutMs',
    );
  });

  it('checks cross-field rules only once the shape is right', () => {
    const path = file('intake:\n  lock:\n    maxWaitMs: 20000\n');
    expect(() => loadConfig({ CONFIG_FILE: path })).toThrow(
      'intake.lock.maxWaitMs must be shorter than intake.requestTimeoutMs',
    );
    expect(validateConfig({ ...defaultConfig(), podName: 'p' })).toEqual([]);
    expect(validateConfig({ ...defaultConfig(), podName: 'p', extra: 1 })).toEqual([
      'extra: unknown setting',
    ]);
  });

  it('ties the load bounds to one request at its limits and the API wait to the request timeout', () => {
    const path = file(
      'intake:\n  bodyLimitBytes: 1048576\n  maxBytesInFlight: 1000\n  maxAlertsPerRequest: 500\n  maxAlertsInFlight: 100\nkube:\n  maxWaitMs: 20000\n',
    );
    expect(() => loadConfig({ CONFIG_FILE: path })).toThrow(
      /maxBytesInFlight must be at least intake.bodyLimitBytes[\s\S]*maxAlertsInFlight must be at least intake.maxAlertsPerRequest[\s\S]*kube.maxWaitMs must be shorter than intake.requestTimeoutMs/,
    );
    const slowSlots = file('kube:\n  maxWaitMs: 1999\nintake:\n  lock:\n    leaseDurationSeconds: 25\n');
    expect(() => loadConfig({ CONFIG_FILE: slowSlots })).toThrow(
      /intake.lock.leaseDurationSeconds must be at least 29 with kube.maxWaitMs 1999/,
    );
    expect(() => loadConfig({ KUBE_MAX_WAIT_MS: '2000' })).toThrow(
      /kube.maxWaitMs must be shorter than 2000 ms/,
    );
    const c = loadConfig({ INTAKE_MAX_BYTES_IN_FLIGHT: '8388608', KUBE_MAX_CONCURRENT_REQUESTS: '8' });
    expect(c.intake.maxBytesInFlight).toBe(8388608);
    expect(c.kube.maxConcurrentRequests).toBe(8);
  });
});
