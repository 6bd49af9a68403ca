// Each scenario writes one JSON result (whether it passed or not) so docs/reliability.md can be
// rendered from the last `make e2e-long` run by e2e/faults/render-reliability.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../controlplane/install.ts';
import { LONG } from './sizes.ts';

export interface ScenarioResult {
  /** Sort key and file name, e.g. "1-exactly-once-crashes". */
  id: string;
  scenario: string;
  load: string;
  faults: string;
  /** True when every assertion of the scenario held. */
  passed: boolean;
  /** What was observed, in words (the contract's expectation and the figure that checks it). */
  result: string;
  /** The headline figure(s). */
  figure: string;
  /** Every measured number, for whoever wants more than the table. */
  figures: Record<string, number | string>;
}

export function resultsDir(): string {
  return process.env.FAULTS_RESULTS_DIR ?? join(REPO_ROOT, '.local', LONG ? 'faults-long' : 'faults-short');
}

export function recordResult(r: ScenarioResult): void {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${r.id}.json`);
  writeFileSync(file, `${JSON.stringify({ ...r, long: LONG, at: new Date().toISOString() }, null, 2)}\n`);
  console.log(`[${r.id}] ${r.passed ? 'PASS' : 'FAIL'}: ${r.result} (${r.figure})`);
}
