// Runs the leader's controllers until `signal` aborts. Filled in by the controllers issue.
import type { ControllerContext } from './context.ts';

export async function runControllers(_ctx: ControllerContext, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
