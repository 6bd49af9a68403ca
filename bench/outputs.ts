// Writes the readable outputs (report.md and chart.png) from one run's results.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart } from './chart.ts';
import type { ChartGroup } from './chart.ts';
import { renderReport } from './report.ts';
import type { BenchResults, RawSummary } from './results.ts';

export const CHART = 'chart.png';

function chartGroups(r: BenchResults): ChartGroup[] {
  const raw = (label: string, s: RawSummary): ChartGroup => ({
    label,
    p50: s.p50Ms,
    p95: s.p95Ms,
    p99: s.p99Ms,
    perSec: s.perSec,
    baseline: true,
  });
  return [
    raw('raw create', r.baselines.rawCreate),
    raw('raw status', r.baselines.rawStatusUpdate),
    ...r.cases.map((c) => ({
      label: `${c.case} x${c.replicas}`,
      p50: c.p50Ms,
      p95: c.p95Ms,
      p99: c.p99Ms,
      perSec: c.signalsPerSec,
      baseline: false,
    })),
  ];
}

export function writeOutputs(dir: string, r: BenchResults): void {
  const subtitle = `commit ${r.commit.slice(0, 12)}, concurrency ${r.baselines.concurrency}, ${r.machine.cpus} cpus`;
  writeFileSync(join(dir, CHART), renderChart(chartGroups(r), subtitle));
  writeFileSync(join(dir, 'report.md'), renderReport(r, CHART));
}
