/**
 * A corpus of compute shaders written (for this repo) in the styles of public projects: WebGPU
 * samples, wgpu's examples, gpu.cpp, WebGPU Fundamentals, burn's WGSL kernels, TensorFlow.js's
 * WebGPU kernels and Kompute's own shaders. Each runs unmodified through kompute-ts and through
 * raw WebGPU (`layout: 'auto'`) on the same device with the same inputs; every buffer is
 * compared bit for bit. The harness binds buffers by `'@group(g) @binding(b)'` keys (or by
 * name, or as Kompute's array) and checks the default dispatch where a case states it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AlgorithmOptions, type Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, type Tensor } from '../src/index.js';
import { createManager } from './helpers.js';
import { bytes, type RawBindings, runRaw } from './raw-webgpu.js';

let mgr: Manager;

type Data = Float32Array | Uint32Array | Int32Array | Uint16Array;

interface Buffer {
  /** `'g:b'`. */
  readonly at: string;
  readonly data: Data;
  readonly uniform?: boolean;
  /** Bind by this variable name instead of the group/binding key. */
  readonly name?: string;
}

interface Case {
  readonly wgsl: string;
  readonly buffers: readonly Buffer[];
  /** Workgroups raw WebGPU dispatches; kompute-ts must reach the same by default unless `options` says otherwise. */
  readonly workgroups: readonly [number, number, number];
  readonly options?: AlgorithmOptions;
  /** Kompute's form: buffers in binding order at group 0. */
  readonly asArray?: boolean;
}

/** Runs `c` both ways; returns kompute-ts's tensors (already compared with raw WebGPU). */
async function agree(c: Case): Promise<Tensor[]> {
  const tensors = c.buffers.map((b) => mgr.tensor(b.data.slice()));
  const resources = c.asArray ? tensors : Object.fromEntries(c.buffers.map((b, i) => [b.name ?? `@group(${b.at.split(':')[0]}) @binding(${b.at.split(':')[1]})`, tensors[i]!]));
  const algorithm = mgr.algorithm(resources, c.wgsl, c.options);
  assert.deepEqual(algorithm.getWorkgroup(), [...c.workgroups], 'workgroups');
  assert.deepEqual(algorithm.getWarnings(), [], 'no skipped checks');
  await mgr.sequence().eval(new OpSyncDevice(tensors), new OpAlgoDispatch(algorithm), new OpSyncLocal(tensors));
  const raw: Record<string, RawBindings[string]> = {};
  for (const b of c.buffers) raw[b.at] = { kind: 'buffer', data: b.data, ...(b.uniform ? { uniform: true } : {}) };
  const stage: { entryPoint?: string; constants?: Record<string, number> } = {};
  if (c.options?.entryPoint) stage.entryPoint = c.options.entryPoint;
  if (c.options?.constants && !Array.isArray(c.options.constants)) stage.constants = c.options.constants as Record<string, number>;
  const out = await runRaw(mgr.device, c.wgsl, raw, c.workgroups, stage);
  c.buffers.forEach((b, i) => {
    if (!b.uniform) assert.deepEqual(bytes(tensors[i]!.data()), Array.from(out.get(b.at)!), `buffer ${b.at}`);
  });
  algorithm.destroy();
  return tensors;
}

const ramp = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
const u32s = (n: number, f: (i: number) => number) => Uint32Array.from({ length: n }, (_, i) => f(i));

