/**
 * Data-parallel scaling over the machine's GPUs (optional: not part of `npm run bench`).
 * For 1, 2, 4 and 8 GPUs (as many as are selectable), one worker process per GPU (runOnDevices)
 * runs the same per-GPU workload at the same moment: an N × N SGEMM (N = 8192 per GPU) and the
 * element-wise `b = a * 2` (64 Mi elements per GPU). Aggregate throughput = total work / (last
 * end − common start); scaling efficiency = aggregate(k) / (k × aggregate(1)).
 *
 *   node dist/bench/multi-gpu.js [--quick] [--devices 0,0] [--json FILE]
 *
 * `--devices` names the devices to use (the same one may repeat, e.g. on lavapipe); the runs then
 * take the first 1, 2, 4, 8 of them.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Manager, runOnDevices } from '../src/index.js';
import type { MultiGpuResult, MultiGpuTask } from './multi-gpu-worker.js';

/** One line of the report. */
export interface ScalingRow {
  readonly workload: string;
  readonly gpus: number;
  readonly unit: 'TFLOP/s' | 'GB/s';
  /** Aggregate throughput of all GPUs together. */
  readonly aggregate: number;
  /** aggregate / (gpus × aggregate with one GPU). */
  readonly efficiency: number;
  /** Workers whose preparation overran the common start (their figure is then pessimistic). */
  readonly late: number;
  readonly failures: readonly string[];
}

const WORKER = new URL('./multi-gpu-worker.js', import.meta.url);

async function runScaled(
  kind: MultiGpuTask['kind'],
  size: number,
  reps: number,
  devices: readonly (number | string)[],
  leadMs: number,
): Promise<{ aggregate: number; late: number; failures: string[] }> {
  const startAt = Date.now() + leadMs;
  const tasks: MultiGpuTask[] = devices.map(() => ({ kind, size, reps, startAt }));
  const outcomes = await runOnDevices<MultiGpuTask, MultiGpuResult>({ worker: WORKER, devices, inputs: tasks });
  const ok = outcomes.flatMap((o) => (o.ok ? [o.value] : []));
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [o.error.message]));
  if (ok.length === 0) return { aggregate: 0, late: 0, failures };
  const begin = Math.min(...ok.map((r) => r.began));
  const end = Math.max(...ok.map((r) => r.ended));
  const work = ok.reduce((s, r) => s + r.work, 0);
  return { aggregate: work / ((end - begin) / 1000) / 1e12, late: ok.filter((r) => r.late).length, failures };
}

/** Runs the scaling study and returns its rows. */
export async function multiGpuBench(options: { quick?: boolean; devices?: readonly (number | string)[] } = {}): Promise<ScalingRow[]> {
  const devices = options.devices ?? (await Manager.listDevices()).filter((d) => d.selectable).map((d) => d.index);
  const counts = [1, 2, 4, 8].filter((k) => k <= devices.length);
  const quick = options.quick === true;
  const workloads = [
    { name: `sgemm-${quick ? 512 : 8192}-per-gpu`, kind: 'sgemm' as const, size: quick ? 512 : 8192, reps: quick ? 3 : 20, unit: 'TFLOP/s' as const, scale: 1 },
    { name: `map-${quick ? '1Mi' : '64Mi'}-per-gpu`, kind: 'map' as const, size: quick ? 1 << 20 : 1 << 26, reps: quick ? 5 : 50, unit: 'GB/s' as const, scale: 1000 },
  ];
  const rows: ScalingRow[] = [];
  for (const w of workloads) {
    let single = 0;
    for (const k of counts) {
      const r = await runScaled(w.kind, w.size, w.reps, devices.slice(0, k), quick ? 5000 : 20000);
      if (k === 1) single = r.aggregate;
      const aggregate = r.aggregate * w.scale;
      rows.push({ workload: w.name, gpus: k, unit: w.unit, aggregate, efficiency: single > 0 ? r.aggregate / (k * single) : 0, late: r.late, failures: r.failures });
      console.log(
        `${w.name.padEnd(22)} ${String(k).padStart(2)} GPU(s): ${aggregate.toPrecision(4)} ${w.unit}, efficiency ${(single > 0 ? r.aggregate / (k * single) : 0).toFixed(3)}${r.late ? `, ${r.late} late` : ''}${r.failures.length ? `, ${r.failures.length} failed: ${r.failures.join('; ')}` : ''}`,
      );
    }
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, devices: { type: 'string' }, json: { type: 'string' } } });
  const devices = values.devices?.split(',').map((d) => (/^\d+$/.test(d) ? Number(d) : d));
  const rows = await multiGpuBench({ quick: values.quick === true, ...(devices ? { devices } : {}) });
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ date: new Date().toISOString(), devices: await Manager.listDevices(), rows }, null, 2)}\n`);
  process.exitCode = rows.some((r) => r.failures.length > 0) ? 1 : 0;
}
