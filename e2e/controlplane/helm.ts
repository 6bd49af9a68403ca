// The helm CLI built by build-helm.sh, with its cache/config/data in a fresh temp directory so
// tests never read or write the user's helm state.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './install.ts';

export const CHART_DIR = join(REPO_ROOT, 'charts/kubernaut-intake');

export type Helm = (...args: string[]) => string;

export function helmCli(kubeconfigPath?: string): Helm {
  const binary = execFileSync('bash', [join(REPO_ROOT, 'e2e/controlplane/build-helm.sh')], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop()!;
  const home = mkdtempSync(join(tmpdir(), 'helm-'));
  const env = {
    ...process.env,
    ...(kubeconfigPath ? { KUBECONFIG: kubeconfigPath } : {}),
    HELM_CACHE_HOME: home,
    HELM_CONFIG_HOME: home,
    HELM_DATA_HOME: home,
  };
  return (...args) => execFileSync(binary, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}