describe('a corpus of public-style compute shaders: kompute-ts and raw WebGPU agree bit for bit', () => {
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test('histogram over array<atomic<u32>> (WebGPU samples style), 256 bins, workgroup-local bins first', async () => {
    const wgsl = /* wgsl */ `
const BINS = 16u;
@group(0) @binding(0) var<storage, read> pixels: array<u32>;
@group(0) @binding(1) var<storage, read_write> bins: array<atomic<u32>>;
var<workgroup> local_bins: array<atomic<u32>, BINS>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_index) lid: u32) {
  if (lid < BINS) { atomicStore(&local_bins[lid], 0u); }
  workgroupBarrier();
  if (gid.x < arrayLength(&pixels)) { atomicAdd(&local_bins[pixels[gid.x] % BINS], 1u); }
  workgroupBarrier();
  if (lid < BINS) { atomicAdd(&bins[lid], atomicLoad(&local_bins[lid])); }
}`;
    const [, bins] = await agree({
      wgsl,
      buffers: [
        { at: '0:0', data: u32s(1000, (i) => (i * 2654435761) >>> 7) },
        { at: '0:1', data: new Uint32Array(16) },
      ],
      workgroups: [16, 1, 1],
    });
    assert.equal(
      (bins!.data() as Uint32Array).reduce((a, b) => a + b, 0),
      1000,
    );
  });

  test('a struct of atomic<u32> and atomic<i32> counters bound from a u32 tensor (a counter and a signed sum)', async () => {
    const wgsl = /* wgsl */ `
struct Counters { hits: atomic<u32>, total: atomic<i32>, maxValue: atomic<i32>, pad: u32 }
@group(0) @binding(0) var<storage, read> values: array<i32>;
@group(0) @binding(1) var<storage, read_write> counters: Counters;
@compute @workgroup_size(32)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= arrayLength(&values)) { return; }
  let v = values[gid.x];
  if (v > 0) { atomicAdd(&counters.hits, 1u); }
  atomicAdd(&counters.total, v);
  atomicMax(&counters.maxValue, v);
}`;
    await agree({
      wgsl,
      buffers: [
        { at: '0:0', data: Int32Array.from({ length: 200 }, (_, i) => ((i * 37) % 41) - 20) },
        { at: '0:1', data: new Int32Array(4) },
      ],
      workgroups: [7, 1, 1],
    });
  });

  test('workgroup reduction: var<workgroup> array sized by an override, workgroupBarrier, @workgroup_size(WG), WG set by name', async () => {
    const wgsl = /* wgsl */ `
override WG: u32 = 64;
@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read_write> partial: array<f32>;
var<workgroup> scratch: array<f32, WG>;
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  scratch[lid.x] = select(0.0, input[gid.x], gid.x < arrayLength(&input));
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) { scratch[lid.x] += scratch[lid.x + stride]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { partial[wid.x] = scratch[0]; }
}`;
    await agree({
      wgsl,
      buffers: [
        { at: '0:0', data: ramp(1024, (i) => (i % 13) * 0.5) },
        { at: '0:1', data: new Float32Array(32) },
      ],
      workgroups: [32, 1, 1],
      options: { constants: { WG: 32 } },
    });
    // The default (64) from the override's default.
    await agree({
      wgsl,
      buffers: [
        { at: '0:0', data: ramp(1024, (i) => (i % 13) * 0.5) },
        { at: '0:1', data: new Float32Array(16) },
      ],
      workgroups: [16, 1, 1],
    });
  });

  test('directives and declarations the parser may not know: diagnostic(off, ...), requires, alias, const_assert', async () => {
    const wgsl = /* wgsl */ `
diagnostic(off, derivative_uniformity);
alias Values = array<f32>;
alias Index = u32;
const TILE: Index = 8u;
const_assert TILE * TILE == 64u;
@group(0) @binding(0) var<storage, read> src: Values;
@group(0) @binding(1) var<storage, read_write> dst: Values;
@compute @workgroup_size(TILE * TILE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i: Index = gid.x;
  if (i < arrayLength(&dst)) { dst[i] = src[i] * 0.5 + 1.0; }
}`;
    await agree({
      wgsl,
      buffers: [
        { at: '0:0', data: ramp(300, (i) => i - 150) },
        { at: '0:1', data: new Float32Array(300) },
      ],
      workgroups: [5, 1, 1],
    });
  });

  test('a module wgsl_reflect stumbles on (a const_assert in a function, `if (i + 1u) % 4u == 0u {`, @workgroup_size(T, T / 2u)) binds with checks', async () => {
    const wgsl = /* wgsl */ `
const T = 8u;
@group(0) @binding(0) var<storage, read> grid: array<f32>;
@group(0) @binding(1) var<storage, read_write> marks: array<f32>;
@compute @workgroup_size(T, T / 2u)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  const_assert T % 2u == 0u;
  let i = gid.y * 16u + gid.x;
  if (i + 1u) % 4u == 0u {
    marks[i] = grid[i] * 2.0;
  } else if (i < 8u) { marks[i] = -1.0; }
  while (i > 1000u) { break; }
}`;
    await agree({
      wgsl,
      buffers: [
        { at: '0:0', data: ramp(256, (i) => i / 3) },
        { at: '0:1', data: new Float32Array(256) },
      ],
      workgroups: [2, 4, 1],
      options: { invocations: [16, 16] },
    });
  });

  test('enable f16 with a module-scope f16 const and f16 storage arrays (burn / gpu.cpp half precision)', async (t) => {
    if (!mgr.deviceInfo().features.includes('shader-f16')) {
      t.diagnostic('shader-f16 is not offered here');
      assert.ok(true);
      return;
    }
    const wgsl = /* wgsl */ `
enable f16;
const HALF_SCALE: f16 = 0.797h;
@group(0) @binding(0) var<storage, read> x: array<f16>;
@group(0) @binding(1) var<storage, read_write> y: array<f16>;
@compute @workgroup_size(32)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < arrayLength(&x)) { y[gid.x] = x[gid.x] * HALF_SCALE + 1.0h; }
}`;
    await agree({
      wgsl,
      buffers: [
        { at: '0:0', data: Uint16Array.from({ length: 100 }, (_, i) => 0x3c00 + i * 7) },
        { at: '0:1', data: new Uint16Array(100) },
      ],
      workgroups: [4, 1, 1],
    });
  });

  test('several entry points in one module: each picked by entryPoint, bindings only the other uses need no resource', async () => {
    const wgsl = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> data: array<f32>;
@group(0) @binding(1) var<uniform> scale: vec4f;
@group(0) @binding(2) var<storage, read> offsets: array<f32>;
@compute @workgroup_size(16)
fn scale_all(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < arrayLength(&data)) { data[gid.x] *= scale.x; }
}
@compute @workgroup_size(8)
fn shift_all(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < arrayLength(&data)) { data[gid.x] += offsets[gid.x]; }
}`;
    await agree({
      wgsl,
      buffers: [
        { at: '0:0', data: ramp(64, (i) => i) },
        { at: '0:1', data: new Float32Array([2.5, 0, 0, 0]), uniform: true },
      ],
      workgroups: [4, 1, 1],
      options: { entryPoint: 'scale_all' },
    });
    await agree({
      wgsl,
      buffers: [
        { at: '0:0', data: ramp(64, (i) => i) },
        { at: '0:2', data: ramp(64, (i) => -i / 4) },
      ],
      workgroups: [8, 1, 1],
      options: { entryPoint: 'shift_all' },
    });
  });

  test('TensorFlow.js style: output first, inputs after, a uniform struct of i32 sizes last, flat index from a 3-D dispatch', async () => {
    const wgsl = /* wgsl */ `
struct Uniforms { size: i32, cols: i32, alpha: f32, pad: f32 }
@group(0) @binding(0) var<storage, read_write> result: array<f32>;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<uniform> uniforms: Uniforms;
fn getIndex(gid: vec3<u32>, nwg: vec3<u32>) -> i32 {
  return i32(gid.x + gid.y * nwg.x * 64u);
}
@compute @workgroup_size(64, 1, 1)
fn _start(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let index = getIndex(gid, nwg);
  if (index < uniforms.size) {
    let r = index / uniforms.cols;
    result[index] = A[index] * uniforms.alpha + B[r];
  }
}`;
    const u = new ArrayBuffer(16);
    new Int32Array(u, 0, 2).set([500, 25]);
    new Float32Array(u, 8, 1).set([0.75]);
    await agree({
      wgsl,
      buffers: [
        { at: '0:0', data: new Float32Array(500) },
        { at: '0:1', data: ramp(500, (i) => Math.cos(i)) },
        { at: '0:2', data: ramp(20, (i) => i * 10) },
        { at: '0:3', data: new Uint32Array(u), uniform: true },
      ],
      workgroups: [8, 1, 1],
      asArray: true,
    });
  });

  test('burn style: module-scope consts in @workgroup_size(X, Y, 1), a u32 info array with shapes and strides, 2-D dispatch', async () => {
    const wgsl = /* wgsl */ `
const WORKGROUP_SIZE_X = 4u;
const WORKGROUP_SIZE_Y = 4u;
@group(0) @binding(0) var<storage, read> lhs: array<f32>;
@group(0) @binding(1) var<storage, read> rhs: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<storage, read> info: array<u32>;
@compute @workgroup_size(WORKGROUP_SIZE_X, WORKGROUP_SIZE_Y, 1)
fn main(@builtin(global_invocation_id) global_id: vec3<u32>, @builtin(num_workgroups) num_workgroups: vec3<u32>) {
  let row = global_id.x;
  let col = global_id.y;
  let m = info[0];
  let k = info[1];
  let n = info[2];
  if (row >= m || col >= n) { return; }
  var sum = 0.0;
  for (var i = 0u; i < k; i++) { sum += lhs[row * info[3] + i] * rhs[i * info[4] + col]; }
  output[row * n + col] = sum;
}`;
    const m = 9;
    const k = 5;
    const n = 7;
    await agree({
      wgsl,
      buffers: [
        { at: '0:0', data: ramp(m * k, (i) => (i % 7) - 3) },
        { at: '0:1', data: ramp(k * n, (i) => (i % 5) * 0.25) },
        { at: '0:2', data: new Float32Array(m * n) },
        { at: '0:3', data: new Uint32Array([m, k, n, k, n]) },
      ],
      workgroups: [3, 2, 1],
      options: { invocations: [m, n] },
      asArray: true,
    });
  });

  test('gpu.cpp style: a module-scope f32 const, vec3<u32> builtin named GlobalInvocationID, @workgroup_size(256), tanh GELU', async () => {
    const wgsl = /* wgsl */ `
const SQRT_2_OVER_PI: f32 = 0.7978845608028654;
@group(0) @binding(0) var<storage, read_write> inp: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) GlobalInvocationID: vec3<u32>) {
  let i: u32 = GlobalInvocationID.x;
  if (i < arrayLength(&inp)) {
    let x: f32 = inp[i];
    out[i] = select(0.5 * x * (1.0 + tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))), x, x > 10.0);
  }
}`;
    await agree({
      wgsl,
      buffers: [
        { at: '0:0', data: ramp(3000, (i) => (i - 1500) / 300) },
        { at: '0:1', data: new Float32Array(3000) },
      ],
      workgroups: [12, 1, 1],
      asArray: true,
    });
  });

  test("Kompute's array multiplication and its push-constant shader, written in WGSL as a Kompute user would", async () => {
    const wgsl = /* wgsl */ `
