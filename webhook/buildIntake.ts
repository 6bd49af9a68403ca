// Builds the intake's pipeline and HTTP app from the configuration and the shared cache.
import type { Config } from '../operator/config/schema.ts';
import type { RRCache } from '../operator/cache/rrCache.ts';
import type { KubeClient } from '../operator/kube/client.ts';
import type { Logger } from '../operator/observability/logger.ts';
import type { Metrics } from '../operator/observability/metrics.ts';
import { Authenticator } from './auth/authenticator.ts';
import { CreationLock } from './create/creationLock.ts';
import { LockedCreator, ownPrevious } from './create/lockedCreator.ts';
import { StatusBatcher } from './dedup/statusBatcher.ts';
import { createIntakeApp } from './http/app.ts';
import { EnvironmentResolver } from './pipeline/environmentResolver.ts';
import { Intake } from './pipeline/intake.ts';
import { TargetResolver } from './pipeline/targetResolver.ts';
import { DEFAULT_PRIORITY_MATRIX, parsePriorityMatrix } from './signal/classify.ts';
import { StormGate } from './storm/stormGate.ts';

export interface IntakeParts {
  config: Config;
  kube: KubeClient;
  cache: RRCache;
  metrics: Metrics;
  logger: Logger;
  accepting: () => boolean;
}

export function buildIntake(p: IntakeParts) {
  const { config, kube, cache, metrics, logger } = p;
  const lock = new CreationLock({
    kube,
    namespace: config.namespace,
    holder: config.podName,
    leaseDurationSeconds: config.intake.lock.leaseDurationSeconds,
    exists: (name) => cache.seen(name),
    metrics,
    logger,
  });
  const matrix = config.classification.priorityMatrix
    ? parsePriorityMatrix(config.classification.priorityMatrix, 'classification.priorityMatrix')
    : DEFAULT_PRIORITY_MATRIX;
  const locking = config.intake.lock.enabled ? lock : undefined;
  const creator = new LockedCreator({
    kube,
    cache,
    lock: locking,
    maxWaitMs: config.intake.lock.maxWaitMs,
    holder: config.podName,
    metrics,
    logger,
  });
  const intake = new Intake({
    cache,
    targets: new TargetResolver(kube),
    environments: new EnvironmentResolver(kube, config.classification.defaultEnvironment),
    batcher: new StatusBatcher(kube, cache, { lingerMs: config.intake.groupCommitLingerMs, metrics }),
    creator,
    storms: new StormGate({
      cache,
      cfg: config.storm,
      lock: locking,
      lockMaxWaitMs: config.intake.lock.maxWaitMs,
      getRR: (ns, name) => kube.getRR(ns, name),
      intent: (fp, previousRR) => creator.intendedName(fp, ownPrevious(previousRR, fp)),
    }),
    priorityMatrix: matrix,
    metrics,
  });
  const app = createIntakeApp({
    intake,
    clusterID: config.clusterID,
    maxAlerts: config.intake.maxAlertsPerRequest,
    retryAfterSeconds: config.intake.retryAfterSeconds,
    metrics,
    authenticator: config.intake.auth.enabled
      ? new Authenticator({
          kube,
          namespace: config.namespace,
          audience: config.intake.auth.audience,
          cacheTtlSeconds: config.intake.auth.cacheTtlSeconds,
          cacheMaxEntries: config.intake.auth.cacheMaxEntries,
          maxConcurrentReviews: config.intake.auth.maxConcurrentReviews,
          retryAfterSeconds: config.intake.retryAfterSeconds,
        })
      : undefined,
    bodyLimitBytes: config.intake.bodyLimitBytes,
    requestTimeoutMs: config.intake.requestTimeoutMs,
    maxInFlight: config.intake.maxInFlight,
    maxBytesInFlight: config.intake.maxBytesInFlight,
    maxAlertsInFlight: config.intake.maxAlertsInFlight,
    accepting: p.accepting,
    logger: logger.child({ component: 'intake' }),
  });
  return { intake, app, creator };
}
