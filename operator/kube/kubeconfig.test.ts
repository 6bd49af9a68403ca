import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inCluster, loadKubeConfig } from './kubeconfig.ts';
import { currentContext, readKubeconfigFiles } from './kubeconfigFile.ts';

const config = (server: string, ctx = 'x', extra = '') =>
  `apiVersion: v1\nkind: Config\nclusters: [{name: c-${ctx}, cluster: {server: "${server}"${extra}}}]\n` +
  `users: [{name: u-${ctx}, user: {token: t-${ctx}}}]\ncontexts: [{name: ${ctx}, context: {cluster: c-${ctx}, user: u-${ctx}}}]\n` +
  `current-context: ${ctx}\n`;

const tmp = (prefix = 'kc-') => mkdtempSync(join(tmpdir(), prefix));
const write = (dir: string, name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('loadKubeConfig', () => {
  it('says so when no cluster is configured instead of falling back to localhost:8080', () => {
    const home = tmp('home-');
    expect(() => loadKubeConfig({ env: { HOME: home } })).toThrow('no Kubernetes cluster configured');
  });

  it('uses ~/.kube/config when nothing else is set', () => {
    const home = tmp('home-');
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), config('https://home.example:6443'));
    expect(loadKubeConfig({ env: { HOME: home } }).server).toBe('https://home.example:6443');
  });

  it('prefers an explicit file, then KUBECONFIG, over ~/.kube/config', () => {
    const dir = tmp();
    const explicit = write(dir, 'kc', config('https://explicit.example:6443'));
    const fromEnv = write(dir, 'env', config('https://env.example:6443'));
    const env = { KUBECONFIG: fromEnv, HOME: dir };
    expect(loadKubeConfig({ kubeconfigPath: explicit, env }).server).toBe('https://explicit.example:6443');
    expect(loadKubeConfig({ env }).server).toBe('https://env.example:6443');
  });

  it('fails loudly on a kubeconfig that names no usable context', () => {
    const dir = tmp();
    const p = write(dir, 'kc', 'apiVersion: v1\nkind: Config\nclusters: []\n');
    expect(() => loadKubeConfig({ kubeconfigPath: p })).toThrow('names no current context');
  });
});

describe('merging a KUBECONFIG list like kubectl', () => {
  it('lets the first file win for current-context and for each name, and skips missing files', () => {
    const dir = tmp();
    const a = write(dir, 'a', config('https://a.example', 'shared'));
    // b defines the same names with other values, plus a context of its own
    const b = write(
      dir,
      'b',
      `clusters: [{name: c-shared, cluster: {server: "https://b.example"}}, {name: c-b, cluster: {server: "https://only-b"}}]\n` +
        `contexts: [{name: other, context: {cluster: c-b, user: u-shared}}]\ncurrent-context: other\n`,
    );
    const merged = readKubeconfigFiles([join(dir, 'missing'), a, '', b]);
    expect(merged.currentContext).toBe('shared');
    expect(merged.clusters.get('c-shared')?.server).toBe('https://a.example');
    // the later file's current-context is ignored once an earlier one set it
    expect(currentContext(merged).cluster.server).toBe('https://a.example');
    // names only the later file defines are still there
    expect(currentContext(merged, 'other').cluster.server).toBe('https://only-b');
    expect(currentContext(merged, 'other').user).toEqual(merged.users.get('u-shared'));
  });

  it('takes current-context from a later file when earlier ones do not set it', () => {
    const dir = tmp();
    const a = write(dir, 'a', config('https://a.example', 'ctx-a').replace('current-context: ctx-a\n', ''));
    const b = write(dir, 'b', 'apiVersion: v1\nkind: Config\ncurrent-context: ctx-a\n');
    const kc = loadKubeConfig({ env: { KUBECONFIG: `${a}:${b}` } });
    expect(kc.contextName).toBe('ctx-a');
    expect(kc.server).toBe('https://a.example');
  });

  it('errors when no file of the list exists', () => {
    expect(() => readKubeconfigFiles(['/nonexistent/a', '/nonexistent/b'])).toThrow(
      'no kubeconfig file found',
    );
  });
});

describe('cluster and user fields', () => {
  it('resolves relative file paths against the directory of the kubeconfig that names them', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'certs'));
    write(join(dir, 'certs'), 'ca.crt', 'CA-PEM');
    write(join(dir, 'certs'), 'client.crt', 'CERT-PEM');
    write(join(dir, 'certs'), 'client.key', 'KEY-PEM');
    write(join(dir, 'certs'), 'token', 'file-token\n');
    const p = write(
      dir,
      'kc',
      `clusters: [{name: c, cluster: {server: "https://h:6443/", certificate-authority: certs/ca.crt, tls-server-name: api.internal}}]\n` +
        `users: [{name: u, user: {client-certificate: certs/client.crt, client-key: ./certs/client.key, tokenFile: certs/token}}]\n` +
        `contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
    );
    const kc = readKubeconfigFiles([p]);
    expect(kc.users.get('u')?.clientCertificate).toBe(join(dir, 'certs', 'client.crt'));
    const cfg = loadKubeConfig({ kubeconfigPath: p });
    expect(cfg.server).toBe('https://h:6443');
    expect(cfg.ca).toBe('CA-PEM');
    expect(cfg.tlsServerName).toBe('api.internal');
    expect(cfg.insecureSkipTlsVerify).toBe(false);
  });

  it('decodes certificate-authority-data and reads insecure-skip-tls-verify', () => {
    const dir = tmp();
    const ca = Buffer.from('INLINE-CA').toString('base64');
    const p = write(
      dir,
      'kc',
      config('https://h', 'x', `, certificate-authority-data: ${ca}, insecure-skip-tls-verify: true`),
    );
    const cfg = loadKubeConfig({ kubeconfigPath: p });
    expect(cfg.ca).toBe('INLINE-CA');
    expect(cfg.insecureSkipTlsVerify).toBe(true);
  });

  it('refuses what it cannot honour: auth-provider plugins and proxy-url', () => {
    const dir = tmp();
    const provider = write(
      dir,
      'provider',
      `clusters: [{name: c, cluster: {server: "https://h"}}]\nusers: [{name: u, user: {auth-provider: {name: gcp}}}]\n` +
        `contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
    );
    expect(() => loadKubeConfig({ kubeconfigPath: provider })).toThrow(
      'auth-provider "gcp" is not supported',
    );
    const proxy = write(dir, 'proxy', config('https://h', 'x', ', proxy-url: "http://proxy:3128"'));
    expect(() => loadKubeConfig({ kubeconfigPath: proxy })).toThrow('proxy-url is not supported');
  });
});

describe('in-cluster', () => {
  it('uses the service host and port, the mounted CA, and the token file', async () => {
    const sa = tmp('sa-');
    write(sa, 'ca.crt', 'SA-CA');
    write(sa, 'token', 'sa-token\n');
    const cfg = inCluster({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, sa);
    expect(cfg.server).toBe('https://[fd00::1]:6443');
    expect(cfg.ca).toBe('SA-CA');
    expect((await cfg.credentials.current()).authorization).toBe('Bearer sa-token');
    const viaLoad = loadKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', HOME: sa },
      serviceAccountDir: sa,
    });
    expect(viaLoad.server).toBe('https://10.0.0.1:443');
  });
});
