/** Turns timings into figures, a printed table and JSON. */
import type { Timing } from './stats.js';
import type { Unit } from './workload.js';

export interface Figure {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** The 10th and 90th percentiles: the spread without the rare outliers that min and max show. */
  readonly p10: number;
  readonly p90: number;
}

export interface Result {
  readonly id: string;
  readonly title: string;
  readonly unit: Unit;
  readonly higherIsBetter: boolean;
  readonly target: string;
  readonly kompute: Figure;
  readonly raw: Figure;
  /** kompute-ts median / raw median, in the workload's unit. */
  readonly ratio: number;
  readonly reps: number;
}

/** Figures from timings: the median of the figures, their 10th and 90th percentiles and their extremes. */
export function toFigure(timing: Timing, figure: (seconds: number) => number): Figure {
  const values = timing.samples.map(figure).sort((a, b) => a - b);
  const mid = values.length >> 1;
  const median = values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  const at = (q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
  return { median, min: values[0]!, max: values.at(-1)!, p10: at(0.1), p90: at(0.9) };
}

function fmt(v: number): string {
  if (v >= 1000) return Math.round(v).toLocaleString('en-US');
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** A Markdown table (also readable in a terminal). */
export function table(results: readonly Result[]): string {
  const rows = ['| workload | unit | kompute-ts median (min–max) | raw WebGPU median (min–max) | kompute-ts / raw | better | target (H100) |', '|---|---|---|---|---|---|---|'];
  for (const r of results) {
    rows.push(
      `| ${r.id}: ${r.title} | ${r.unit} | ${fmt(r.kompute.median)} (${fmt(r.kompute.min)}–${fmt(r.kompute.max)}) | ${fmt(r.raw.median)} (${fmt(r.raw.min)}–${fmt(r.raw.max)}) | ${r.ratio.toFixed(2)} | ${r.higherIsBetter ? 'higher' : 'lower'} | ${r.target || '–'} |`,
    );
  }
  return rows.join('\n');
}
