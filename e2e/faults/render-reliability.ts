// Renders docs/reliability.md from the scenario results of the last `make e2e-long` run
// (e2e/faults/results/*.json, written by the fault suite with FAULTS_RESULTS_DIR pointing there).
// Usage: node e2e/faults/render-reliability.ts [resultsDir] [outFile]
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../controlplane/install.ts';
import { renderReliability } from './support/renderTable.ts';
import type { StoredResult } from './support/renderTable.ts';

const dir = process.argv[2] ?? join(REPO_ROOT, 'e2e', 'faults', 'results');
const out = process.argv[3] ?? join(REPO_ROOT, 'docs', 'reliability.md');

const results = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as StoredResult);
writeFileSync(out, renderReliability(results));
console.log(`wrote ${out} from ${results.length} results`);
