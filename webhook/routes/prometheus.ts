// POST /api/v1/signals/prometheus: an Alertmanager webhook (v4) batch. Every alert is processed
// on its own; one bad alert does not fail the others (207). When any alert could not be stored
// because of a retryable failure, the whole batch answers 503 so Alertmanager sends it again: a
// 2xx must never cover a signal that was not stored.
import type { Request, Response } from 'express';
import type { HttpProblem } from '../http/problem.ts';
import { outcomeResponse, problemFor } from '../http/respond.ts';
import { parseAlertmanagerPayload } from '../signal/alertmanager.ts';
import type { RouteContext } from './context.ts';
import { sendProblem } from './context.ts';

interface AlertResult {
  status: string;
  fingerprint?: string;
  remediationRequestName?: string;
  error?: string;
  code: number;
}

export function prometheusRoute(ctx: RouteContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const { alerts, truncatedAlerts } = parseAlertmanagerPayload(req.body, {
      clusterID: ctx.clusterID,
      now: new Date(),
      maxAlerts: ctx.maxAlerts,
    });
    // Storms are decided on the whole batch first: a batch that is a storm creates one leader.
    const signals = alerts.flatMap((a) => (a.signal ? [a.signal] : []));
    const endPlan =
      alerts.length > 1 || truncatedAlerts > 0
        ? await ctx.intake.planBatch(signals, truncatedAlerts)
        : undefined;
    const results = await Promise.all(
      alerts.map(async (a): Promise<AlertResult & { problem?: HttpProblem }> => {
        if (a.problem)
          return { status: 'rejected', error: a.problem.detail, code: a.problem.status, problem: a.problem };
        try {
          const { code, body } = outcomeResponse(
            await ctx.intake.process(a.signal!, res.locals.abort as AbortSignal),
          );
          return { ...(body as { status: string }), code };
        } catch (err) {
          const problem = problemFor(err, ctx.retryAfterSeconds);
          return {
            status: problem.status >= 500 ? 'failed' : 'rejected',
            error: problem.detail,
            code: problem.status,
            problem,
          };
        }
      }),
    ).finally(endPlan);
    for (const r of results)
      if (r.problem) ctx.metrics?.signalsRejected.inc({ reason: r.problem.rejectReason });
    if (results.length === 1) return sendSingle(res, req, results[0]!, ctx);
    const summary = summarise(results);
    const retryable = results.find((r) => r.code >= 500);
    if (retryable) res.setHeader('Retry-After', String(ctx.retryAfterSeconds));
    res.status(retryable ? 503 : 207).json({ results: results.map(publicResult), summary });
  };
}

function sendSingle(
  res: Response,
  req: Request,
  r: AlertResult & { problem?: HttpProblem },
  ctx: RouteContext,
): void {
  if (r.problem) return sendProblem(res, req, r.problem, ctx.metrics, false);
  res.status(r.code).json(publicResult(r));
}

function publicResult(r: AlertResult & { problem?: HttpProblem }): Record<string, unknown> {
  const { code: _code, problem: _problem, ...rest } = r;
  return rest;
}

function summarise(results: AlertResult[]) {
  const count = (s: string) => results.filter((r) => r.status === s).length;
  return {
    total: results.length,
    created: count('created'),
    duplicate: count('duplicate'),
    aggregated: count('aggregated'),
    buffered: count('buffered'),
    resolved: count('resolved') + count('ignored'),
    rejected: count('rejected'),
    failed: count('failed'),
  };
}
