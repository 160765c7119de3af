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
import { createManager, describeChild, INDEX_URL, runChild } from './helpers.js';
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

describe('textures beyond 2-D storage: kompute-ts and raw WebGPU agree bit for bit', () => {
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  /** Runs `wgsl` with `resources` and the raw equivalents; compares the buffers and images named in `compare`. */
  async function agreeTextures(
    wgsl: string,
    resources: Record<string, Parameters<Manager['algorithm']>[0] extends infer R ? (R extends Record<string, infer V> ? V : never) : never>,
    raw: RawBindings,
    workgroups: [number, number, number],
    compare: Record<string, string>,
  ): Promise<void> {
    const algorithm = mgr.algorithm(resources, wgsl, { workgroup: workgroups });
    const memories = algorithm.getTensors();
    await mgr.sequence().eval(new OpSyncDevice([...memories]), new OpAlgoDispatch(algorithm), new OpSyncLocal([...memories]));
    const out = await runRaw(mgr.device, wgsl, raw, workgroups);
    for (const [name, at] of Object.entries(compare)) {
      const memory = resources[name] as unknown as { data(): ArrayBufferView };
      assert.deepEqual(bytes(memory.data()), Array.from(out.get(at)!), name);
    }
    algorithm.destroy();
  }

  test('textureLoad and textureDimensions on texture_2d<f32> of an r32float image, into a buffer', async () => {
    const wgsl = /* wgsl */ `
@group(0) @binding(0) var heights: texture_2d<f32>;
@group(0) @binding(1) var<storage, read_write> slopes: array<f32>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let size = textureDimensions(heights);
  if (gid.x >= size.x || gid.y >= size.y) { return; }
  let right = min(gid.x + 1u, size.x - 1u);
  let h = textureLoad(heights, gid.xy, 0).r;
  let hr = textureLoad(heights, vec2u(right, gid.y), 0).r;
  slopes[gid.y * size.x + gid.x] = hr - h + f32(size.x) * 0.001;
}`;
    const w = 10;
    const h = 6;
    const data = ramp(w * h, (i) => Math.sin(i * 0.3));
    const heights = mgr.image(data, w, h, 1);
    const slopes = mgr.tensor(w * h, 'f32');
    await agreeTextures(
      wgsl,
      { heights, slopes },
      { '0:0': { kind: 'texture', format: 'r32float', width: w, height: h, bytesPerTexel: 4, data }, '0:1': { kind: 'buffer', data: new Float32Array(w * h) } },
      [2, 1, 1],
      { slopes: '0:1' },
    );
  });

  test('texture_2d_array<f32> (an image with layers) read by layer, texture_storage_2d_array written per layer', async () => {
    const wgsl = /* wgsl */ `
@group(0) @binding(0) var frames: texture_2d_array<f32>;
@group(0) @binding(1) var outFrames: texture_storage_2d_array<rgba32float, write>;
@compute @workgroup_size(4, 4, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let size = textureDimensions(frames);
  let layers = textureNumLayers(frames);
  if (gid.x >= size.x || gid.y >= size.y || gid.z >= layers) { return; }
  let a = textureLoad(frames, gid.xy, gid.z, 0);
  let b = textureLoad(frames, gid.xy, (gid.z + 1u) % layers, 0);
  textureStore(outFrames, gid.xy, gid.z, a * 0.5 + b.wzyx);
}`;
    const w = 5;
    const h = 4;
    const layers = 3;
    const data = ramp(w * h * layers * 4, (i) => (i % 17) / 4);
    const frames = mgr.image(data, w, h, 4, { layers });
    const outFrames = mgr.image(null, w, h, 4, { layers });
    assert.equal(frames.size, w * h * layers * 4);
    await agreeTextures(
      wgsl,
      { frames, outFrames },
      {
        '0:0': { kind: 'texture', format: 'rgba32float', width: w, height: h, bytesPerTexel: 16, data, layers, view: '2d-array' },
        '0:1': { kind: 'texture', format: 'rgba32float', width: w, height: h, bytesPerTexel: 16, layers, view: '2d-array' },
      },
      [2, 1, 3],
      { outFrames: '0:1' },
    );
    assert.ok(outFrames.data().some((v) => v !== 0));
  });

  test('texture_3d<f32> read, texture_storage_3d<r32float, write> written (a 3-D image with depth)', async () => {
    const wgsl = /* wgsl */ `
@group(0) @binding(0) var volume: texture_3d<f32>;
@group(0) @binding(1) var laplace: texture_storage_3d<r32float, write>;
@compute @workgroup_size(4, 4, 2)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let size = textureDimensions(volume);
  if (any(gid >= size)) { return; }
  let c = textureLoad(volume, gid, 0).r;
  let x = textureLoad(volume, min(gid + vec3u(1u, 0u, 0u), size - 1u), 0).r;
  let z = textureLoad(volume, min(gid + vec3u(0u, 0u, 1u), size - 1u), 0).r;
  textureStore(laplace, gid, vec4f(x + z - 2.0 * c, 0.0, 0.0, 1.0));
}`;
    const n = 4;
    const data = ramp(n * n * n, (i) => (i * 7) % 11);
    const volume = mgr.image(data, n, n, 1, { depth: n });
    const laplace = mgr.image(null, n, n, 1, { depth: n });
    assert.equal(volume.dimension, '3d');
    await agreeTextures(
      wgsl,
      { volume, laplace },
      {
        '0:0': { kind: 'texture', format: 'r32float', width: n, height: n, bytesPerTexel: 4, data, layers: n, dimension: '3d' },
        '0:1': { kind: 'texture', format: 'r32float', width: n, height: n, bytesPerTexel: 4, layers: n, dimension: '3d' },
      },
      [1, 1, 2],
      { laplace: '0:1' },
    );
  });

  test('a filtering sampler on an rgba32float image (float32-filterable), bgra8unorm storage output (bgra8unorm-storage)', async (t) => {
    const features = mgr.deviceInfo().features;
    if (!features.includes('float32-filterable') || !features.includes('bgra8unorm-storage')) {
      t.diagnostic('float32-filterable or bgra8unorm-storage is not offered here');
      assert.throws(() => mgr.image(null, 2, 2, 4, { dtype: 'unorm8', bgra: true }), /bgra8unorm-storage/);
      return;
    }
    const wgsl = /* wgsl */ `
@group(0) @binding(0) var src: texture_2d<f32>;
@group(0) @binding(1) var linearSamp: sampler;
@group(0) @binding(2) var dst: texture_storage_2d<bgra8unorm, write>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let size = textureDimensions(dst);
  if (gid.x >= size.x || gid.y >= size.y) { return; }
  let uv = (vec2f(gid.xy) + vec2f(0.25, 0.75)) / vec2f(size);
  textureStore(dst, gid.xy, clamp(textureSampleLevel(src, linearSamp, uv, 0.0), vec4f(0.0), vec4f(1.0)));
}`;
    const w = 8;
    const h = 8;
    const data = ramp(4 * 4 * 4, (i) => ((i * 13) % 16) / 15);
    const src = mgr.image(data, 4, 4, 4);
    const linearSamp = mgr.sampler({ magFilter: 'linear', minFilter: 'linear' });
    const dst = mgr.image(null, w, h, 4, { dtype: 'unorm8', bgra: true });
    assert.equal(dst.format, 'bgra8unorm');
    await agreeTextures(
      wgsl,
      { src, linearSamp, dst },
      {
        '0:0': { kind: 'texture', format: 'rgba32float', width: 4, height: 4, bytesPerTexel: 16, data },
        '0:1': { kind: 'sampler', descriptor: { magFilter: 'linear', minFilter: 'linear' } },
        '0:2': { kind: 'texture', format: 'bgra8unorm', width: w, height: h, bytesPerTexel: 4 },
      },
      [1, 1, 1],
      { dst: '0:2' },
    );
    linearSamp.destroy();
  });

  test('texture_depth_2d, texture_multisampled_2d and texture_external are UnsupportedError naming what works; a layered image on texture_2d is an AlgorithmBindingError', async () => {
    const body = '@group(0) @binding(1) var<storage, read_write> o: array<f32>;\n@compute @workgroup_size(1) fn main() { o[0] = f32(textureDimensions(t).x); }';
    const img = mgr.image(null, 2, 2, 1);
    const o = mgr.tensor(1, 'f32');
    for (const [decl, hint] of [
      ['texture_depth_2d', /texture_2d<f32>/],
      ['texture_multisampled_2d<f32>', /resolve/],
      ['texture_external', /copy the frame/],
    ] as const) {
      const error = assert.throws(
        () => mgr.algorithm({ t: img, o }, `@group(0) @binding(0) var t: ${decl};\n${body}`),
        (e: Error & { code?: string; hint?: string }) => {
          assert.equal(e.code, 'KP_UNSUPPORTED', decl);
          assert.match(e.hint ?? '', hint);
          return true;
        },
      );
      assert.equal(error, undefined);
    }
    const layered = mgr.image(null, 2, 2, 1, { layers: 2 });
    assert.throws(() => mgr.algorithm({ t: layered, o }, `@group(0) @binding(0) var t: texture_2d<f32>;\n${body}`), /2-D image of 2 layers[\s\S]*|texture_2d_array/);
  });
});

