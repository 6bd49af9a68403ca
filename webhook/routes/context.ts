// What the route handlers share, and the one way a problem is sent (application/problem+json).
import type { Request, Response } from 'express';
import type { Metrics } from '../../operator/observability/metrics.ts';
import { PROBLEM_CONTENT_TYPE, ServiceUnavailableProblem, toProblemBody } from '../http/problem.ts';
import type { HttpProblem } from '../http/problem.ts';
import type { Intake } from '../pipeline/intake.ts';

export interface RouteContext {
  intake: Intake;
  clusterID: string;
  maxAlerts: number;
  retryAfterSeconds: number;
  metrics?: Metrics;
}

export function sendProblem(
  res: Response,
  req: Request,
  problem: HttpProblem,
  metrics?: Metrics,
  count = true,
): void {
  if (count) metrics?.signalsRejected.inc({ reason: problem.rejectReason });
  if (problem instanceof ServiceUnavailableProblem)
    res.setHeader('Retry-After', String(problem.retryAfterSeconds));
  res
    .status(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(toProblemBody(problem, req.originalUrl)));
}
