// Phase semantics (contract §3): a set list of terminal phases; everything else, including
// empty and unknown phases, is active and absorbs new occurrences.
import type { CachedRR } from '../cache/projection.ts';

export const PENDING = 'Pending';
export const TERMINAL_PHASES: ReadonlySet<string> = new Set([
  'Completed',
  'Failed',
  'TimedOut',
  'Skipped',
  'Cancelled',
]);

export function isTerminalPhase(phase: string | undefined): boolean {
  return phase !== undefined && TERMINAL_PHASES.has(phase);
}

export function isActive(rr: CachedRR): boolean {
  return !isTerminalPhase(rr.status?.overallPhase) && !rr.metadata.deletionTimestamp;
}
