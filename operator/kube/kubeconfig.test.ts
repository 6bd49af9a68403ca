import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeConfig } from './kubeconfig.ts';

const config = (server: string) =>
  `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server}"}}]\n` +
  `users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`;

describe('loadKubeConfig', () => {
  it('says so when no cluster is configured instead of falling back to localhost:8080', () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    expect(() => loadKubeConfig({ env: { HOME: home } })).toThrow('no Kubernetes cluster configured');
  });

  it('uses ~/.kube/config when nothing else is set', () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), config('https://home.example:6443'));
    expect(loadKubeConfig({ env: { HOME: home } }).getCurrentCluster()?.server).toBe(
      'https://home.example:6443',
    );
  });

  it('prefers an explicit file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    writeFileSync(join(dir, 'kc'), config('https://explicit.example:6443'));
    const kc = loadKubeConfig({ kubeconfigPath: join(dir, 'kc'), env: {} });
    expect(kc.getCurrentCluster()?.server).toBe('https://explicit.example:6443');
  });
});
