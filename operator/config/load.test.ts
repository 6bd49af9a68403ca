import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './load.ts';

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
    expect(message).toContain('intake.port: must be a whole number');
    expect(message).toContain('intake.bodyLimt: unknown setting');
    expect(message).toContain('storm.quietSeconds: must be a whole number');
    expect(message).toContain('metrics.port: must be a whole number');
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

  it('ties the load bounds to one request at its limits and the API wait to the request timeout', () => {
    const path = file(
      'intake:\n  bodyLimitBytes: 1048576\n  maxBytesInFlight: 1000\n  maxAlertsPerRequest: 500\n  maxAlertsInFlight: 100\nkube:\n  maxWaitMs: 20000\n',
    );
    expect(() => loadConfig({ CONFIG_FILE: path })).toThrow(
      /maxBytesInFlight must be at least intake.bodyLimitBytes[\s\S]*maxAlertsInFlight must be at least intake.maxAlertsPerRequest[\s\S]*kube.maxWaitMs must be shorter than intake.requestTimeoutMs/,
    );
    const c = loadConfig({ INTAKE_MAX_BYTES_IN_FLIGHT: '8388608', KUBE_MAX_CONCURRENT_REQUESTS: '8' });
    expect(c.intake.maxBytesInFlight).toBe(8388608);
    expect(c.kube.maxConcurrentRequests).toBe(8);
  });
});
