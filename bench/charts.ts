// The report's charts: Vega-Lite specs compiled to Vega and rendered to SVG headlessly (a vega
// View with renderer 'none', then view.toSVG()): no browser, no canvas, no bitmap code of ours.
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResults } from './results.ts';

export interface Chart {
  file: string;
  title: string;
  spec: TopLevelSpec;
}

const WIDTH = 640;
const PERCENTILES = ['P50', 'P95', 'P99'];

export async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

interface LatencyRow {
  run: string;
  percentile: string;
  ms: number;
}

function latencyRows(r: BenchResults): LatencyRow[] {
  const rows: LatencyRow[] = [];
  const add = (run: string, p50: number, p95: number, p99: number) =>
    [p50, p95, p99].forEach((ms, i) => rows.push({ run, percentile: PERCENTILES[i]!, ms }));
  add('raw create', r.baselines.rawCreate.p50Ms, r.baselines.rawCreate.p95Ms, r.baselines.rawCreate.p99Ms);
  add(
    'raw status',
    r.baselines.rawStatusUpdate.p50Ms,
    r.baselines.rawStatusUpdate.p95Ms,
    r.baselines.rawStatusUpdate.p99Ms,
  );
  for (const c of r.cases) add(`${c.case} x${c.replicas}`, c.p50Ms, c.p95Ms, c.p99Ms);
  return rows;
}

function groupedBars(title: string, rows: LatencyRow[], yTitle: string, scale?: 'log'): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows },
    width: { step: 12 },
    height: 260,
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'run', type: 'nominal', sort: null, title: null, axis: { labelAngle: -35 } },
      xOffset: { field: 'percentile', sort: PERCENTILES },
      y: { field: 'ms', type: 'quantitative', title: yTitle, ...(scale ? { scale: { type: scale } } : {}) },
      color: { field: 'percentile', type: 'nominal', sort: PERCENTILES, scale: { scheme: 'tableau10' } },
    },
    config: { background: 'white' },
  };
}

function throughput(r: BenchResults): TopLevelSpec {
  const values = [
    { run: 'raw create', perSec: r.baselines.rawCreate.perSec, kind: 'raw API (requests/s)' },
    { run: 'raw status', perSec: r.baselines.rawStatusUpdate.perSec, kind: 'raw API (requests/s)' },
    ...r.cases.map((c) => ({
      run: `${c.case} x${c.replicas}`,
      perSec: c.signalsPerSec,
      kind: 'intake (signals/s)',
    })),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Throughput, closed loop (concurrency 64; burst 200)',
    data: { values },
    width: WIDTH,
    height: 220,
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'run', type: 'nominal', sort: null, title: null, axis: { labelAngle: -35 } },
      y: { field: 'perSec', type: 'quantitative', title: 'per second' },
      color: { field: 'kind', type: 'nominal', title: null, scale: { range: ['#9e9e9e', '#4e79a7'] } },
    },
    config: { background: 'white' },
  };
}

function openLoopRows(r: BenchResults): LatencyRow[] {
  return r.openLoop.flatMap((o) =>
    [o.latency.p50Ms, o.latency.p95Ms, o.latency.p99Ms].map((ms, i) => ({
      run: `${o.case} x${o.replicas}`,
      percentile: PERCENTILES[i]!,
      ms,
    })),
  );
}

export function charts(r: BenchResults): Chart[] {
  return [
    {
      file: 'latency.svg',
      title: 'latency percentiles per closed-loop case, next to the raw API baselines',
      spec: groupedBars('Latency per request, closed loop (ms, log scale)', latencyRows(r), 'ms', 'log'),
    },
    { file: 'throughput.svg', title: 'throughput per case', spec: throughput(r) },
    {
      file: 'open-loop.svg',
      title: 'open-loop latency (vegeta, fixed arrival rate)',
      spec: groupedBars('Latency at a fixed arrival rate, open loop (ms)', openLoopRows(r), 'ms'),
    },
  ];
}
