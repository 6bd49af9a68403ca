// Loads cluster credentials and keeps HTTP connections alive across requests.
// client-node 2.0.1 builds a fresh undici Agent for every request (a new TCP+TLS handshake
// each time); this subclass hands every request the same pooled dispatcher per context,
// and bounds every request in time (typed calls have no timeout of their own).
import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];
type Dispatcher = ReturnType<RequestContext['getDispatcher']>;

/** Upper bound for one non-watch API request (the creation lock's duration is checked against it). */
export const API_REQUEST_TIMEOUT_MS = 10_000;

export class PooledKubeConfig extends KubeConfig {
  private readonly pool = new Map<string, NonNullable<Dispatcher>>();
  /** Upper bound for one non-watch request; the watch client sets its own signal. */
  requestTimeoutMs = API_REQUEST_TIMEOUT_MS;

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
  env?: Record<string, string | undefined>;
}

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Loads credentials in a fixed order. client-node's loadFromDefault would fall back to
 * http://localhost:8080 when nothing is configured, so an operator without a cluster would
 * retry for ever instead of saying so.
 */
export function loadKubeConfig(source: KubeConfigSource = {}): PooledKubeConfig {
  const env = source.env ?? process.env;
  const kc = new PooledKubeConfig();
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (source.kubeconfigPath) {
    kc.loadFromFile(source.kubeconfigPath);
  } else if (env.KUBECONFIG) {
    kc.loadFromDefault();
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(SA_TOKEN)) {
    kc.loadFromCluster();
  } else if (existsSync(home)) {
    kc.loadFromFile(home);
  } else {
    throw new Error(
      'no Kubernetes cluster configured: set KUBECONFIG, run in a pod, or create ~/.kube/config',
    );
  }
  if (!kc.getCurrentCluster()) throw new Error('the kubeconfig names no current cluster');
  return kc;
}
