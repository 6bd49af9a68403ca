// The intake's Express application: request ids, timing, load shedding, authentication, strict
// JSON bodies, the two signal routes, and RFC 7807 errors. Construction reads top to bottom as
// the path of a request.
import { randomUUID } from 'node:crypto';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../operator/observability/logger.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { RouteContext } from '../routes/context.ts';
import { sendProblem } from '../routes/context.ts';
import { kubernetesEventRoute } from '../routes/kubernetesEvent.ts';
import { prometheusRoute } from '../routes/prometheus.ts';
import { readJsonBody } from './jsonBody.ts';
import { LoadBounds } from './loadBounds.ts';
import type { Ticket } from './loadBounds.ts';
import {
  OverloadedProblem,
  ServiceUnavailableProblem,
  UnsupportedMediaTypeProblem,
  ValidationProblem,
} from './problem.ts';
import { problemFor } from './respond.ts';

export const ROUTES = {
  prometheus: '/api/v1/signals/prometheus',
  kubernetesEvent: '/api/v1/signals/kubernetes-event',
} as const;

export interface AppOptions extends RouteContext {
  authenticator?: Authenticator;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  maxInFlight: number;
  /** Decoded request body bytes admitted and not yet answered (see loadBounds.ts). */
  maxBytesInFlight: number;
  /** Parsed signals not yet answered. */
  maxAlertsInFlight: number;
  /** False while not ready or shutting down: requests get 503 instead of queuing. */
  accepting: () => boolean;
  logger: Logger;
}

type Handler = (req: Request, res: Response) => Promise<void>;
/** How many signals a parsed body carries (what it will hold in memory while processed). */
type SignalCount = (body: unknown) => number;

const oneSignal: SignalCount = () => 1;

export function createIntakeApp(o: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const bounds = new LoadBounds(
    {
      maxInFlight: o.maxInFlight,
      maxBytesInFlight: o.maxBytesInFlight,
      maxAlertsInFlight: o.maxAlertsInFlight,
      retryAfterSeconds: o.retryAfterSeconds,
    },
    o.metrics,
  );
  const alertsIn: SignalCount = (body) => {
    const alerts = (body as { alerts?: unknown } | null)?.alerts;
    // Beyond maxAlerts the batch is refused (400) before any alert is processed.
    return Array.isArray(alerts) ? Math.min(alerts.length, o.maxAlerts) : 1;
  };

  app.use((req, res, next) => {
    const id = (req.get('x-request-id') ?? '').slice(0, 128) || randomUUID();
    res.setHeader('X-Request-ID', id);
    res.locals.requestId = id;
    const started = performance.now();
    const ticket = bounds.open();
    res.locals.ticket = ticket;
    res.on('close', () => {
      ticket.release();
      const route = req.route ? String((req.route as { path: string }).path) : 'unmatched';
      o.metrics?.httpDuration.observe(
        { route, code: String(res.statusCode) },
        (performance.now() - started) / 1000,
      );
    });
    next();
  });

  const guard =
    (handler: Handler, count: SignalCount) => async (req: Request, res: Response, next: NextFunction) => {
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new DOMException('timeout', 'TimeoutError')),
        o.requestTimeoutMs,
      );
      res.locals.abort = controller.signal;
      try {
        if (!o.accepting()) throw new ServiceUnavailableProblem('intake is not ready', o.retryAfterSeconds);
        const ticket = res.locals.ticket as Ticket;
        ticket.checkRequests();
        if (o.authenticator) await o.authenticator.authenticate(req.get('authorization'));
        if (!req.is('application/json')) throw new UnsupportedMediaTypeProblem(req.get('content-type'));
        const body = await readJsonBody(req, {
          limitBytes: o.bodyLimitBytes,
          ticket,
          signal: controller.signal,
        });
        if (body === undefined) throw new ValidationProblem('body', 'is required');
        ticket.takeAlerts(count(body));
        req.body = body;
        await handler(req, res);
      } catch (err) {
        next(err);
      } finally {
        clearTimeout(timer);
      }
    };

  app.post(ROUTES.prometheus, guard(prometheusRoute(o), alertsIn));
  app.post(ROUTES.kubernetesEvent, guard(kubernetesEventRoute(o), oneSignal));

  app.use((req: Request, res: Response) => {
    res
      .status(404)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          type: 'about:blank',
          title: 'Not Found',
          status: 404,
          detail: `no route ${req.method} ${req.path}`,
          instance: req.originalUrl,
        }),
      );
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const problem = problemFor(err, o.retryAfterSeconds);
    // Shedding is expected under load and counted (gateway_intake_shed_total): no log line each.
    if (problem.status >= 500 && !(problem instanceof OverloadedProblem)) {
      const requestId = res.locals.requestId as string;
      o.logger.warn('signal not accepted', {
        requestId,
        status: problem.status,
        detail: problem.detail,
        err: String(err),
      });
    }
    if (res.headersSent) return;
    // A body refused before it was read whole leaves the connection unusable for a next request.
    if (!req.readableEnded) res.setHeader('Connection', 'close');
    sendProblem(res, req, problem, o.metrics);
  });
  return app;
}
