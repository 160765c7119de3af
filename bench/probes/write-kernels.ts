/**
 * Write-only kernels (fill, iota) and the softmax row shapes on the H200: raw-WebGPU variants
 * against the bench's element-wise reference (`b = a * 2`, vec4, grid-stride) over 256 MB, in one
 * run. Each variant: 10 dispatches in one pass, submit + wait, 7 repetitions, median GB/s of its
 * own traffic (fill / iota write n; the reference and softmax move 2n).
 *
 * `node dist/bench/probes/write-kernels.js [--mb 256] [--json FILE]`
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Manager } from '../../src/index.js';
import { SCALE_WGSL } from '../kernels.js';
import { rawKernel, storageBuffer } from '../raw.js';
import { randomFloats } from '../workload.js';
import { gbPerSecond, timeSteps } from './pass-timing.js';

const { values } = parseArgs({ options: { mb: { type: 'string' }, json: { type: 'string' } } });
const n = (Number(values.mb ?? 256) << 20) / 4;
const n4 = n / 4;
const mgr = await Manager.create();
const device = mgr.device;
const maxX = device.limits.maxComputeWorkgroupsPerDimension;
const a = storageBuffer(device, n * 4, randomFloats(n, 3));
const b = storageBuffer(device, n * 4);
const RUNS = 10;

async function time(wgsl: string, buffers: GPUBuffer[], groups: number, constants: Record<string, number> = {}): Promise<number> {
  return timeSteps(device, [{ kernel: await rawKernel(device, wgsl, buffers, constants), groups }], RUNS);
}

const results: Record<string, number> = {};
const report = gbPerSecond(results, 52);

const refGroups = Math.min(Math.ceil(n4 / 4 / 256), maxX);
const refTime = async () => time(SCALE_WGSL, [a, b], refGroups, { 0: refGroups * 256 });
report('reference b = a * 2 (bench)', await refTime(), 2 * n * 4);

// Fill: V vec4 per thread, WORKGROUP apart inside the workgroup's chunk (the library's layout).
const chunked = (v: number, value: string) => `@group(0) @binding(0) var<storage, read_write> out: array<vec4f>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let first = (wg.x + wg.y * ${maxX}u) * ${256 * v}u + lid;
  for (var k = 0u; k < ${v}u; k++) {
    let q = first + k * 256u;
    if (q >= ${n4}u) { return; }
    let i = 4u * q;
    out[q] = ${value};
  }
}`;
// Grid-stride: G workgroups loop over everything.
const strided = (groups: number, value: string) => `@group(0) @binding(0) var<storage, read_write> out: array<vec4f>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3u) {
  for (var q = id.x; q < ${n4}u; q += ${groups * 256}u) {
    let i = 4u * q;
    out[q] = ${value};
  }
}`;
const FILL = 'vec4f(1.5)';
const IOTA = 'vec4f(f32(i), f32(i + 1u), f32(i + 2u), f32(i + 3u))';
for (const v of [1, 4, 8, 16]) report(`fill, ${v} vec4/thread (chunked)`, await time(chunked(v, FILL), [b], Math.ceil(n4 / (256 * v))), n * 4);
for (const g of [528, 1056, 2112, 8448]) report(`fill, grid-stride ${g} workgroups`, await time(strided(g, FILL), [b], g), n * 4);
for (const v of [4, 8]) report(`iota, ${v} vec4/thread (chunked)`, await time(chunked(v, IOTA), [b], Math.ceil(n4 / (256 * v))), n * 4);
report('iota, grid-stride 2112 workgroups', await time(strided(2112, IOTA), [b], 2112), n * 4);
// Copy-shaped writes, for the write-only ceiling: b = a (read + write) vs fill at the same grid.
report('reference again', await refTime(), 2 * n * 4);
if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 1));
a.destroy();
b.destroy();
mgr.destroy();
