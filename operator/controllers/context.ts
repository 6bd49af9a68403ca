// What every controller gets from the manager: the shared cache, the API client, configuration,
// and observability. Controllers never start informers of their own.
import type { RRCache } from '../cache/rrCache.ts';
import type { Config } from '../config/schema.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { CreateResult } from '../../webhook/create/lockedCreator.ts';
import type { ClassifiedSignal } from '../../webhook/create/rrBuilder.ts';

/** The intake's locked create path, which the storm controller reuses for buffered signals. */
export interface RRCreator {
  create(c: ClassifiedSignal): Promise<CreateResult>;
}

export interface ControllerContext {
  config: Config;
  kube: KubeClient;
  cache: RRCache;
  metrics: Metrics;
  logger: Logger;
  /** Set by the manager; without it buffered members are left for a leader that has one. */
  creator?: RRCreator;
}
