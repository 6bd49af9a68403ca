// POST /api/v1/signals/kubernetes-event: one core/v1 or events.k8s.io/v1 Event.
import type { Request, Response } from 'express';
import { outcomeResponse } from '../http/respond.ts';
import { parseKubernetesEvent } from '../signal/kubernetesEvent.ts';
import type { RouteContext } from './context.ts';

export function kubernetesEventRoute(ctx: RouteContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const signal = parseKubernetesEvent(req.body, { clusterID: ctx.clusterID, now: new Date() });
    const { code, body } = outcomeResponse(await ctx.intake.process(signal, res.locals.abort as AbortSignal));
    res.status(code).json(body);
  };
}
