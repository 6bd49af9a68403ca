// Re-renders bench/results/report.md and the chart SVGs from latest.json without measuring again
// (`node bench/render.ts`), e.g. after a change to the report's layout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeOutputs } from './outputs.ts';
import type { BenchResults } from './results.ts';

const dir = join(import.meta.dirname, 'results');
const written = await writeOutputs(
  dir,
  JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as BenchResults,
);
console.log(`rendered ${written.join(', ')} in ${dir} from latest.json`);
