// The report's chart: latency percentiles (top) and throughput (bottom) per case, with the raw
// API server baselines drawn first in grey, rendered to PNG without a browser.
import { Bitmap } from './png.ts';
import type { Rgb } from './png.ts';

export interface ChartGroup {
  label: string;
  p50: number;
  p95: number;
  p99: number;
  perSec: number;
  baseline: boolean;
}

const WIDTH = 1200;
const HEIGHT = 780;
const LEFT = 90;
const RIGHT = 30;
const INK: Rgb = [30, 30, 30];
const GRID: Rgb = [225, 225, 225];
const LATENCY_COLORS: readonly Rgb[] = [
  [140, 185, 235],
  [45, 110, 200],
  [20, 40, 110],
];
const GREY: readonly Rgb[] = [
  [200, 200, 200],
  [150, 150, 150],
  [95, 95, 95],
];
const THROUGHPUT: Rgb = [30, 150, 115];
const THROUGHPUT_BASE: Rgb = [150, 150, 150];

/** The smallest 1, 2 or 5 x 10^k at or above v. */
export function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

function label(v: number): string {
  return v >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10);
}

interface Panel {
  top: number;
  height: number;
  title: string;
  groups: { label: string; bars: { value: number; color: Rgb }[] }[];
}

function drawPanel(b: Bitmap, p: Panel): void {
  b.text(LEFT, p.top - 34, p.title, INK, 2);
  const max = niceCeil(Math.max(...p.groups.flatMap((g) => g.bars.map((x) => x.value))) * 1.1);
  const plotW = WIDTH - LEFT - RIGHT;
  const y = (v: number) => p.top + p.height - (v / max) * p.height;
  for (let t = 0; t <= 4; t++) {
    const v = (max / 4) * t;
    b.rect(LEFT, y(v), plotW, 1, GRID);
    const s = label(v);
    b.text(LEFT - 10 - Bitmap.textWidth(s, 2), y(v) - 7, s, INK, 2);
  }
  const slot = plotW / p.groups.length;
  p.groups.forEach((g, i) => {
    const inner = slot * 0.78;
    const barW = inner / g.bars.length;
    const x0 = LEFT + i * slot + (slot - inner) / 2;
    g.bars.forEach((bar, j) => {
      const x = x0 + j * barW;
      b.rect(x + 1, y(bar.value), barW - 2, p.top + p.height - y(bar.value), bar.color);
      const s = label(bar.value);
      b.text(x + (barW - Bitmap.textWidth(s, 1)) / 2, y(bar.value) - 11, s, INK, 1);
    });
    b.text(
      LEFT + i * slot + (slot - Bitmap.textWidth(g.label, 2)) / 2,
      p.top + p.height + 10,
      g.label,
      INK,
      2,
    );
  });
  b.rect(LEFT, p.top + p.height, plotW, 2, INK);
  b.rect(LEFT, p.top, 2, p.height, INK);
}

function legend(b: Bitmap, x: number, y: number, items: { text: string; color: Rgb }[]): void {
  let cx = x;
  for (const it of items) {
    b.rect(cx, y, 14, 14, it.color);
    cx += 20 + b.text(cx + 20, y, it.text, INK, 2) + 16;
  }
}

export function renderChart(groups: ChartGroup[], subtitle: string): Buffer {
  const b = new Bitmap(WIDTH, HEIGHT);
  b.text(LEFT, 16, 'kubernaut-intake benchmark', INK, 3);
  b.text(LEFT, 46, subtitle, [90, 90, 90], 2);
  const colors = (g: ChartGroup) => (g.baseline ? GREY : LATENCY_COLORS);
  drawPanel(b, {
    top: 130,
    height: 250,
    title: 'latency per request (ms)',
    groups: groups.map((g) => ({
      label: g.label,
      bars: [g.p50, g.p95, g.p99].map((value, i) => ({ value, color: colors(g)[i]! })),
    })),
  });
  legend(b, 640, 96, [
    { text: 'p50', color: LATENCY_COLORS[0]! },
    { text: 'p95', color: LATENCY_COLORS[1]! },
    { text: 'p99', color: LATENCY_COLORS[2]! },
    { text: 'raw api', color: GREY[1]! },
  ]);
  drawPanel(b, {
    top: 490,
    height: 230,
    title: 'throughput (signals/s; raw: requests/s)',
    groups: groups.map((g) => ({
      label: g.label,
      bars: [{ value: g.perSec, color: g.baseline ? THROUGHPUT_BASE : THROUGHPUT }],
    })),
  });
  return b.png();
}
