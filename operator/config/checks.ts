// Rules the schema cannot express because they relate two settings or need the domain's own
// parser. They run after schema validation, on a value that already has the right shape.
import { parsePriorityMatrix } from '../../webhook/signal/classify.ts';
import type { Config } from './schema.ts';

export function crossFieldErrors(c: Config): string[] {
  const errors: string[] = [];
  if (new Set([c.intake.port, c.health.port, c.metrics.port]).size !== 3) {
    errors.push('intake.port, health.port and metrics.port must differ');
  }
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
