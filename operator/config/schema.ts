// The operator's configuration: its shape and defaults. Every field can be set in the YAML
// file (CONFIG_FILE); the most common ones also have environment overrides (ENV_OVERRIDES in load.ts).
import type { PriorityMatrix } from '../../webhook/signal/classify.ts';

export interface Config {
  podName: string;
  namespace: string;
  clusterID: string;
  logLevel: string;
  kubeconfigPath?: string;
  intake: {
    port: number;
    bodyLimitBytes: number;
    maxAlertsPerRequest: number;
    retryAfterSeconds: number;
    requestTimeoutMs: number;
    /** Requests in progress beyond which new ones get 503 (load shedding). */
    maxInFlight: number;
    /** Wait before writing occurrences to an RR written within the last second (0 = never). */
    groupCommitLingerMs: number;
    auth: { enabled: boolean; cacheTtlSeconds: number };
    lock: { leaseDurationSeconds: number; maxWaitMs: number };
  };
  health: { port: number };
  metrics: { port: number };
  classification: { defaultEnvironment: string; priorityMatrix?: PriorityMatrix };
  storm: {
    rate: { threshold: number; windowSeconds: number };
    pattern: { threshold: number; windowSeconds: number };
    quietSeconds: number;
    maxDurationSeconds: number;
    /** How long a group's first RR collects the group's next new fingerprints (trickling storms). */
    bufferSeconds: number;
    /** Most entries listed in a leader's affectedResources / aggregatedFingerprints. */
    maxListedMembers: number;
  };
  lifecycle: { retentionHours: number; leaseCleanupAfterSeconds: number; resyncSeconds: number };
  leaderElection: { enabled: boolean; leaseName: string; leaseDurationSeconds: number };
}

export function defaultConfig(): Config {
  return {
    podName: '',
    namespace: 'kubernaut-system',
    clusterID: 'default',
    logLevel: 'info',
    intake: {
      port: 8080,
      bodyLimitBytes: 256 * 1024,
      maxAlertsPerRequest: 1000,
      retryAfterSeconds: 5,
      requestTimeoutMs: 15_000,
      maxInFlight: 4000,
      groupCommitLingerMs: 100,
      auth: { enabled: true, cacheTtlSeconds: 10 },
      lock: { leaseDurationSeconds: 30, maxWaitMs: 5000 },
    },
    health: { port: 8081 },
    metrics: { port: 9090 },
    classification: { defaultEnvironment: 'unknown' },
    storm: {
      rate: { threshold: 10, windowSeconds: 60 },
      pattern: { threshold: 5, windowSeconds: 120 },
      quietSeconds: 60,
      maxDurationSeconds: 300,
      bufferSeconds: 5,
      maxListedMembers: 1000,
    },
    lifecycle: { retentionHours: 24, leaseCleanupAfterSeconds: 600, resyncSeconds: 60 },
    leaderElection: { enabled: true, leaseName: 'kubernaut-intake-leader', leaseDurationSeconds: 15 },
  };
}
