// Turns pipeline outcomes and errors into HTTP status codes and bodies (contract §2).
import { KubeError } from '../../operator/kube/errors.ts';
import { LockTimeoutError } from '../create/creationLock.ts';
import type { Outcome } from '../pipeline/intake.ts';
import { SignalNotSettledError } from '../pipeline/intake.ts';
import { HttpProblem, InternalProblem, ServiceUnavailableProblem, ValidationProblem } from './problem.ts';

const OUTCOME_CODE: Record<Outcome['status'], number> = {
  created: 201,
  duplicate: 202,
  aggregated: 202,
  buffered: 202,
  resolved: 200,
  ignored: 200,
};

export function outcomeResponse(o: Outcome): { code: number; body: Record<string, unknown> } {
  const body: Record<string, unknown> = { status: o.status, fingerprint: o.fingerprint };
  if (o.remediationRequestName) {
    body.remediationRequestName = o.remediationRequestName;
    body.remediationRequestNamespace = o.remediationRequestNamespace;
  }
  if (o.status === 'created') body.duplicate = false;
  if (o.status === 'duplicate') {
    body.duplicate = true;
    body.occurrenceCount = o.occurrenceCount;
    if (o.redelivered) body.redelivered = true;
  }
  if (o.status === 'aggregated') body.stormId = o.stormId;
  if ((o.status === 'aggregated' || o.status === 'buffered') && o.redelivered) body.redelivered = true;
  return { code: OUTCOME_CODE[o.status], body };
}

/** Maps anything the pipeline threw to a problem; whatever was not stored is retryable (503). */
export function problemFor(err: unknown, retryAfterSeconds: number): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof KubeError) {
    if (err.kind === 'invalid')
      return new ValidationProblem('signal', `was refused by the API server: ${err.message}`);
    return new ServiceUnavailableProblem(`Kubernetes API: ${err.message}`, retryAfterSeconds, { cause: err });
  }
  if (err instanceof LockTimeoutError || err instanceof SignalNotSettledError) {
    return new ServiceUnavailableProblem(err.message, retryAfterSeconds, { cause: err });
  }
  if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) {
    return new ServiceUnavailableProblem('request timed out before the signal was stored', retryAfterSeconds);
  }
  return new InternalProblem({ cause: err });
}
