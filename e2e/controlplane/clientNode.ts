// Test, e2e and bench set-up still uses @kubernetes/client-node's typed APIs (namespaces,
// ServiceAccounts, RBAC, CRDs, Deployments). The operator itself never loads it: it talks
// through operator/kube/ (see docs/design.md, "Thin API client").
import { KubeConfig } from '@kubernetes/client-node';

/** A client-node KubeConfig for the current context of one kubeconfig file. */
export function clientNodeConfig(kubeconfigPath: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return kc;
}
