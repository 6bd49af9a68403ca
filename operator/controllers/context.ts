// What every controller gets from the manager: the shared cache, the API client, configuration,
// and observability. Controllers never start informers of their own.
import type { RRCache } from '../cache/rrCache.ts';
import type { Config } from '../config/schema.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface ControllerContext {
  config: Config;
  kube: KubeClient;
  cache: RRCache;
  metrics: Metrics;
  logger: Logger;
}
