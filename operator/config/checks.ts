// Rules the schema cannot express because they relate two settings or need the domain's own
// parser. They run after schema validation, on a value that already has the right shape.
import { parsePriorityMatrix } from '../../webhook/signal/classify.ts';
import { CREATE_MARGIN_MS } from '../../webhook/create/lockedCreator.ts';
import { API_REQUEST_TIMEOUT_MS } from '../kube/kubeconfig.ts';
import type { Config } from './schema.ts';

/**
 * The creation lock must outlast its critical section: from before the acquiring write is sent
 * to the create being sent there are at most two API requests (the acquiring write, one GET of
 * the newest RR), each bounded by API_REQUEST_TIMEOUT_MS, plus a margin that also covers the
 * creator's own CREATE_MARGIN_MS check and event-loop delays. The schema's minimum for
 * intake.lock.leaseDurationSeconds is this, in seconds (load.test.ts holds them together).
 */
const LOCK_ROUND_TRIPS = 2;
const LOCK_MARGIN_MS = 5000;
export const MIN_LOCK_LEASE_MS = LOCK_ROUND_TRIPS * API_REQUEST_TIMEOUT_MS + LOCK_MARGIN_MS;

export function crossFieldErrors(c: Config): string[] {
  const errors: string[] = [];
  if (new Set([c.intake.port, c.health.port, c.metrics.port]).size !== 3) {
    errors.push('intake.port, health.port and metrics.port must differ');
  }
  // One request at its limits must fit the in-flight bounds, or it would be shed for ever.
  if (c.intake.maxBytesInFlight < c.intake.bodyLimitBytes)
    errors.push('intake.maxBytesInFlight must be at least intake.bodyLimitBytes');
  if (c.intake.maxAlertsInFlight < c.intake.maxAlertsPerRequest)
    errors.push('intake.maxAlertsInFlight must be at least intake.maxAlertsPerRequest');
  if (c.kube.maxWaitMs >= c.intake.requestTimeoutMs)
    errors.push('kube.maxWaitMs must be shorter than intake.requestTimeoutMs');
  // A queued API call is sent up to kube.maxWaitMs after it was issued: each round-trip of the
  // lock's critical section can take that much longer, and the create itself must still be sent
  // inside the lease the in-lease check saw.
  const lockNeedsMs = LOCK_ROUND_TRIPS * (API_REQUEST_TIMEOUT_MS + c.kube.maxWaitMs) + LOCK_MARGIN_MS;
  if (c.intake.lock.leaseDurationSeconds * 1000 < lockNeedsMs)
    errors.push(
      `intake.lock.leaseDurationSeconds must be at least ${Math.ceil(lockNeedsMs / 1000)} with kube.maxWaitMs ${c.kube.maxWaitMs} (${LOCK_ROUND_TRIPS} API requests of up to ${API_REQUEST_TIMEOUT_MS / 1000} s plus the wait for a slot, plus ${LOCK_MARGIN_MS / 1000} s)`,
    );
  if (c.kube.maxWaitMs >= CREATE_MARGIN_MS)
    errors.push(
      `kube.maxWaitMs must be shorter than ${CREATE_MARGIN_MS} ms (a create is sent only with that much of its lock left)`,
    );
  if (c.intake.lock.maxWaitMs >= c.intake.requestTimeoutMs) {
    errors.push('intake.lock.maxWaitMs must be shorter than intake.requestTimeoutMs');
  }
  if (c.intake.headersTimeoutMs <= c.intake.keepAliveTimeoutMs) {
    // Node would otherwise drop a reused connection while waiting for the next request's headers.
    errors.push('intake.headersTimeoutMs must be longer than intake.keepAliveTimeoutMs');
  }
  if (c.classification.priorityMatrix !== undefined) {
    try {
      parsePriorityMatrix(c.classification.priorityMatrix, 'classification.priorityMatrix');
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return errors;
}
