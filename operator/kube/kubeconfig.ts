// Loads cluster credentials and keeps HTTP connections alive across requests.
// client-node 2.0.1 builds a fresh undici Agent for every request (a new TCP+TLS handshake
// each time); this subclass hands every request the same pooled dispatcher per context,
// and bounds every request in time (typed calls have no timeout of their own).
import { KubeConfig } from '@kubernetes/client-node';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];
type Dispatcher = ReturnType<RequestContext['getDispatcher']>;

export class PooledKubeConfig extends KubeConfig {
  private readonly pool = new Map<string, NonNullable<Dispatcher>>();
  /** Upper bound for one non-watch request; the watch client sets its own signal. */
  requestTimeoutMs = 10_000;

  override async applySecurityAuthentication(ctx: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(ctx);
    if (!ctx.getSignal()) ctx.setSignal(AbortSignal.timeout(this.requestTimeoutMs));
    const created = ctx.getDispatcher();
    if (!created) return;
    const key = this.getCurrentContext();
    const pooled = this.pool.get(key);
    if (pooled) {
      ctx.setDispatcher(pooled);
    } else {
      this.pool.set(key, created);
    }
  }
}

export interface KubeConfigSource {
  /** Explicit kubeconfig file; otherwise KUBECONFIG, in-cluster, then ~/.kube/config. */
  kubeconfigPath?: string;
}

export function loadKubeConfig(source: KubeConfigSource = {}): PooledKubeConfig {
  const kc = new PooledKubeConfig();
  if (source.kubeconfigPath) {
    kc.loadFromFile(source.kubeconfigPath);
  } else {
    kc.loadFromDefault();
  }
  if (!kc.getCurrentCluster()) {
    throw new Error('no Kubernetes cluster configured (set KUBECONFIG or run in a pod)');
  }
  return kc;
}
