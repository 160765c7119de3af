/**
 * OpMatMulInt8: the 8-bit packing helpers (on the CPU, and as the GPU reads them), the detection of
 * subgroup matrix configs, and the UnsupportedError of devices without them (lavapipe, CI). On a
 * device with i8 subgroup matrices the same file checks products against a CPU reference.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ArgumentError,
  DTypeError,
  EXPERIMENTAL_FEATURES_FLAG,
  type Manager,
  OpAlgoDispatch,
  OpMatMulInt8,
  OpSyncDevice,
  OpSyncLocal,
  packInt8,
  SizeError,
  SUBGROUP_MATRIX_FEATURE,
  subgroupMatrixConfigsOf,
  UnsupportedError,
  unpackInt8,
} from '../src/index.js';
import { int8MatMul, randomInt8 } from '../examples/int8-matmul.js';
import { createManager } from './helpers.js';

describe('packInt8 / unpackInt8', () => {
  test('four values per word, little-endian, and back', () => {
    const packed = packInt8([1, -1, 127, -128, 0, 2, 0, 0]);
    assert.ok(packed instanceof Int32Array);
    assert.deepEqual(
      [...packed].map((w) => w >>> 0),
      [0x80_7f_ff_01, 0x00_00_02_00],
    );
    const bytes = randomInt8(4096, 5);
    assert.deepEqual(unpackInt8(packInt8(bytes)), bytes);
    const unsigned = new Uint8Array([255, 0, 128, 7]);
    const u = packInt8(unsigned);
    assert.ok(u instanceof Uint32Array);
    assert.equal(u[0], 0x07_80_00_ff);
    assert.deepEqual(unpackInt8(u), unsigned);
  });

  test('rejects lengths that are not a multiple of 4 and values outside int8', () => {
    assert.throws(() => packInt8([1, 2, 3]), ArgumentError);
    assert.throws(() => packInt8([1, 2, 3, 128]), ArgumentError);
    assert.throws(() => packInt8([1, 2, 3, 0.5]), ArgumentError);
  });
});

describe('OpMatMulInt8', () => {
  let mgr: Manager;
  before(async () => {
    // The flag lets Dawn offer subgroup matrices where the GPU has them; lavapipe has none either way.
    mgr = await createManager({ dawnFlags: [EXPERIMENTAL_FEATURES_FLAG] });
  });
  after(() => mgr.destroy());

  test('the GPU reads packed words as the bytes packInt8 put in them', async () => {
    const bytes = randomInt8(1024, 9);
    const words = mgr.tensor(packInt8(bytes));
    const out = mgr.tensor(bytes.length, 'i32');
    const wgsl = `
@group(0) @binding(0) var<storage, read> words: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i < arrayLength(&out)) { out[i] = extractBits(words[i / 4u], 8u * (i % 4u), 8u); }
}`;
    const algorithm = mgr.algorithm([words, out], wgsl, { workgroup: [bytes.length / 64] });
    await mgr.sequence().eval(new OpSyncDevice([words]), new OpAlgoDispatch(algorithm), new OpSyncLocal([out]));
    assert.deepEqual([...out.data()], [...bytes]);
  });

  test('config detection: deviceInfo and subgroupMatrixConfigsOf agree with the feature', () => {
    const info = mgr.deviceInfo();
    assert.equal(info.subgroupMatrixConfigs.length > 0, info.features.includes(SUBGROUP_MATRIX_FEATURE));
    const config = { componentType: 'i8', resultComponentType: 'i32', M: 16, N: 16, K: 32 };
    const withFeature = { features: new Set([SUBGROUP_MATRIX_FEATURE]), adapterInfo: { subgroupMatrixConfigs: [config] } } as unknown as GPUDevice;
    assert.deepEqual(subgroupMatrixConfigsOf(withFeature), [config]);
    const without = { features: new Set<string>(), adapterInfo: { subgroupMatrixConfigs: [config] } } as unknown as GPUDevice;
    assert.deepEqual(subgroupMatrixConfigsOf(without), []);
  });

  test('checks dtypes before anything else', () => {
    const a = mgr.tensor(128, 'f32');
    assert.throws(() => new OpMatMulInt8(a, mgr.tensor(128, 'f32'), mgr.tensor(256, 'f32'), { m: 16, n: 16 }), DTypeError);
    assert.throws(() => new OpMatMulInt8(mgr.tensor(128, 'i32'), mgr.tensor(128, 'u32'), mgr.tensor(256, 'i32'), { m: 16, n: 16 }), DTypeError);
  });

  const i8Configs = () => mgr.deviceInfo().subgroupMatrixConfigs.filter((c) => c.componentType === 'i8' && c.resultComponentType === 'i32');

  test('without i8 subgroup matrices: UnsupportedError that names the feature and the fallback', (t) => {
    if (i8Configs().length > 0) {
      t.diagnostic('this device has i8 subgroup matrices: the products below are checked instead');
      assert.ok(mgr.deviceInfo().features.includes(SUBGROUP_MATRIX_FEATURE));
      return;
    }
    const make = () => new OpMatMulInt8(mgr.tensor(128, 'i32'), mgr.tensor(128, 'i32'), mgr.tensor(256, 'i32'), { m: 16, n: 16, k: 32 });
    assert.throws(make, (e: unknown) => e instanceof UnsupportedError && e.message.includes(SUBGROUP_MATRIX_FEATURE) && /OpMatMul/.test(e.hint) && e.hint.includes(EXPERIMENTAL_FEATURES_FLAG));
  });

  test('a manager created with the experimental-features flag works, with or without the feature', async () => {
    const flagged = await createManager({ dawnFlags: [EXPERIMENTAL_FEATURES_FLAG] });
    try {
      const info = flagged.deviceInfo();
      assert.equal(info.subgroupMatrixConfigs.length > 0, info.features.includes(SUBGROUP_MATRIX_FEATURE));
      const t = flagged.tensor([1, 2, 3, 4]);
      await flagged.sequence().eval(new OpSyncDevice([t]), new OpSyncLocal([t]));
      assert.deepEqual([...t.data()], [1, 2, 3, 4]);
    } finally {
      flagged.destroy();
    }
  });

  test('on i8 subgroup matrices: products equal the CPU reference at sizes off the workgroup block', async (t) => {
    const config = i8Configs()[0];
    if (!config) {
      // Nothing to multiply on this device: assert that, rather than pass silently.
      assert.throws(() => new OpMatMulInt8(mgr.tensor(128, 'i32'), mgr.tensor(128, 'i32'), mgr.tensor(256, 'i32'), { m: 16, n: 16 }), UnsupportedError);
      t.diagnostic('no i8 subgroup matrix config on this device (expected on lavapipe)');
      return;
    }
    const { M, N, K } = config;
    for (const [m, n, k, tb] of [
      [M, N, K, false],
      [3 * M, 5 * N, 3 * K, false],
      [17 * M, 13 * N, 5 * K, true],
    ] as const) {
      const av = randomInt8(m * k, m + k);
      const bv = randomInt8(k * n, n + 2 * k);
      const a = mgr.tensor(packInt8(av));
      const b = mgr.tensor(packInt8(bv));
      const c = mgr.tensor(new Int32Array(m * n).fill(-999999));
      await mgr.sequence().eval(new OpSyncDevice([a, b, c]), new OpMatMulInt8(a, b, c, { m, n, k, transposeB: tb }), new OpSyncLocal([c]));
      const got = c.data();
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += av[i * k + p]! * bv[tb ? j * k + p : p * n + j]!;
          assert.equal(got[i * n + j], s, `C[${i}, ${j}] of ${m}×${n}×${k}`);
        }
      }
    }
    assert.throws(() => new OpMatMulInt8(mgr.tensor(M + 4, 'i32'), mgr.tensor((K * N) / 4, 'i32'), mgr.tensor((M + 1) * N, 'i32'), { m: M + 1, n: N, k: K }), SizeError);
  });

  test('examples/int8-matmul.ts: exact on sampled entries, through whichever path the device has', async () => {
    const r = await int8MatMul(mgr, 64, 2);
    assert.equal(r.mismatches, 0);
    assert.equal(r.path, i8Configs().length > 0 ? 'OpMatMulInt8' : 'OpMatMul i32 fallback');
    assert.ok(r.tops > 0);
  });
});
