/**
 * Inclusive prefix sum of 256 MB of f32 (issue #17: OpScan at ≥ 0.7 of the element-wise kernel):
 * single-pass decoupled look-back dispatched in raw WebGPU, the library's OpScan both ways (look-
 * back, three passes) and the bench's element-wise reference, in one run. Each variant: 10 scans
 * in one pass, submit + wait, 7 repetitions, median GB/s of the bytes moved (2 × n × 4). Every
 * variant's output is checked against a CPU prefix sum.
 *
 * The look-back variants are OpScan's shader (src/kernels/scan-look-back.ts) at other tile sizes,
 * with and without subgroup scans inside the tile, each invocation's elements striped or blocked.
 *
 * `node dist/bench/probes/scan-variants.js [--mb 256] [--json FILE]`
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Manager, MemoryType, OpScan, OpSyncLocal } from '../../src/index.js';
import { lookBackScanShader, lookBackTiles } from '../../src/kernels/scan-look-back.js';
import { SCALE_WGSL } from '../kernels.js';
import { rawKernel, rawRead, readbackBuffer, storageBuffer } from '../raw.js';
import { randomFloats } from '../workload.js';
import { gbPerSecond, type RawStep, timeSequence, timeSteps } from './pass-timing.js';

const { values } = parseArgs({ options: { mb: { type: 'string' }, json: { type: 'string' } } });
const n = (Number(values.mb ?? 256) << 20) / 4;
const n4 = n / 4;
const mgr = await Manager.create();
const device = mgr.device;
const maxX = device.limits.maxComputeWorkgroupsPerDimension;
const data = randomFloats(n, 3);
const a = storageBuffer(device, n * 4, data);
const b = storageBuffer(device, n * 4);
const RUNS = 10;
const expected = new Float64Array(n);
for (let i = 0, s = 0; i < n; i++) expected[i] = s += data[i]!;

const time = (steps: readonly RawStep[]) => timeSteps(device, steps, RUNS);
const results: Record<string, number> = {};
const report = gbPerSecond(results, 50);

/**
 * Compares every 997th element and the last with the CPU's prefix sum (f64). The data are in
 * [-0.5, 0.5), so f32 rounding stays well under 1 while a tile counted wrongly is off by tens.
 */
function check(got: Float32Array, what: string): string {
  let worst = 0;
  for (const i of [...Array.from({ length: Math.ceil(n / 997) }, (_, k) => k * 997), n - 1]) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!));
  if (!(worst < 1)) throw new Error(`${what}: the prefix sums differ from the CPU's (worst error ${worst})`);
  return `(checked: worst error ${worst.toExponential(1)})`;
}

const refGroups = Math.min(Math.ceil(n4 / 4 / 256), maxX);
const reference = { kernel: await rawKernel(device, SCALE_WGSL, [a, b], { 0: refGroups * 256 }), groups: refGroups };
report('reference b = a * 2 (bench)', await time([reference]), 2 * n * 4);
const readback = readbackBuffer(device, n * 4);
const subgroups = device.features.has('subgroups');
// The library's OpScan on the same data, both ways, 10 in one evaluation as the bench records them.
const x = mgr.tensor(data, { type: MemoryType.Storage });
const out = mgr.tensor(n, 'f32');
for (const [lookBack, sg] of [
  [true, true],
  [true, false],
  [false, true],
] as const) {
  const op = await new OpScan(x, out, { lookBack, subgroups: sg && subgroups }).compiled();
  const seq = mgr.sequence();
  for (let i = 0; i < RUNS; i++) seq.record(op);
  const seconds = await timeSequence(seq, RUNS);
  await mgr.sequence().eval(new OpSyncLocal([out]));
  report(`OpScan (${lookBack ? 'look-back' : 'three passes'}, subgroups ${sg && subgroups})`, seconds, 2 * n * 4, check(out.data() as Float32Array, 'OpScan'));
  seq.destroy();
  op.destroyResources();
}
x.destroy();
out.destroy();
for (const striped of [true, false]) {
  for (const items of striped ? [16, 32, 48] : [16]) {
    for (const sg of subgroups ? [true, false] : [false]) {
      const { groups, stateWords } = lookBackTiles(n, items);
      const state = storageBuffer(device, stateWords * 4);
      const shader = lookBackScanShader({ type: 'f32', n, op: 'sum', exclusive: false, source: 'x', vec4: true, subgroups: sg, items, striped });
      const scan = { kernel: await rawKernel(device, shader, [b, state, a]), groups };
      const s = await time([scan]);
      const what = `look-back, ${striped ? 'striped' : 'blocked'}, ${items} per thread, subgroups ${sg}`;
      report(what, s, 2 * n * 4, check(await rawRead(device, b, readback, n * 4), what));
      state.destroy();
    }
  }
}
report('reference again', await time([reference]), 2 * n * 4);
if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 1));
for (const buffer of [a, b, readback]) buffer.destroy();
mgr.destroy();
