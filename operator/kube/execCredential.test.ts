import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json, recordingServer } from '../../test/support/recordingServer.ts';
import type { RecordingServer } from '../../test/support/recordingServer.ts';
import { KubeClient } from './client.ts';
import { ExecCredentialPlugin, parseExecCredential } from './execCredential.ts';
import { loadKubeConfig } from './kubeconfig.ts';

const V1 = 'client.authentication.k8s.io/v1';
const V1BETA1 = 'client.authentication.k8s.io/v1beta1';

/** A real plugin: counts its runs in $COUNTER, records KUBERNETES_EXEC_INFO, prints a credential. */
const PLUGIN = `#!/bin/sh
n=$(( $(cat "$COUNTER" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$COUNTER"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$COUNTER.info"
if [ -n "$CERT" ]; then
  printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"clientCertificateData":"%s","clientKeyData":"%s"}}' "$API_VERSION" "$CERT" "key-$n"
else
  printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"tok-%s-%s","expirationTimestamp":"%s"}}' "$API_VERSION" "$1" "$n" "$EXPIRY"
fi
`;

function pluginDir(): { dir: string; counter: string } {
  const dir = mkdtempSync(join(tmpdir(), 'exec-'));
  writeFileSync(join(dir, 'plugin.sh'), PLUGIN);
  chmodSync(join(dir, 'plugin.sh'), 0o755);
  return { dir, counter: join(dir, 'runs') };
}

const runs = (counter: string) => Number(readFileSync(counter, 'utf8'));

function kubeconfig(dir: string, server: string, env: Record<string, string>, apiVersion = V1): string {
  const envList = Object.entries({ ...env, API_VERSION: apiVersion })
    .map(([name, value]) => `{name: ${name}, value: "${value}"}`)
    .join(', ');
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    `clusters: [{name: c, cluster: {server: "${server}"}}]\n` +
      `users: [{name: u, user: {exec: {apiVersion: ${apiVersion}, command: ./plugin.sh, args: [a1], env: [${envList}], interactiveMode: Never}}}]\n` +
      `contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
  );
  return path;
}

describe('exec credential plugins', () => {
  let server: RecordingServer;
  beforeEach(async () => (server = await recordingServer()));
  afterEach(() => server.close());

  it('runs the plugin (relative to the kubeconfig) and caches its token until expirationTimestamp', async () => {
    const { dir, counter } = pluginDir();
    let now = Date.parse('2030-01-01T00:00:00Z');
    const path = kubeconfig(dir, server.url, { COUNTER: counter, EXPIRY: '2030-01-01T00:10:00Z' });
    const kube = new KubeClient(loadKubeConfig({ kubeconfigPath: path, credentials: { now: () => now } }));
    await kube.readNamespace('a');
    await kube.readNamespace('a');
    now += 9 * 60_000;
    await kube.readNamespace('a');
    expect(runs(counter)).toBe(1);
    now += 60_000; // at the expiry: run again
    await kube.readNamespace('a');
    expect(runs(counter)).toBe(2);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-a1-1',
      'Bearer tok-a1-1',
      'Bearer tok-a1-1',
      'Bearer tok-a1-2',
    ]);
    expect(JSON.parse(readFileSync(`${counter}.info`, 'utf8'))).toEqual({
      apiVersion: V1,
      kind: 'ExecCredential',
      spec: { interactive: false },
    });
  });

  it('runs the plugin again when the API server answers 401, and retries the request once', async () => {
    const { dir, counter } = pluginDir();
    const path = kubeconfig(dir, server.url, { COUNTER: counter, EXPIRY: '2999-01-01T00:00:00Z' });
    const kube = new KubeClient(loadKubeConfig({ kubeconfigPath: path }));
    server.handle((r, res) =>
      r.headers.authorization === 'Bearer tok-a1-1'
        ? json(res, 401, { kind: 'Status', code: 401, reason: 'Unauthorized' })
        : json(res, 200, { metadata: { name: 'a' } }),
    );
    await expect(kube.readNamespace('a')).resolves.toEqual({ metadata: { name: 'a' } });
    expect(runs(counter)).toBe(2);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-a1-1',
      'Bearer tok-a1-2',
    ]);
  });

  it('runs once for concurrent requests and takes a client certificate from v1beta1', async () => {
    const { dir, counter } = pluginDir();
    const plugin = new ExecCredentialPlugin({
      apiVersion: V1BETA1,
      command: join(dir, 'plugin.sh'),
      args: [],
      env: [
        { name: 'COUNTER', value: counter },
        { name: 'CERT', value: 'cert-pem' },
        { name: 'API_VERSION', value: V1BETA1 },
      ],
    });
    const [a, b] = await Promise.all([plugin.get(), plugin.get()]);
    expect(a).toBe(b);
    expect(a).toEqual({ token: undefined, clientCertificateData: 'cert-pem', clientKeyData: 'key-1' });
    expect(runs(counter)).toBe(1);
    await plugin.get(); // no expiry: cached until invalidated
    plugin.invalidate();
    expect((await plugin.get()).clientKeyData).toBe('key-2');
  });

  it('rejects what a plugin must not return', () => {
    expect(() => parseExecCredential('not json', V1)).toThrow('no JSON');
    const cred = (status: object, apiVersion = V1) =>
      JSON.stringify({ apiVersion, kind: 'ExecCredential', status });
    expect(() => parseExecCredential(cred({ token: 't' }, V1BETA1), V1)).toThrow('want ExecCredential');
    expect(() => parseExecCredential(cred({}), V1)).toThrow('neither a token nor');
    expect(() => parseExecCredential(cred({ clientCertificateData: 'c' }), V1)).toThrow(
      'neither a token nor',
    );
    expect(() => parseExecCredential(cred({ token: 't', expirationTimestamp: 'soon' }), V1)).toThrow(
      'expirationTimestamp',
    );
    expect(
      () =>
        new ExecCredentialPlugin({
          apiVersion: 'client.authentication.k8s.io/v1alpha1',
          command: 'x',
          args: [],
          env: [],
        }),
    ).toThrow('not supported');
  });

  it('fails the request with the plugin error when the command fails', async () => {
    const plugin = new ExecCredentialPlugin({
      apiVersion: V1,
      command: '/nonexistent/plugin',
      args: [],
      env: [],
    });
    await expect(plugin.get()).rejects.toThrow('exec plugin /nonexistent/plugin failed');
  });
});