@group(0) @binding(0) var<storage, read> in_a: array<f32>;
@group(0) @binding(1) var<storage, read> in_b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out_c: array<f32>;
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let index = gid.x;
  out_c[index] = in_a[index] * in_b[index];
}`;
    await agree({
      wgsl,
      buffers: [
        { at: '0:0', data: new Float32Array([2, 4, 6]) },
        { at: '0:1', data: new Float32Array([0, 1, 2]) },
        { at: '0:2', data: new Float32Array(3) },
      ],
      workgroups: [3, 1, 1],
      asArray: true,
    });
  });

  test('WebGPU Fundamentals style: a storage struct array (not a tensor of scalars), struct with vec3f padding', async () => {
    const wgsl = /* wgsl */ `
struct Item { position: vec3f, mass: f32, velocity: vec2f, id: u32, flags: u32 }
@group(0) @binding(0) var<storage, read_write> items: array<Item>;
@group(0) @binding(1) var<uniform> dt: f32;
@compute @workgroup_size(4)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= arrayLength(&items)) { return; }
  items[i].position += vec3f(items[i].velocity * dt, f32(items[i].id) * items[i].mass);
  items[i].flags = items[i].flags | 1u;
}`;
    const count = 10;
    const f = new Float32Array(count * 8);
    const u = new Uint32Array(f.buffer);
    for (let i = 0; i < count; i++) {
      f.set([i, i * 2, -i, 0.5 + i / 10, 1, -1], i * 8);
      u[i * 8 + 6] = i;
      u[i * 8 + 7] = i * 2;
    }
    await agree({
      wgsl,
      buffers: [
        { at: '0:0', data: new Uint32Array(f.buffer) },
        { at: '0:1', data: new Float32Array([0.125, 0, 0, 0]), uniform: true },
      ],
      workgroups: [3, 1, 1],
      options: { invocations: [count] },
      asArray: true,
    });
  });
});
