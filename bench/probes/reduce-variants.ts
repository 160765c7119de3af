/**
 * Whole-tensor sum of 256 MB of f32 on the H200: raw-WebGPU layouts of the reduction against the
 * bench's element-wise reference (`b = a * 2`), in one run. Each variant: 10 reductions in one
 * pass, submit + wait, 7 repetitions, median GB/s of the bytes read (n × 4). Every variant's sum is
 * checked against the CPU's.
 *
 * - `two-pass G`: OpReduce's shape: G workgroups sum grid-strided vec4s (four loads in flight per
 *   thread) into G partials, one workgroup sums those.
 * - `first pass only G`: the same without its second pass (what the second dispatch costs).
 * - `OpReduce`: the library's, in one dispatch (the last workgroup combines the totals) and in two.
 *
 * `node dist/bench/probes/reduce-variants.js [--mb 256] [--json FILE]`
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Manager, MemoryType, OpReduce, OpSyncLocal } from '../../src/index.js';
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
const partials = storageBuffer(device, 65536 * 4);
const total = storageBuffer(device, 16);
const readback = readbackBuffer(device, 16);
const RUNS = 10;
let expected = 0;
for (let i = 0; i < n; i++) expected += data[i]!;

const time = (steps: readonly RawStep[]) => timeSteps(device, steps, RUNS);
const results: Record<string, number> = {};
const report = gbPerSecond(results, 44);

async function checkSum(what: string): Promise<string> {
  const got = (await rawRead(device, total, readback, 4))[0]!;
  const ok = Math.abs(got - expected) <= 1e-3 * Math.abs(expected) + 1;
  if (!ok) throw new Error(`${what}: sum ${got}, expected ${expected}`);
  return `(sum ok: ${got.toFixed(0)})`;
}

/** G workgroups of 256 sum grid-strided vec4s with `acc` accumulators into partials[g]. */
const firstPass = (groups: number, acc: number) => {
  const stride = groups * 256;
  const decl = Array.from({ length: acc }, (_, k) => `  var a${k} = vec4f(0.0);`).join('\n');
  const body = Array.from({ length: acc }, (_, k) => `    a${k} += x[i + ${k}u * stride];`).join('\n');
  const sum = Array.from({ length: acc }, (_, k) => `a${k}`).join(' + ');
  return `@group(0) @binding(0) var<storage, read> x: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;
var<workgroup> scratch: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wg.x + wg.y * ${maxX}u;
  let stride = ${stride}u;
  var i = g * 256u + lid;
${decl}
  while (i + ${acc - 1}u * stride < ${n4}u) {
${body}
    i += ${acc}u * stride;
  }
  while (i < ${n4}u) { a0 += x[i]; i += stride; }
  let v = ${sum};
  scratch[lid] = v.x + v.y + v.z + v.w;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid < s) { scratch[lid] += scratch[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { partials[g] = scratch[0]; }
}`;
};
const secondPass = (groups: number) => `@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> total: array<f32>;
var<workgroup> scratch: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < ${groups}u; i += 256u) { acc += partials[i]; }
  scratch[lid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid < s) { scratch[lid] += scratch[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { total[0] = scratch[0]; }
}`;
const reference = { kernel: await rawKernel(device, SCALE_WGSL, [a, b], { 0: Math.min(Math.ceil(n4 / 4 / 256), maxX) * 256 }), groups: Math.min(Math.ceil(n4 / 4 / 256), maxX) };
report('reference b = a * 2 (bench)', await time([reference]), 2 * n * 4);
for (const groups of [1056, 2048, 4224, 8448]) {
  for (const acc of [4, 8]) {
    const first = { kernel: await rawKernel(device, firstPass(groups, acc), [a, partials]), groups };
    const second = { kernel: await rawKernel(device, secondPass(groups), [partials, total]), groups: 1 };
    const s = await time([first, second]);
    report(`two-pass ${groups} groups, ${acc} loads in flight`, s, n * 4, await checkSum(`two-pass ${groups}/${acc}`));
    if (acc === 4) report(`first pass only ${groups} groups`, await time([first]), n * 4);
  }
}
// The library's OpReduce on the same data, 10 in one evaluation as the bench records them.
const x = mgr.tensor(data, { type: MemoryType.Storage });
// Two rounds, the second in the reverse order, so that a drift over the run shows.
const library = [
  [true, true],
  [false, true],
  [true, false],
  [false, false],
] as const;
for (const [subgroups, onePass] of [...library, ...[...library].reverse()]) {
  const out = mgr.tensor(1, 'f32');
  const op = await new OpReduce(x, out, { subgroups, onePass }).compiled();
  const seq = mgr.sequence();
  for (let i = 0; i < RUNS; i++) seq.record(op);
  const seconds = await timeSequence(seq, RUNS);
  await mgr.sequence().eval(new OpSyncLocal([out]));
  report(`OpReduce (subgroups: ${subgroups}, onePass: ${onePass})`, seconds, n * 4, `(sum ${out.data()[0]!.toFixed(0)})`);
  seq.destroy();
  op.destroyResources();
  out.destroy();
}
x.destroy();
report('reference again', await time([reference]), 2 * n * 4);
if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 1));
for (const buffer of [a, b, partials, total, readback]) buffer.destroy();
mgr.destroy();
