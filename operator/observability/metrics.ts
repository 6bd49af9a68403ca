// All Prometheus metrics of one process instance (contract §5), on its own Registry so that
// several instances in one test process never share counters.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { createControllerMetrics } from './controllerMetrics.ts';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    signalsReceived: new Counter({
      name: 'gateway_signals_received_total',
      help: 'Signals received, by source and severity',
      labelNames: ['source', 'severity'] as const,
      registers,
    }),
    signalsDeduplicated: new Counter({
      name: 'gateway_signals_deduplicated_total',
      help: 'Signals recorded as one more occurrence on an active RemediationRequest',
      registers,
    }),
    signalsAggregated: new Counter({
      name: 'gateway_signals_aggregated_total',
      help: 'Signals folded into an active storm',
      registers,
    }),
    signalsRedelivered: new Counter({
      name: 'gateway_signals_redelivered_total',
      help: 'Signals recognised as a redelivery of an occurrence already counted (answered 202, not counted)',
      registers,
    }),
    signalsResolved: new Counter({
      name: 'gateway_signals_resolved_total',
      help: 'Resolved signals, by whether an active RemediationRequest was marked',
      labelNames: ['outcome'] as const,
      registers,
    }),
    crdsCreated: new Counter({
      name: 'gateway_crds_created_total',
      help: 'RemediationRequests created',
      registers,
    }),
    signalsRejected: new Counter({
      name: 'gateway_signals_rejected_total',
      help: 'Signals rejected, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'gateway_http_request_duration_seconds',
      help: 'Intake HTTP request duration',
      labelNames: ['route', 'code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    lockAcquisition: new Counter({
      name: 'gateway_lock_acquisition_total',
      help: 'Per-fingerprint creation lock attempts, by outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
    lockWait: new Histogram({
      name: 'gateway_lock_wait_seconds',
      help: 'Time spent waiting for a per-fingerprint creation lock',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    statusUpdateConflicts: new Counter({
      name: 'gateway_status_update_conflicts_total',
      help: 'Status writes rejected with 409 Conflict and retried',
      registers,
    }),
    stormsDetected: new Counter({
      name: 'gateway_storms_detected_total',
      help: 'Alert storms detected, by type',
      labelNames: ['type'] as const,
      registers,
    }),
    k8sApiRequests: new Counter({
      name: 'gateway_k8s_api_requests_total',
      help: 'Kubernetes API requests, by verb, resource and HTTP code (0 = no response)',
      labelNames: ['verb', 'resource', 'code'] as const,
      registers,
    }),
    k8sApiInFlight: new Gauge({
      name: 'gateway_k8s_api_inflight_requests',
      help: 'Non-watch Kubernetes API calls open now (bounded by kube.maxConcurrentRequests)',
      registers,
    }),
    k8sApiWaiting: new Gauge({
      name: 'gateway_k8s_api_waiting_requests',
      help: 'Kubernetes API calls waiting for a free slot',
      registers,
    }),
    k8sApiWait: new Histogram({
      name: 'gateway_k8s_api_wait_seconds',
      help: 'Time a Kubernetes API call waited for a free slot (only calls that had to wait)',
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    k8sApiThrottled: new Counter({
      name: 'gateway_k8s_api_throttled_total',
      help: 'Kubernetes API calls that failed because no slot became free in time (answered 503)',
      registers,
    }),
    intakeInFlightBytes: new Gauge({
      name: 'gateway_intake_inflight_bytes',
      help: 'Request body bytes admitted and not yet answered (bounded by intake.maxBytesInFlight)',
      registers,
    }),
    intakeInFlightAlerts: new Gauge({
      name: 'gateway_intake_inflight_alerts',
      help: 'Signals parsed and not yet answered (bounded by intake.maxAlertsInFlight)',
      registers,
    }),
    intakeShed: new Counter({
      name: 'gateway_intake_shed_total',
      help: 'Requests answered 503 because a load bound was reached, by bound (requests, bytes, alerts)',
      labelNames: ['bound'] as const,
      registers,
    }),
    informerSynced: new Gauge({
      name: 'gateway_informer_synced',
      help: '1 when the RemediationRequest informer has listed and is watching',
      labelNames: ['resource'] as const,
      registers,
    }),
    groupCommitBatchSize: new Histogram({
      name: 'gateway_group_commit_batch_size',
      help: 'Occurrences carried by one status write',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers,
    }),
    leaderStatus: new Gauge({
      name: 'gateway_leader',
      help: '1 while this process holds the controller leader lease',
      registers,
    }),
    reconcileTotal: new Counter({
      name: 'gateway_reconcile_total',
      help: 'Controller reconciles, by controller and result',
      labelNames: ['controller', 'result'] as const,
      registers,
    }),
    /** Reconcile durations and errors, work-queue depth/adds/retries/latency, build_info. */
    controllers: createControllerMetrics(registers),
  };
}
