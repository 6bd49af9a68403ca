// The environment of a target namespace, from its `kubernaut.ai/environment` (then
// `environment`) label, cached briefly. A namespace that is gone or unreadable gets the default.
import type { KubeClient } from '../../operator/kube/client.ts';
import { KubeError } from '../../operator/kube/errors.ts';
import { environmentFromNamespaceLabels } from '../signal/classify.ts';
import { TtlCache } from './ttlCache.ts';

export class EnvironmentResolver {
  private readonly kube: KubeClient;
  private readonly defaultEnv: string;
  private readonly labels: TtlCache<Record<string, string> | undefined>;

  constructor(kube: KubeClient, defaultEnv: string, ttlMs = 30_000) {
    this.kube = kube;
    this.defaultEnv = defaultEnv;
    this.labels = new TtlCache(ttlMs);
  }

  async environmentOf(namespace: string | undefined): Promise<string> {
    if (!namespace) return this.defaultEnv;
    const labels = await this.labels.get(namespace, async () => {
      try {
        return (await this.kube.readNamespace(namespace)).metadata?.labels;
      } catch (err) {
        if (err instanceof KubeError && (err.kind === 'notFound' || err.kind === 'forbidden'))
          return undefined;
        throw err;
      }
    });
    return environmentFromNamespaceLabels(labels, this.defaultEnv);
  }
}
