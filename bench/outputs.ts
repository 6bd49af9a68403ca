// Writes the readable outputs (report.md and the chart SVGs) from one run's results.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { charts, toSvg } from './charts.ts';
import { renderReport } from './report.ts';
import type { BenchResults } from './results.ts';

export async function writeOutputs(dir: string, r: BenchResults): Promise<string[]> {
  const list = charts(r);
  for (const c of list) writeFileSync(join(dir, c.file), await toSvg(c.spec));
  writeFileSync(join(dir, 'report.md'), renderReport(r, list));
  return ['report.md', ...list.map((c) => c.file)];
}
