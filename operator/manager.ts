// The manager owns everything with a lifetime: the API client, the one RR cache, the intake and
// health/metrics servers, leader election for the controllers, and an orderly shutdown.
// Every replica serves the intake; only the leader runs the controllers.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildIntake } from '../webhook/buildIntake.ts';
import { createIntakeServer } from '../webhook/http/server.ts';
import type { IntakeServer } from '../webhook/http/server.ts';
import { RRCache } from './cache/rrCache.ts';
import type { Config } from './config/schema.ts';
import type { RRCreator } from './controllers/context.ts';
import { runControllers } from './controllers/run.ts';
import { KubeClient } from './kube/client.ts';
import type { ClusterConfig } from './kube/kubeconfig.ts';
import { loadKubeConfig } from './kube/kubeconfig.ts';
import type { Logger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import type { Metrics } from './observability/metrics.ts';
import { createHealthServer, createMetricsServer } from './observability/servers.ts';
import { LeaderElector } from './runtime/leaderElection.ts';

export interface ManagerOptions {
  config: Config;
  logger: Logger;
  kubeConfig?: ClusterConfig;
  /** Listen on free ports instead of the configured ones (tests, benchmarks). */
  ephemeralPorts?: boolean;
  /** Default true: several managers in one process (tests) collect default metrics once. */
  defaultMetrics?: boolean;
}

export interface Endpoints {
  intake: string;
  health: string;
  metrics: string;
}

export class Manager {
  readonly config: Config;
  readonly metrics: Metrics;
  readonly kube: KubeClient;
  readonly cache: RRCache;
  private readonly log: Logger;
  private readonly servers: { intake: Server; health: Server; metrics: Server };
  private readonly intake: IntakeServer;
  private readonly elector: LeaderElector | undefined;
  private readonly ephemeral: boolean;
  private readonly creator: RRCreator;
  private shuttingDown = false;

  constructor(o: ManagerOptions) {
    this.config = o.config;
    this.log = o.logger;
    this.ephemeral = o.ephemeralPorts ?? false;
    this.metrics = createMetrics({ defaultMetrics: o.defaultMetrics ?? true });
    const kc = o.kubeConfig ?? loadKubeConfig({ kubeconfigPath: o.config.kubeconfigPath });
    // Intake and controllers share the bounded client; leader election keeps its own unbounded
    // one so that a queue of intake calls can never delay a renewal past the lease.
    this.kube = new KubeClient(kc, this.metrics, o.config.kube);
    const electionClient = new KubeClient(kc, this.metrics);
    this.cache = new RRCache(this.kube, o.config.namespace, { logger: o.logger, metrics: this.metrics });
    const { app, creator } = buildIntake({
      config: o.config,
      kube: this.kube,
      cache: this.cache,
      metrics: this.metrics,
      logger: o.logger,
      accepting: () => this.readiness().ok,
    });
    this.creator = creator;
    this.intake = createIntakeServer(app, o.config.intake, o.logger);
    this.servers = {
      intake: this.intake.server,
      health: createHealthServer(() => this.readiness()),
      metrics: createMetricsServer(this.metrics),
    };
    this.elector = o.config.leaderElection.enabled
      ? new LeaderElector({
          client: electionClient,
          namespace: o.config.namespace,
          name: o.config.leaderElection.leaseName,
          identity: o.config.podName,
          leaseDurationSeconds: o.config.leaderElection.leaseDurationSeconds,
          onStartedLeading: (signal) => this.lead(signal),
          logger: o.logger,
          metrics: this.metrics,
        })
      : undefined;
  }

  readiness(): { ok: boolean; reason?: string } {
    if (this.shuttingDown) return { ok: false, reason: 'shutting down' };
    if (!this.cache.hasSynced()) return { ok: false, reason: 'RemediationRequest cache not synced' };
    return { ok: true };
  }

  isLeader(): boolean {
    return this.elector?.isLeader() ?? false;
  }

  /** Starts servers, cache and leader election; resolves when the cache first synced. */
  async start(): Promise<Endpoints> {
    const c = this.config;
    const [intake, health, metrics] = await Promise.all([
      listen(this.servers.intake, this.ephemeral ? 0 : c.intake.port, this.intake.scheme),
      listen(this.servers.health, this.ephemeral ? 0 : c.health.port),
      listen(this.servers.metrics, this.ephemeral ? 0 : c.metrics.port),
    ]);
    await this.cache.start();
    this.elector?.start();
    this.log.info('operator started', {
      intake,
      health,
      metrics,
      namespace: c.namespace,
      podName: c.podName,
    });
    return { intake, health, metrics };
  }

  private async lead(signal: AbortSignal): Promise<void> {
    this.log.info('became leader: starting controllers');
    await runControllers(
      {
        config: this.config,
        kube: this.kube,
        cache: this.cache,
        metrics: this.metrics,
        logger: this.log,
        creator: this.creator,
      },
      signal,
    );
  }

  /** Stops accepting, drains in-flight requests, hands leadership over, stops the cache. */
  async stop(drainMs = 10_000): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.log.info('shutting down');
    this.intake.dispose();
    await Promise.all(Object.values(this.servers).map((s) => close(s, drainMs)));
    await this.elector?.stop();
    await this.cache.stop();
  }
}

function listen(server: Server, port: number, scheme = 'http'): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      const addr = server.address() as AddressInfo;
      resolve(`${scheme}://127.0.0.1:${addr.port}`);
    });
  });
}

function close(server: Server, drainMs: number): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), drainMs);
    server.closeIdleConnections();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
