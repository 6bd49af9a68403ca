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
import {
  MalformedJsonProblem,
  PayloadTooLargeProblem,
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
  /** False while not ready or shutting down: requests get 503 instead of queuing. */
  accepting: () => boolean;
  logger: Logger;
}

type Handler = (req: Request, res: Response) => Promise<void>;

export function createIntakeApp(o: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  let inFlight = 0;

  app.use((req, res, next) => {
    const id = (req.get('x-request-id') ?? '').slice(0, 128) || randomUUID();
    res.setHeader('X-Request-ID', id);
    res.locals.requestId = id;
    const started = performance.now();
    inFlight++;
    res.on('close', () => {
      inFlight--;
      const route = req.route ? String((req.route as { path: string }).path) : 'unmatched';
      o.metrics?.httpDuration.observe(
        { route, code: String(res.statusCode) },
        (performance.now() - started) / 1000,
      );
    });
    next();
  });

  const guard = (handler: Handler) => async (req: Request, res: Response, next: NextFunction) => {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException('timeout', 'TimeoutError')),
      o.requestTimeoutMs,
    );
    res.locals.abort = controller.signal;
    try {
      if (!o.accepting()) throw new ServiceUnavailableProblem('intake is not ready', o.retryAfterSeconds);
      if (inFlight > o.maxInFlight)
        throw new ServiceUnavailableProblem('intake is overloaded', o.retryAfterSeconds);
      if (o.authenticator) await o.authenticator.authenticate(req.get('authorization'));
      if (!req.is('application/json')) throw new UnsupportedMediaTypeProblem(req.get('content-type'));
      await parseJson(req, res);
      if (req.body === undefined) throw new ValidationProblem('body', 'is required');
      await handler(req, res);
    } catch (err) {
      next(err);
    } finally {
      clearTimeout(timer);
    }
  };

  const json = express.json({ limit: o.bodyLimitBytes, strict: false, type: () => true });
  const parseJson = (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) =>
      json(req, res, (err?: unknown) => (err ? reject(bodyProblem(err, o.bodyLimitBytes)) : resolve())),
    );

  app.post(ROUTES.prometheus, guard(prometheusRoute(o)));
  app.post(ROUTES.kubernetesEvent, guard(kubernetesEventRoute(o)));

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
    if (problem.status >= 500) {
      const requestId = res.locals.requestId as string;
      o.logger.warn('signal not accepted', {
        requestId,
        status: problem.status,
        detail: problem.detail,
        err: String(err),
      });
    }
    if (res.headersSent) return;
    sendProblem(res, req, problem, o.metrics);
  });
  return app;
}

function bodyProblem(err: unknown, limit: number) {
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') return new PayloadTooLargeProblem(limit);
  if (type === 'entity.parse.failed') return new MalformedJsonProblem(undefined, { cause: err });
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return new UnsupportedMediaTypeProblem(String(type));
  return err;
}
