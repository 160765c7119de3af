/** An SVG bar chart of kompute-ts's speed relative to raw WebGPU, one bar per workload. */
import type { Result } from './report.js';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Relative speed: above 1 means kompute-ts is faster than raw WebGPU. */
export function relativeSpeed(r: Result): number {
  return r.higherIsBetter ? r.kompute.median / r.raw.median : r.raw.median / r.kompute.median;
}

export function chartSvg(results: readonly Result[], caption: string): string {
  const rowHeight = 26;
  const left = 330;
  const width = 820;
  const plot = width - left - 70;
  const top = 40;
  const height = top + results.length * rowHeight + 40;
  const speeds = results.map(relativeSpeed);
  const maxLog = Math.max(1, ...speeds.map((s) => Math.abs(Math.log10(s)))) * 1.05;
  // Log scale centred on 1.0: bars to the right are faster than raw, to the left slower.
  const x = (s: number) => left + plot / 2 + (Math.log10(s) / maxLog) * (plot / 2);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escape(caption)}</text>`,
  ];
  results.forEach((r, i) => {
    const y = top + i * rowHeight;
    const s = speeds[i]!;
    const x0 = x(1);
    const x1 = x(s);
    parts.push(`<text x="${left - 8}" y="${y + 16}" text-anchor="end">${escape(r.id)}</text>`);
    parts.push(`<rect x="${Math.min(x0, x1)}" y="${y + 4}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${rowHeight - 8}" fill="${s >= 1 ? '#2e7d32' : '#c62828'}"/>`);
    parts.push(`<text x="${Math.max(x0, x1) + 4}" y="${y + 16}">${s.toFixed(2)}×</text>`);
  });
  const axisY = top + results.length * rowHeight + 4;
  parts.push(`<line x1="${x(1)}" y1="${top - 4}" x2="${x(1)}" y2="${axisY}" stroke="black"/>`);
  parts.push(`<text x="${x(1)}" y="${axisY + 16}" text-anchor="middle">raw WebGPU = 1 (log scale; right: kompute-ts faster)</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
