/**
 * Algorithms with images (issue 7): images bind as storage textures (read, write, read_write) or
 * sampled textures as the WGSL declares, next to tensors and push constants; the binding check
 * rejects a texture binding given a tensor and vice versa, and a wrong format or sample type.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AlgorithmBindingError, type Manager, MemoryType, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { createManager, INCREMENT_SHADER } from './helpers.js';

/** Sobel magnitude of a 1-channel image on the CPU, with clamped borders. */
function sobelCpu(src: ArrayLike<number>, w: number, h: number): Float32Array {
  const at = (x: number, y: number) => src[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))]!;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      const gy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      out[y * w + x] = Math.fround(Math.sqrt(Math.fround(gx * gx + gy * gy)));
    }
  }
  return out;
}

const SOBEL_SHADER = /* wgsl */ `
@group(0) @binding(0) var src: texture_storage_2d<r32float, read>;
@group(0) @binding(1) var dst: texture_storage_2d<r32float, write>;
fn at(p: vec2i) -> f32 {
  let size = vec2i(textureDimensions(src));
  return textureLoad(src, clamp(p, vec2i(0), size - 1)).r;
}
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let size = textureDimensions(src);
  if (id.x >= size.x || id.y >= size.y) { return; }
  let p = vec2i(id.xy);
  let gx = at(p + vec2i(1, -1)) + 2.0 * at(p + vec2i(1, 0)) + at(p + vec2i(1, 1)) - at(p + vec2i(-1, -1)) - 2.0 * at(p + vec2i(-1, 0)) - at(p + vec2i(-1, 1));
  let gy = at(p + vec2i(-1, 1)) + 2.0 * at(p + vec2i(0, 1)) + at(p + vec2i(1, 1)) - at(p + vec2i(-1, -1)) - 2.0 * at(p + vec2i(0, -1)) - at(p + vec2i(1, -1));
  textureStore(dst, id.xy, vec4f(sqrt(gx * gx + gy * gy)));
}
`;

