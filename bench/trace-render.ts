/**
 * Draws a Chrome-format trace (from `toChromeTrace`, e.g. `kompute-ts bench --trace FILE`) as an
 * SVG timeline: one row per thread (the host's sequences, the GPU's), spans as bars stacked by
 * nesting (an evaluation above its phases), instant events as ticks on the manager's row. Pure
 * (no Node module), so the browser test run can draw traces too; bench/trace-svg.ts is its command.
 */
import type { ChromeTrace, ChromeTraceEvent } from '../src/index.js';

const WIDTH = 1100;
const LEFT = 170;
const BAR = 16;
const ROW_GAP = 10;

const COLOURS: Readonly<Record<string, string>> = {
  eval: '#9ecae1',
  validate: '#fdd0a2',
  plan: '#fdae6b',
  'compile-wait': '#d9d9d9',
  encode: '#a1d99b',
  submit: '#31a354',
  'gpu-wait': '#bcbddc',
  map: '#756bb1',
  gpu: '#e6550d',
};

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface Row {
  readonly key: string;
  readonly name: string;
  readonly spans: ChromeTraceEvent[];
  readonly instants: ChromeTraceEvent[];
}

/** The SVG picture of `trace`, between `fromMs` and `toMs` (default: all of it), titled `title`. */
export function renderTraceSvg(trace: ChromeTrace, title = 'kompute-ts trace', fromMs?: number, toMs?: number): string {
  const names = new Map<string, string>();
  const processes = new Map<number, string>();
  for (const e of trace.traceEvents) {
    if (e.ph !== 'M') continue;
    if (e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, String(e.args?.name ?? e.tid));
    if (e.name === 'process_name') processes.set(e.pid, String(e.args?.name ?? e.pid));
  }
  const timed = trace.traceEvents.filter((e) => e.ph !== 'M' && e.ts !== undefined);
  const lo = fromMs !== undefined ? fromMs * 1000 : Math.min(...timed.map((e) => e.ts!));
  const hi = toMs !== undefined ? toMs * 1000 : Math.max(...timed.map((e) => e.ts! + (e.dur ?? 0)));
  const span = Math.max(hi - lo, 1);
  const x = (ts: number) => LEFT + ((ts - lo) / span) * (WIDTH - LEFT - 20);
  const rows = new Map<string, Row>();
  for (const e of timed) {
    if (e.ts! + (e.dur ?? 0) < lo || e.ts! > hi) continue;
    const key = `${e.pid}:${e.tid}`;
    let row = rows.get(key);
    if (!row) {
      row = { key, name: `${processes.get(e.pid)?.split(' ')[0] ?? e.pid} · ${names.get(key) ?? e.tid}`, spans: [], instants: [] };
      rows.set(key, row);
    }
    if (e.ph === 'X') row.spans.push(e);
    else row.instants.push(e);
  }
  const parts: string[] = [];
  let y = 40;
  for (const row of [...rows.values()].sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true }))) {
    // Depth by nesting: a span inside an open one goes one bar lower.
    const sorted = [...row.spans].sort((a, b) => a.ts! - b.ts! || (b.dur ?? 0) - (a.dur ?? 0));
    const open: number[] = [];
    const depth = new Map<ChromeTraceEvent, number>();
    for (const s of sorted) {
      while (open.length > 0 && open[open.length - 1]! <= s.ts! + 0.01) open.pop();
      depth.set(s, open.length);
      open.push(s.ts! + (s.dur ?? 0));
    }
    const levels = Math.max(1, ...[...depth.values()].map((d) => d + 1));
    const height = levels * BAR + (row.instants.length > 0 ? 8 : 0);
    parts.push(`<text x="8" y="${y + 12}" class="row">${escape(row.name)}</text>`);
    parts.push(`<line x1="${LEFT}" x2="${WIDTH - 20}" y1="${y + height + ROW_GAP / 2}" y2="${y + height + ROW_GAP / 2}" class="grid"/>`);
    for (const s of sorted) {
      const x0 = x(Math.max(s.ts!, lo));
      const w = Math.max(0.5, x(Math.min(s.ts! + (s.dur ?? 0), hi)) - x0);
      const key = s.cat === 'gpu' ? 'gpu' : s.cat === 'eval' ? 'eval' : s.name;
      const label = `${s.name} ${((s.dur ?? 0) / 1000).toFixed(3)} ms`;
      parts.push(`<rect x="${x0.toFixed(2)}" y="${y + depth.get(s)! * BAR}" width="${w.toFixed(2)}" height="${BAR - 2}" fill="${COLOURS[key] ?? '#cccccc'}"><title>${escape(label)}</title></rect>`);
      if (w > label.length * 6) parts.push(`<text x="${(x0 + 3).toFixed(2)}" y="${y + depth.get(s)! * BAR + 11}" class="bar">${escape(label)}</text>`);
    }
    for (const i of row.instants) {
      parts.push(`<line x1="${x(i.ts!).toFixed(2)}" x2="${x(i.ts!).toFixed(2)}" y1="${y}" y2="${y + 8}" class="tick"><title>${escape(`${i.name}: ${String(i.args?.message ?? '')}`)}</title></line>`);
    }
    y += height + ROW_GAP;
  }
  // A time axis in ms, five ticks.
  for (let k = 0; k <= 5; k++) {
    const ts = lo + (span * k) / 5;
    parts.push(`<line x1="${x(ts).toFixed(2)}" x2="${x(ts).toFixed(2)}" y1="30" y2="${y}" class="grid"/>`);
    parts.push(`<text x="${x(ts).toFixed(2)}" y="${y + 14}" class="axis" text-anchor="middle">${(ts / 1000).toFixed(2)} ms</text>`);
  }
  const legend = Object.entries(COLOURS)
    .map(([name, colour], i) => `<rect x="${LEFT + i * 95}" y="${y + 24}" width="10" height="10" fill="${colour}"/><text x="${LEFT + i * 95 + 14}" y="${y + 33}" class="axis">${name}</text>`)
    .join('');
  const total = y + 44;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${total}" viewBox="0 0 ${WIDTH} ${total}" font-family="sans-serif">
<title>${escape(title)}</title>
<style>.row{font-size:11px;fill:#222}.bar{font-size:9px;fill:#111}.axis{font-size:10px;fill:#555}.grid{stroke:#eee}.tick{stroke:#444}</style>
<rect width="100%" height="100%" fill="white"/>
<text x="8" y="20" font-size="14" fill="#111">${escape(title)}</text>
${parts.join('\n')}
${legend}
</svg>
`;
}