describe('lazy reflection: a manager from fromDevice used at once, before wgsl_reflect has loaded', () => {
  test('an algorithm made at once runs correctly, and a binding mistake made at once is reported by compiled()', () => {
    const result = runChild(`
import { Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from ${JSON.stringify(INDEX_URL)};
const { create } = await import('webgpu');
const gpu = create([]);
const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice();
const mgr = Manager.fromDevice(device);
const p = mgr.params({ k: 3 });
const x = mgr.tensor([1, 2, 3]);
const wgsl = 'struct P { k: f32 }\\n@group(0) @binding(0) var<uniform> p: P;\\n@group(0) @binding(1) var<storage, read_write> x: array<f32>;\\n@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { if (g.x < 3u) { x[g.x] *= p.k; } }';
const a = mgr.algorithm({ p, x }, wgsl);
const bad = mgr.algorithm([mgr.tensor(new Int32Array(3))], '@group(0) @binding(0) var<storage, read_write> y: array<f32>;\\n@compute @workgroup_size(1) fn main() { y[0] = 1.0; }');
await mgr.sequence().eval(new OpSyncDevice([x]), new OpAlgoDispatch(a), new OpSyncLocal([x]));
let error = 'none';
try { await bad.compiled(); } catch (e) { error = e.code; }
console.log(JSON.stringify({ x: Array.from(x.data()), error, warnings: a.getWarnings().length }));
mgr.destroy();
device.destroy();
`);
    const line = result.stdout.trim().split('\n').at(-1) ?? '';
    assert.equal(result.status, 0, describeChild(result));
    assert.deepEqual(JSON.parse(line), { x: [3, 6, 9], error: 'KP_BINDING', warnings: 0 });
  });
});
