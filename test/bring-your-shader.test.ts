/**
 * Bring your own shader (issue 13): shaders written the way WebGPU samples, wgpu, gpu.cpp,
 * TensorFlow.js and WebGPU Fundamentals write them, each run through kompute-ts and through raw
 * WebGPU on the same device with the same inputs, results compared bit for bit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Algorithm, type Manager, type Memory, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, type Tensor } from '../src/index.js';
import { createManager } from './helpers.js';
import { bytes, type RawBindings, runRaw } from './raw-webgpu.js';

let mgr: Manager;

/** Uploads every memory, dispatches once, downloads them all. */
async function run(algorithm: Algorithm, memories: readonly Memory[]): Promise<void> {
  await mgr.sequence().eval(new OpSyncDevice([...memories]), new OpAlgoDispatch(algorithm), new OpSyncLocal([...memories]));
}

function f32(values: readonly number[]): Float32Array {
  return new Float32Array(values);
}

function ramp(n: number, f: (i: number) => number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => f(i));
}

describe('bring your own shader: kompute-ts and raw WebGPU agree bit for bit', () => {
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test('parameters in a uniform at @group(0) @binding(2) (gpu.cpp / TensorFlow.js style), @workgroup_size(64), default dispatch', async () => {
    const wgsl = /* wgsl */ `
struct Params { size: u32, alpha: f32, offset: vec2f }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= params.size) { return; }
  y[i] = params.alpha * x[i] + y[i] + params.offset.y;
}`;
    const n = 1000;
    const xs = ramp(n, (i) => Math.sin(i) * 3);
    const ys = ramp(n, (i) => i * 0.25);
    const x = mgr.tensor(xs);
    const y = mgr.tensor(ys);
    const params = mgr.params({ size: n, alpha: 1.5, offset: [0, -2] });
    const algorithm = mgr.algorithm({ x, y, params }, wgsl);
    assert.deepEqual(algorithm.getWorkgroup(), [16, 1, 1], 'ceil(1000 / 64) workgroups');
    await run(algorithm, [x, y]);
    const paramBytes = new ArrayBuffer(16);
    new DataView(paramBytes).setUint32(0, n, true);
    new DataView(paramBytes).setFloat32(4, 1.5, true);
    new DataView(paramBytes).setFloat32(12, -2, true);
    const raw = await runRaw(
      mgr.device,
      wgsl,
      { '0:0': { kind: 'buffer', data: xs }, '0:1': { kind: 'buffer', data: ys }, '0:2': { kind: 'buffer', data: new Uint8Array(paramBytes), uniform: true } },
      [16, 1, 1],
    );
    assert.deepEqual(bytes(y.data()), Array.from(raw.get('0:1')!));
    assert.equal(mgr.memory().params, 1);
    assert.equal(mgr.memory().paramBytes, 16);
    // A tensor binds to the same var<uniform> too.
    const asTensor = mgr.tensor(new Uint32Array(paramBytes));
    const y2 = mgr.tensor(ys);
    const second = mgr.algorithm([x, y2, asTensor], wgsl);
    await run(second, [x, y2, asTensor]);
    assert.deepEqual(bytes(y2.data()), bytes(y.data()));
    for (const r of [algorithm, second, x, y, y2, asTensor, params]) r.destroy();
    assert.equal(mgr.memory().params, 0);
  });

  test('inputs in group 1 and outputs in group 2, bound by name', async () => {
    const wgsl = /* wgsl */ `
@group(1) @binding(0) var<storage, read> a: array<f32>;
@group(1) @binding(1) var<storage, read> b: array<f32>;
@group(2) @binding(0) var<storage, read_write> sum: array<f32>;
@group(2) @binding(1) var<storage, read_write> product: array<f32>;
@compute @workgroup_size(32)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= arrayLength(&sum)) { return; }
  sum[i] = a[i] + b[i];
  product[i] = a[i] * b[i];
}`;
    const as = ramp(100, (i) => i / 7);
    const bs = ramp(100, (i) => 3 - i / 3);
    const a = mgr.tensor(as);
    const b = mgr.tensor(bs);
    const sum = mgr.tensor(100, 'f32');
    const product = mgr.tensor(100, 'f32');
    const algorithm = mgr.algorithm({ sum, product, a, b }, wgsl);
    assert.deepEqual(algorithm.getTensors(), [a, b, sum, product], 'group and binding order');
    await run(algorithm, [a, b, sum, product]);
    const zeros = new Float32Array(100);
    const raw = await runRaw(
      mgr.device,
      wgsl,
      { '1:0': { kind: 'buffer', data: as }, '1:1': { kind: 'buffer', data: bs }, '2:0': { kind: 'buffer', data: zeros }, '2:1': { kind: 'buffer', data: zeros } },
      algorithm.getWorkgroup(),
    );
    assert.deepEqual(bytes(sum.data()), Array.from(raw.get('2:0')!));
    assert.deepEqual(bytes(product.data()), Array.from(raw.get('2:1')!));
    for (const r of [algorithm, a, b, sum, product]) r.destroy();
  });

  test("a sampler and textures in group 1 (a blur with textureSampleLevel), rgba16float in, rgba8unorm storage out, '@group(g) @binding(b)' keys", async () => {
    const wgsl = /* wgsl */ `
struct Blur { radius: i32, texel: vec2f }
@group(0) @binding(0) var<uniform> blur: Blur;
@group(1) @binding(0) var samp: sampler;
@group(1) @binding(1) var src: texture_2d<f32>;
@group(1) @binding(2) var dst: texture_storage_2d<rgba8unorm, write>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let size = textureDimensions(dst);
  if (gid.x >= size.x || gid.y >= size.y) { return; }
  let uv = (vec2f(gid.xy) + 0.5) * blur.texel;
  var acc = vec4f(0.0);
  for (var d = -blur.radius; d <= blur.radius; d++) {
    acc += textureSampleLevel(src, samp, uv + vec2f(f32(d), 0.0) * blur.texel, 0.0);
  }
  textureStore(dst, gid.xy, acc / f32(2 * blur.radius + 1));
}`;
    const w = 12;
    const h = 10;
    const texels = Array.from({ length: w * h * 4 }, (_, i) => ((i * 37) % 101) / 100);
    const src = mgr.image(texels, w, h, 4, { dtype: 'f16' });
    assert.equal(src.format, 'rgba16float');
    const dst = mgr.image(null, w, h, 4, { dtype: 'unorm8' });
    assert.equal(dst.format, 'rgba8unorm');
    const samp = mgr.sampler({ magFilter: 'linear', minFilter: 'linear', addressModeU: 'clamp-to-edge' });
    const blur = mgr.params({ radius: 2, texel: [1 / w, 1 / h] });
    const algorithm = mgr.algorithm({ blur, '@group(1) @binding(0)': samp, src, dst }, wgsl, { invocations: [w, h] });
    assert.deepEqual(algorithm.getWorkgroup(), [2, 2, 1]);
    await run(algorithm, [src, dst]);
    assert.equal(mgr.memory().samplers, 1);
    const blurBytes = new ArrayBuffer(16);
    new DataView(blurBytes).setInt32(0, 2, true);
    new DataView(blurBytes).setFloat32(8, 1 / w, true);
    new DataView(blurBytes).setFloat32(12, 1 / h, true);
    const raw = await runRaw(
      mgr.device,
      wgsl,
      {
        '0:0': { kind: 'buffer', data: new Uint8Array(blurBytes), uniform: true },
        '1:0': { kind: 'sampler', descriptor: { magFilter: 'linear', minFilter: 'linear' } },
        '1:1': { kind: 'texture', format: 'rgba16float', width: w, height: h, bytesPerTexel: 8, data: src.data() },
        '1:2': { kind: 'texture', format: 'rgba8unorm', width: w, height: h, bytesPerTexel: 4 },
      },
      [2, 2, 1],
    );
    assert.deepEqual(bytes(dst.data()), Array.from(raw.get('1:2')!));
    assert.ok(
      dst.data().some((v) => v > 0),
      'the blur wrote something',
    );
    for (const r of [algorithm, src, dst, samp, blur]) r.destroy();
    assert.equal(mgr.memory().samplers, 0);
  });

  test('two entry points declaring different variables at the same binding: each runs with its own layout', async () => {
    const wgsl = /* wgsl */ `
@group(0) @binding(0) var<storage, read> input: array<u32>;
@group(0) @binding(0) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read_write> output: array<u32>;
@compute @workgroup_size(16)
fn square(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < arrayLength(&output)) { output[gid.x] = input[gid.x] * input[gid.x]; }
}
@compute @workgroup_size(16)
fn tally(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < arrayLength(&output)) { atomicAdd(&counts[gid.x % 4u], output[gid.x]); }
}`;
    const values = Uint32Array.from({ length: 40 }, (_, i) => i % 9);
    const input = mgr.tensor(values);
    const out = mgr.tensor(40, 'u32');
    const square = mgr.algorithm([input, out], wgsl, { entryPoint: 'square', invocations: [40] });
    await run(square, [input, out]);
    const raw = await runRaw(mgr.device, wgsl, { '0:0': { kind: 'buffer', data: values }, '0:1': { kind: 'buffer', data: new Uint32Array(40) } }, [3, 1, 1], { entryPoint: 'square' });
    assert.deepEqual(bytes(out.data()), Array.from(raw.get('0:1')!));
    const counts = mgr.tensor(4, 'u32');
    const tally = mgr.algorithm({ counts, output: out }, wgsl, { entryPoint: 'tally', invocations: [40] });
    await run(tally, [counts, out]);
    const rawTally = await runRaw(mgr.device, wgsl, { '0:0': { kind: 'buffer', data: new Uint32Array(4) }, '0:1': { kind: 'buffer', data: out.data() } }, [3, 1, 1], { entryPoint: 'tally' });
    assert.deepEqual(bytes(counts.data()), Array.from(rawTally.get('0:0')!));
    for (const r of [square, tally, input, out, counts]) r.destroy();
  });

  test('overrides set by name (no @id, one in @workgroup_size), the default dispatch follows them', async () => {
    const wgsl = /* wgsl */ `
override BLOCK: u32;
override SCALE: f32 = 1.0;
@id(3) override BIAS: f32 = 0.0;
@group(0) @binding(0) var<storage, read_write> data: array<f32>;
@compute @workgroup_size(BLOCK)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < arrayLength(&data)) { data[gid.x] = data[gid.x] * SCALE + BIAS; }
}`;
    const values = ramp(50, (i) => i - 20);
    const data = mgr.tensor(values);
    const constants = { BLOCK: 8, SCALE: 2.5, BIAS: 0.125 };
    const algorithm = mgr.algorithm([data], wgsl, { constants });
    assert.deepEqual(algorithm.getWorkgroup(), [7, 1, 1], 'ceil(50 / 8)');
    await run(algorithm, [data]);
    const raw = await runRaw(mgr.device, wgsl, { '0:0': { kind: 'buffer', data: values } }, [7, 1, 1], { constants: { BLOCK: 8, SCALE: 2.5, 3: 0.125 } });
    assert.deepEqual(bytes(data.data()), Array.from(raw.get('0:0')!));
    for (const r of [algorithm, data]) r.destroy();
  });

  test('gaps in binding numbers: only @binding(3) and @binding(5), no fillers, the dispatch from the first bound tensor', async () => {
    const wgsl = /* wgsl */ `
@group(0) @binding(3) var<storage, read> src: array<i32>;
@group(0) @binding(5) var<storage, read_write> dst: array<i32>;
@compute @workgroup_size(4)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < arrayLength(&dst)) { dst[gid.x] = src[gid.x] * -3 + 7; }
}`;
    const values = Int32Array.from({ length: 22 }, (_, i) => i * 11 - 100);
    const src = mgr.tensor(values);
    const dst = mgr.tensor(22, 'i32');
    const byArray = mgr.algorithm([undefined, undefined, undefined, src, undefined, dst], wgsl);
    assert.deepEqual(byArray.getWorkgroup(), [6, 1, 1]);
    await run(byArray, [src, dst]);
    const raw = await runRaw(mgr.device, wgsl, { '0:3': { kind: 'buffer', data: values }, '0:5': { kind: 'buffer', data: new Int32Array(22) } }, [6, 1, 1]);
    assert.deepEqual(bytes(dst.data()), Array.from(raw.get('0:5')!));
    const dst2 = mgr.tensor(22, 'i32');
    const byName = mgr.algorithm({ src, dst: dst2 }, wgsl);
    await run(byName, [src, dst2]);
    assert.deepEqual(bytes(dst2.data()), bytes(dst.data()));
    for (const r of [byArray, byName, src, dst, dst2]) r.destroy();
  });

  test('unorm, snorm and half-float storage textures written by a shader', async () => {
    for (const [dtype, format, texel] of [
      ['unorm8', 'rgba8unorm', 4],
      ['snorm8', 'rgba8snorm', 4],
      ['f16', 'rgba16float', 8],
    ] as const) {
      const wgsl = /* wgsl */ `
@group(0) @binding(0) var out: texture_storage_2d<${format}, write>;
@compute @workgroup_size(4, 4)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let size = textureDimensions(out);
  if (gid.x >= size.x || gid.y >= size.y) { return; }
  let u = f32(gid.x) / f32(size.x);
  let v = f32(gid.y) / f32(size.y);
  textureStore(out, gid.xy, vec4f(u, v, u * v - 0.5, 1.0 - u));
}`;
      const image = mgr.image(null, 9, 5, 4, { dtype });
      const algorithm = mgr.algorithm([image], wgsl, { invocations: [9, 5] });
      await run(algorithm, [image]);
      const raw = await runRaw(mgr.device, wgsl, { '0:0': { kind: 'texture', format, width: 9, height: 5, bytesPerTexel: texel } }, [3, 2, 1]);
      assert.deepEqual(bytes(image.data()), Array.from(raw.get('0:0')!), format);
      for (const r of [algorithm, image]) r.destroy();
    }
  });

  test('push constants of mixed and vector members (u32, i32, f32, vec3f, vec2u), by member name and in member order', async () => {
    const wgsl = /* wgsl */ `
struct Push { count: u32, shift: i32, scale: f32, color: vec3f, pair: vec2u }
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> push: Push;
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  out[i] = f32(push.count) + f32(push.shift) * push.scale + push.color[i % 3u] + f32(push.pair.x * 10u + push.pair.y);
}`;
    const out = mgr.tensor(6, 'f32');
    const values = { count: 4000000000, shift: -7, scale: 0.5, color: [0.25, -1.5, 8], pair: [3, 4] };
    const algorithm = mgr.algorithm([out], wgsl, { pushConstants: values });
    await run(algorithm, [out]);
    const push = new ArrayBuffer(48);
    const view = new DataView(push);
    view.setUint32(0, 4000000000, true);
    view.setInt32(4, -7, true);
    view.setFloat32(8, 0.5, true);
    [0.25, -1.5, 8].forEach((c, k) => view.setFloat32(16 + 4 * k, c, true));
    view.setUint32(32, 3, true);
    view.setUint32(36, 4, true);
    const raw = await runRaw(mgr.device, wgsl, { '0:0': { kind: 'buffer', data: new Float32Array(6) }, '1:0': { kind: 'buffer', data: new Uint8Array(push), uniform: true } }, [6, 1, 1]);
    assert.deepEqual(bytes(out.data()), Array.from(raw.get('0:0')!));
    // The same values in member order, and per dispatch.
    const flat = mgr.tensor(6, 'f32');
    const ordered = mgr.algorithm([flat], wgsl, { pushConstants: [1, 1, 1, 0, 0, 0, 0, 0] });
    await mgr.sequence().eval(new OpAlgoDispatch(ordered, [4000000000, -7, 0.5, 0.25, -1.5, 8, 3, 4]), new OpSyncLocal([flat]));
    assert.deepEqual(bytes(flat.data()), bytes(out.data()));
    assert.deepEqual(Array.from(new Uint8Array(algorithm.getPushConstants().buffer)), Array.from(new Uint8Array(push)));
    for (const r of [algorithm, ordered, out, flat]) r.destroy();
  });

  test('a module wgsl_reflect cannot parse still binds its var<storage, read> read-only (light read), with a warning', async () => {
    const wgsl = /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read_write> b: array<u32>;
const N = 4u;
@compute @workgroup_size(8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i >= arrayLength(&b)) { return; }
  var k = 0u;
  loop {
    b[i] = a[i] * 2u + k;
    continuing { k++; break if (k + 1u) % N == 0u; }
  }
}`;
    const values = Uint32Array.from({ length: 30 }, (_, i) => i * 3);
    // The same tensor twice is only legal when both bindings are read-only; here a is read-only
    // and b is its own tensor: the layout must say read-only-storage for binding 0.
    const a = mgr.tensor(values);
    const b = mgr.tensor(30, 'u32');
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (message: string) => warnings.push(message);
    let algorithm: Algorithm;
    try {
      algorithm = mgr.algorithm([a, b], wgsl);
    } finally {
      console.warn = warn;
    }
    assert.equal(algorithm.getWarnings().length, 1);
    assert.match(algorithm.getWarnings()[0]!, /could not parse .* checks were skipped/);
    assert.equal(warnings.length, 1);
    assert.deepEqual(algorithm.getWorkgroup(), [4, 1, 1], 'ceil(30 / 8) from the light read of @workgroup_size');
    await run(algorithm, [a, b]);
    const raw = await runRaw(mgr.device, wgsl, { '0:0': { kind: 'buffer', data: values }, '0:1': { kind: 'buffer', data: new Uint32Array(30) } }, [4, 1, 1]);
    assert.deepEqual(bytes(b.data()), Array.from(raw.get('0:1')!));
    // Read-only binding 0 lets a second algorithm read the same tensor at once (a read-write layout would not compile the read-only declaration).
    for (const r of [algorithm, a, b]) r.destroy();
  });

  test('a WGSL error in a body with generated bindings is reported at the body’s own line and column', async () => {
    const t = mgr.tensor([1, 2]) as Tensor;
    const body = ['@compute @workgroup_size(1)', 'fn main(@builtin(global_invocation_id) id: vec3u) {', '  t[id.x] = undefined_name;', '}'].join('\n');
    const algorithm = mgr.algorithm({ t }, body);
    await assert.rejects(algorithm.compiled(), (e: unknown) => {
      const m = (e as { messages: { line: number; column: number; type: string }[] }).messages.find((x) => x.type === 'error')!;
      assert.equal(m.line, 3);
      assert.equal(m.column, 13);
      assert.match(String((e as Error).message), /3:13 error/);
      return true;
    });
    for (const r of [algorithm, t]) r.destroy();
  });
});
