/**
 * One workload on every GPU of the machine: a batch of rows is split into one share per GPU, each
 * share runs in a process of its own with its own manager (runOnDevices), and the results are
 * gathered in order. A worker that fails is reported and the others' results are kept.
 * Run: `node dist/examples/multi-gpu.js` (every selectable GPU), or
 *      `node dist/examples/multi-gpu.js 0 0` (two workers on device 0, as the tests do on lavapipe).
 */
import { Manager, runOnDevices } from '../src/index.js';
import { isMain } from './is-main.js';
import type { Share } from './multi-gpu-worker.js';

/** What {@link multiGpu} returns. */
export interface MultiGpuReport {
  /** `3·x + 1` for every row of the batch, in the batch's order (NaN where a share failed). */
  readonly y: Float32Array;
  /** Where each share ran. */
  readonly ranOn: readonly string[];
  /** The messages of the shares that failed (empty when all succeeded). */
  readonly failures: readonly string[];
}

/** Splits `rows × width` values into one share per entry of `devices` and runs each on its GPU. */
export async function multiGpu(devices?: readonly (number | string)[], rows = 1000, width = 64): Promise<MultiGpuReport> {
  const chosen = devices ?? (await Manager.listDevices()).filter((d) => d.selectable).map((d) => d.index);
  const x = Float32Array.from({ length: rows * width }, (_, i) => Math.sin(i));
  // Contiguous shares of whole rows, as even as the batch allows.
  const bounds = chosen.map((_, r) => Math.round((r * rows) / chosen.length) * width);
  bounds.push(rows * width);
  const inputs: Share[] = chosen.map((_, r) => ({ rows: x.subarray(bounds[r], bounds[r + 1]), width }));
  const outcomes = await runOnDevices<Share, { y: Float32Array; device: string }>({ worker: new URL('./multi-gpu-worker.js', import.meta.url), devices: chosen, inputs });
  const y = new Float32Array(rows * width).fill(Number.NaN);
  const ranOn: string[] = [];
  const failures: string[] = [];
  for (const o of outcomes) {
    if (o.ok) {
      y.set(o.value.y, bounds[o.rank]);
      ranOn.push(o.value.device);
    } else failures.push(o.error.message);
  }
  return { y, ranOn, failures };
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2).map((a) => (/^\d+$/.test(a) ? Number(a) : a));
  const report = await multiGpu(args.length > 0 ? args : undefined);
  let worst = 0;
  for (let i = 0; i < report.y.length; i++) worst = Math.max(worst, Math.abs(report.y[i]! - (3 * Math.fround(Math.sin(i)) + 1)));
  console.log(`${report.ranOn.length} share(s) on ${report.ranOn.join(', ')}; largest difference from the CPU ${worst}`);
  for (const f of report.failures) console.error(f);
  process.exitCode = report.failures.length > 0 ? 1 : 0;
}
