/**
 * `npm run bench [-- --quick] [--json FILE] [--svg FILE] [--only id,id] [--trace FILE]`: runs every
 * workload through kompute-ts and raw WebGPU on the same device in one process, and prints a table
 * of medians with min/max and the ratio kompute-ts / raw. `--trace FILE` records the kompute-ts
 * side's evaluations (host phases, GPU times per dispatch where `timestamp-query` exists) as a
 * Chrome trace (Perfetto, chrome://tracing), and its picture beside it (FILE with .svg).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { Manager, toChromeTrace, UnsupportedError } from '../src/index.js';
import { chartSvg } from './chart.js';
import { type Result, table, toFigure } from './report.js';
import { measure } from './stats.js';
import { renderTraceSvg } from './trace-render.js';
import { WORKLOADS } from './workloads.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    svg: { type: 'string' },
    only: { type: 'string' },
    trace: { type: 'string' },
    reps: { type: 'string' },
    // Comma-separated Dawn flags, e.g. enable-dawn-features=allow_unsafe_apis for the int8 matmul.
    'dawn-flags': { type: 'string' },
  },
});
const quick = values.quick ?? false;
const only = values.only?.split(',');
const defaultReps = values.reps ? Number(values.reps) : quick ? 5 : 7;

await using mgr = await Manager.create({ dawnFlags: values['dawn-flags']?.split(',') ?? [] });
const info = mgr.deviceInfo();
const machine = `${info.description || info.device} (${info.vendor}, ${info.architecture})`;
console.log(`kompute-ts bench${quick ? ' --quick' : ''} on ${machine}, ${new Date().toISOString()}`);
const recorder = values.trace ? mgr.startTrace() : null;

const results: Result[] = [];
for (const workload of WORKLOADS) {
  if (only ? !only.includes(workload.id) : workload.optional) continue;
  let prepared: Awaited<ReturnType<typeof workload.prepare>>;
  try {
    prepared = await workload.prepare(mgr, quick);
  } catch (error) {
    // A kernel this device cannot run (the int8 matmul without subgroup matrices) is skipped, saying why.
    if (!(error instanceof UnsupportedError)) throw error;
    console.log(`  ${workload.id}: skipped: ${error.message}`);
    continue;
  }
  const reps = Math.max(5, workload.reps ?? defaultReps);
  const warmup = workload.warmup ?? 2;
  try {
    // Interleave the two sides so drifting clocks or thermals hit both alike.
    const kSamples: number[] = [];
    const rSamples: number[] = [];
    await measure(() => prepared.kompute.run(), { warmup, reps: 0 });
    await measure(() => prepared.raw.run(), { warmup, reps: 0 });
    // Alternate which side goes first, so neither always runs right after a pause.
    for (let i = 0; i < reps; i++) {
      const kompute = () => measure(() => prepared.kompute.run(), { warmup: 0, reps: 1 });
      const raw = () => measure(() => prepared.raw.run(), { warmup: 0, reps: 1 });
      if (i % 2 === 0) {
        kSamples.push(...(await kompute()).samples);
        rSamples.push(...(await raw()).samples);
      } else {
        rSamples.push(...(await raw()).samples);
        kSamples.push(...(await kompute()).samples);
      }
    }
    const kompute = toFigure({ samples: kSamples, median: 0, min: 0, max: 0 }, prepared.figure);
    const raw = toFigure({ samples: rSamples, median: 0, min: 0, max: 0 }, prepared.rawFigure ?? prepared.figure);
    const result: Result = {
      id: workload.id,
      title: workload.title,
      unit: workload.unit,
      higherIsBetter: workload.higherIsBetter,
      target: workload.target ?? '',
      kompute,
      raw,
      ratio: kompute.median / raw.median,
      reps,
    };
    results.push(result);
    // Per-call workloads (many repetitions) also show the spread of a call.
    const spread = (f: typeof kompute) => (reps >= 100 ? ` (p10-p90 ${f.p10.toPrecision(3)}-${f.p90.toPrecision(3)})` : '');
    console.log(
      `  ${workload.id}: kompute-ts ${kompute.median.toPrecision(4)} ${workload.unit}${spread(kompute)}, raw ${raw.median.toPrecision(4)} ${workload.unit}${spread(raw)}, ratio ${result.ratio.toFixed(2)}`,
    );
  } finally {
    prepared.cleanup();
  }
}

console.log(`\n${table(results)}\n`);
const report = { machine, date: new Date().toISOString(), quick, node: process.version, command: process.argv.slice(1).join(' '), results };
if (values.json) {
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${values.json}`);
}
if (recorder && values.trace) {
  const chrome = toChromeTrace(recorder.stop());
  mkdirSync(dirname(values.trace), { recursive: true });
  writeFileSync(values.trace, JSON.stringify(chrome));
  const picture = `${values.trace.replace(/\.json$/, '')}.svg`;
  writeFileSync(picture, renderTraceSvg(chrome, `kompute-ts bench on ${machine}`));
  console.log(`wrote ${values.trace} (${chrome.traceEvents.length} trace events) and ${picture}`);
}
if (values.svg) {
  mkdirSync(dirname(values.svg), { recursive: true });
  writeFileSync(values.svg, chartSvg(results, `kompute-ts vs raw WebGPU on ${machine}`));
  console.log(`wrote ${values.svg}`);
}