describe('algorithms with images', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test('a Sobel filter with read-only and write-only storage textures matches the CPU (65×33, 8×8 workgroups)', async () => {
    const [w, h] = [65, 33];
    const values = Float32Array.from({ length: w * h }, (_, i) => ((i % w) * (i % w) + Math.floor(i / w) * 3) % 17);
    using src = mgr.image(values, w, h, 1);
    using dst = mgr.image(null, w, h, 1);
    using algo = mgr.algorithm([src, dst], SOBEL_SHADER, { workgroup: [Math.ceil(w / 8), Math.ceil(h / 8)] });
    using seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([src]), new OpAlgoDispatch(algo), new OpSyncLocal([dst]));
    const expected = sobelCpu(values, w, h);
    const actual = dst.data();
    for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= 1e-4 * (1 + expected[i]!), `texel ${i}: ${actual[i]} != ${expected[i]}`);
  });

  test('images and tensors in one algorithm, with push constants: row sums of an RGBA image into a tensor', async () => {
    const [w, h] = [7, 5];
    const values = Float32Array.from({ length: w * h * 4 }, (_, i) => i % 13);
    using image = mgr.image(values, w, h, 4, { type: MemoryType.Host });
    using sums = mgr.tensor(h, 'f32');
    using algo = mgr.algorithm(
      [image, sums],
      /* wgsl */ `
      struct Push { scale: f32 }
      @group(0) @binding(0) var img: texture_2d<f32>;
      @group(0) @binding(1) var<storage, read_write> sums: array<f32>;
      @group(1) @binding(0) var<uniform> push: Push;
      @compute @workgroup_size(1)
      fn main(@builtin(global_invocation_id) id: vec3u) {
        var s = 0.0;
        for (var x = 0u; x < textureDimensions(img).x; x++) {
          let t = textureLoad(img, vec2u(x, id.x), 0);
          s += t.r + t.g + t.b + t.a;
        }
        sums[id.x] = s * push.scale;
      }`,
      { workgroup: [h], pushConstants: [0.5] },
    );
    using seq = mgr.sequence();
    await seq.eval(new OpAlgoDispatch(algo), new OpSyncLocal([sums]));
    const expected = Array.from({ length: h }, (_, y) => values.subarray(y * w * 4, (y + 1) * w * 4).reduce((a, b) => a + b, 0) * 0.5);
    assert.deepEqual(Array.from(sums.data()), expected);
  });

  test('integer images: a u32 read_write storage texture is incremented in place, repeatedly', async () => {
    using image = mgr.image(new Uint32Array([1, 2, 3, 4, 5, 6]), 3, 2, 1);
    using algo = mgr.algorithm(
      [image],
      /* wgsl */ `
      @group(0) @binding(0) var img: texture_storage_2d<r32uint, read_write>;
      @compute @workgroup_size(1)
      fn main(@builtin(global_invocation_id) id: vec3u) {
        textureStore(img, id.xy, textureLoad(img, id.xy) + vec4u(100u));
      }`,
      { workgroup: [3, 2] },
    );
    using seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([image]), new OpAlgoDispatch(algo), new OpAlgoDispatch(algo), new OpSyncLocal([image]));
    assert.deepEqual(Array.from(image.data()), [201, 202, 203, 204, 205, 206]);
  });

  test('the default workgroup is [size, 1, 1] as for tensors (Kompute: memObjects[0].size())', () => {
    using image = mgr.image(null, 3, 2, 2);
    using algo = mgr.algorithm(
      [image],
      `@group(0) @binding(0) var img: texture_storage_2d<rg32float, write>;
      @compute @workgroup_size(1) fn main() {}`,
    );
    assert.deepEqual(algo.getWorkgroup(), [12, 1, 1]);
    assert.deepEqual(algo.getTensors(), [image]);
  });

  describe('binding errors (AlgorithmBindingError naming the binding)', () => {
    const storageTexture = (format: string, access = 'write') => `@group(0) @binding(0) var img: texture_storage_2d<${format}, ${access}>;
      @compute @workgroup_size(1) fn main() {}`;
    const sampled = (type: string) => `@group(0) @binding(0) var img: texture_2d<${type}>;
      @compute @workgroup_size(1) fn main() { _ = textureDimensions(img); }`;
    const fails = (fn: () => unknown, message: RegExp) => assert.throws(fn, (e: unknown) => e instanceof AlgorithmBindingError && e.argument === 'tensors[0]' && message.test(e.message));

    test('a texture binding given a tensor (naming wgsl, as every binding a tensor cannot take)', () => {
      using t = mgr.tensor(4, 'f32');
      for (const wgsl of [storageTexture('rgba32float'), sampled('f32')]) {
        assert.throws(
          () => mgr.algorithm([t], wgsl),
          (e: unknown) => e instanceof AlgorithmBindingError && e.argument === 'wgsl' && /is a texture .* must be var<storage> to bind Tensor#\d+, a tensor/.test(e.message),
        );
      }
    });

    test('a storage-buffer binding given an image', () => {
      using image = mgr.image(null, 2, 2, 1);
      fails(() => mgr.algorithm([image], INCREMENT_SHADER), /var<storage> .* is an image/);
    });

    test('a storage texture of another format', () => {
      using image = mgr.image(null, 2, 2, 1);
      fails(() => mgr.algorithm([image], storageTexture('rgba32float')), /rgba32float.* is r32float/);
      using ints = mgr.image(null, 2, 2, 4, { dtype: 'i32' });
      fails(() => mgr.algorithm([ints], storageTexture('rgba32uint')), /is rgba32sint/);
    });

    test('a sampled texture of another sample type', () => {
      using image = mgr.image(null, 2, 2, 4, { dtype: 'u8' });
      fails(() => mgr.algorithm([image], sampled('f32')), /rgba8uint, read as u32/);
      using floats = mgr.image(null, 2, 2, 4);
      fails(() => mgr.algorithm([floats], sampled('i32')), /read as f32/);
    });

    test('read_write access on a format that does not allow it', () => {
      using image = mgr.image(null, 2, 2, 4);
      if (mgr.deviceInfo().features.includes('texture-formats-tier2')) {
        using algo = mgr.algorithm([image], storageTexture('rgba32float', 'read_write'));
        assert.ok(algo.isInit());
        return;
      }
      fails(() => mgr.algorithm([image], storageTexture('rgba32float', 'read_write')), /read_write/);
    });

    test('an image bound twice where one binding writes', () => {
      using image = mgr.image(null, 2, 2, 1);
      assert.throws(
        () =>
          mgr.algorithm(
            [image, image],
            `@group(0) @binding(0) var a: texture_2d<f32>;
          @group(0) @binding(1) var b: texture_storage_2d<r32float, write>;
          @compute @workgroup_size(1) fn main() { _ = textureDimensions(a); }`,
          ),
        (e: unknown) => e instanceof AlgorithmBindingError && e.argument === 'tensors[1]',
      );
    });
  });
});
