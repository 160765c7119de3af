/**
 * Tensors: data types, construction from data or a length, rejected types and lengths, host data
 * access, setData, rebuild, and the device's size limit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ArgumentError,
  DestroyedError,
  DTypeError,
  float16BitsToFloat32,
  float32ToFloat16Bits,
  type DType,
  Manager,
  MemoryType,
  OpAlgoDispatch,
  OpSyncDevice,
  OpSyncLocal,
  SizeError,
  StateError,
  type Tensor,
} from '../src/index.js';
import { assertClose, assertFails, createManager, readBack } from './helpers.js';

/** `out[i] = a[i] * 2 + 1` for element type `type`, guarded by arrayLength. */
function affineShader(type: string): string {
  const enable = type === 'f16' ? 'enable f16;\n' : '';
  return `${enable}@group(0) @binding(0) var<storage, read> a: array<${type}>;
@group(0) @binding(1) var<storage, read_write> out: array<${type}>;
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&out)) {
    out[id.x] = a[id.x] * ${type}(2) + ${type}(1);
  }
}
`;
}

describe('tensors', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  /** Uploads `t`, runs the affine shader into a fresh tensor and returns both GPU contents. */
  async function affine(t: Tensor): Promise<{ input: number[]; output: number[] }> {
    const out = mgr.tensor(t.size, t.dtype);
    const algo = mgr.algorithm([t, out], affineShader(t.dtype));
    const seq = mgr.sequence();
    try {
      await seq.eval(new OpSyncDevice([t]), new OpAlgoDispatch(algo), new OpSyncLocal([t, out]));
      return { input: Array.from(t.data()), output: Array.from(out.data()) };
    } finally {
      seq.destroy();
      algo.destroy();
      out.destroy();
    }
  }

  test('an f32 tensor from a Float32Array or number[] has dtype f32 and computes like the CPU', async () => {
    const values = [1.5, -2.25, 3, 1e-3, 65504];
    for (const t of [mgr.tensor(Float32Array.from(values)), mgr.tensor(values), mgr.tensor(values, { dtype: 'f32' })]) {
      assert.equal(t.dtype, 'f32');
      assert.equal(t.size, 5);
      assert.equal(t.byteLength, 20);
      assert.equal(t.memoryType, MemoryType.Device);
      assert.ok(t.data() instanceof Float32Array);
      const { input, output } = await affine(t);
      assertClose(input, Float32Array.from(values));
      assertClose(
        output,
        Float32Array.from(values, (v) => Math.fround(v * 2 + 1)),
      );
      t.destroy();
    }
  });

  test('an i32 tensor from an Int32Array or number[] keeps negative values and integer arithmetic', async () => {
    const values = [-7, 0, 3, 2 ** 30, -(2 ** 30)];
    for (const t of [mgr.tensor(Int32Array.from(values)), mgr.tensor(values, { dtype: 'i32' })]) {
      assert.equal(t.dtype, 'i32');
      assert.ok(t.data() instanceof Int32Array);
      const { input, output } = await affine(t);
      assert.deepEqual(input, values);
      assert.deepEqual(output, Array.from(Int32Array.from(values, (v) => v * 2 + 1)));
      t.destroy();
    }
  });

  test('a u32 tensor from a Uint32Array or number[] keeps values above 2^31', async () => {
    const values = [0, 1, 2 ** 31 + 5, 2 ** 32 - 1];
    for (const t of [mgr.tensor(Uint32Array.from(values)), mgr.tensor(values, { dtype: 'u32' })]) {
      assert.equal(t.dtype, 'u32');
      assert.ok(t.data() instanceof Uint32Array);
      const { input, output } = await affine(t);
      assert.deepEqual(input, values);
      assert.deepEqual(output, Array.from(Uint32Array.from(values, (v) => (v * 2 + 1) % 2 ** 32)));
      t.destroy();
    }
  });

  test('an f16 tensor (when the device has shader-f16) holds half bits and computes in half precision', async (t) => {
    if (!mgr.deviceInfo().features.includes('shader-f16')) {
      // No f16 on this device: asking for it must fail clearly instead.
      assert.throws(() => mgr.tensor(3, 'f16'), /shader-f16/);
      t.diagnostic('shader-f16 is not available: checked the error instead');
      return;
    }
    const values = [0.5, -1.25, 3, 100]; // exactly representable in f16
    const bits = Uint16Array.from(values, float32ToFloat16Bits);
    assert.deepEqual(Array.from(bits, float16BitsToFloat32), values);
    for (const tensor of [mgr.tensor(bits), mgr.tensor(values, { dtype: 'f16' })]) {
      assert.equal(tensor.dtype, 'f16');
      assert.equal(tensor.byteLength, 8);
      assert.ok(tensor.data() instanceof Uint16Array);
      const { input, output } = await affine(tensor);
      assert.deepEqual(input.map(float16BitsToFloat32), values);
      assert.deepEqual(
        output.map(float16BitsToFloat32),
        values.map((v) => v * 2 + 1),
      );
      tensor.destroy();
    }
    // An odd number of halves is padded to 4 bytes on the GPU, but reports its own byte length.
    const odd = mgr.tensor([1, 2, 3], { dtype: 'f16' });
    assert.equal(odd.byteLength, 6);
    const { output } = await affine(odd);
    assert.deepEqual(output.map(float16BitsToFloat32), [3, 5, 7]);
    odd.destroy();
  });

  test('float32ToFloat16Bits and float16BitsToFloat32 round-trip representable values and round others', () => {
    for (const v of [0, -0, 1, -2, 0.333251953125, 65504, 2 ** -14, 2 ** -24]) {
      assert.equal(float16BitsToFloat32(float32ToFloat16Bits(v)), v);
    }
    assert.equal(float16BitsToFloat32(float32ToFloat16Bits(1e6)), Infinity);
    assert.ok(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(Number.NaN))));
    assert.ok(Math.abs(float16BitsToFloat32(float32ToFloat16Bits(0.1)) - 0.1) < 1e-4);
  });

  test('a tensor made from a length and a dtype is zero-filled on the host and on the GPU', async () => {
    for (const dtype of ['f32', 'i32', 'u32'] as const satisfies readonly DType[]) {
      const t = mgr.tensor(6, dtype);
      assert.equal(t.size, 6);
      assert.equal(t.dtype, dtype);
      assert.deepEqual(Array.from(t.data()), [0, 0, 0, 0, 0, 0]);
      assert.deepEqual(await readBack(mgr, t), [0, 0, 0, 0, 0, 0]);
      t.destroy();
    }
  });

  test('a number[] copied into a tensor is not aliased: changing the array later changes nothing', () => {
    const values = [1, 2, 3];
    const t = mgr.tensor(values);
    values[0] = 100;
    assert.deepEqual(Array.from(t.data()), [1, 2, 3]);
    t.destroy();
  });

  test('64-bit and 8/16-bit integer typed arrays are rejected with a DTypeError naming the alternative', () => {
    const cases: [ArrayBufferView, RegExp][] = [
      [new Float64Array(4), /Float32Array/],
      [new BigInt64Array(4), /Int32Array/],
      [new BigUint64Array(4), /Uint32Array/],
      [new Uint8Array(4), /Uint32Array/],
      [new Int8Array(4), /Int32Array/],
      [new Int16Array(4), /Int32Array/],
    ];
    for (const [data, alternative] of cases) {
      const error = (() => {
        try {
          mgr.tensor(data as unknown as Float32Array);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      assert.ok(error instanceof DTypeError, `${data.constructor.name}: expected DTypeError, got ${String(error)}`);
      assert.match(error.message, alternative, data.constructor.name);
      assert.equal(error.code, 'KP_DTYPE');
    }
  });

  test('the dtypes f64, i64 and unknown names are rejected with a DTypeError naming the alternative', () => {
    assert.throws(
      () => mgr.tensor(4, 'f64' as DType),
      (e: unknown) => e instanceof DTypeError && /f32/.test(e.message),
    );
    assert.throws(
      () => mgr.tensor(4, 'i64' as DType),
      (e: unknown) => e instanceof DTypeError && /i32/.test(e.message),
    );
    assert.throws(() => mgr.tensor([1, 2], { dtype: 'f64' as DType }), DTypeError);
    assert.throws(() => mgr.tensor(4, 'float' as DType), DTypeError);
  });

  test('bad lengths (0, -1, 1.5, NaN, Infinity, empty data) are rejected with ArgumentError', () => {
    for (const length of [0, -1, 1.5, Number.NaN, Infinity]) {
      assert.throws(() => mgr.tensor(length, 'f32'), ArgumentError, String(length));
    }
    assert.throws(() => mgr.tensor([]), ArgumentError);
    assert.throws(() => mgr.tensor(new Float32Array(0)), ArgumentError);
  });

  test('a typed array whose type contradicts options.dtype, and an unknown memory type, are rejected with ArgumentError', () => {
    assert.throws(() => mgr.tensor(new Int32Array(2), { dtype: 'f32' }), ArgumentError);
    assert.throws(() => mgr.tensor([1], { type: 'Shared' as MemoryType }), ArgumentError);
    assert.throws(() => mgr.tensor(['a' as unknown as number]), DTypeError);
  });

  test('setData() with exactly size values reaches the GPU after OpSyncDevice', async () => {
    const t = mgr.tensor(3, 'i32');
    t.setData([4, -5, 6]);
    assert.deepEqual(Array.from(t.data()), [4, -5, 6]);
    t.setData(new Int32Array([7, 8, 9]));
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([t]));
    t.setData([0, 0, 0]); // host only: the GPU keeps 7, 8, 9
    await seq.eval(new OpSyncLocal([t]));
    assert.deepEqual(Array.from(t.data()), [7, 8, 9]);
    seq.destroy();
    t.destroy();
  });

  test('writing into the typed array that data() returns changes the host data (as Kompute code does)', async () => {
    const t = mgr.tensor([1, 2, 3]);
    const view = t.data();
    view[1] = 20;
    assert.deepEqual(Array.from(t.data()), [1, 20, 3]);
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([t]));
    assert.deepEqual(await readBack(mgr, t), [1, 20, 3]);
    seq.destroy();
    t.destroy();
  });

  test('setData() with the wrong number of values fails with SizeError and changes nothing', () => {
    const t = mgr.tensor([1, 2, 3]);
    assert.throws(() => t.setData([1, 2]), SizeError);
    assert.throws(() => t.setData(new Float32Array(4)), SizeError);
    assert.deepEqual(Array.from(t.data()), [1, 2, 3]);
    t.destroy();
  });

  test('setData() with a typed array of another type fails with DTypeError', () => {
    const t = mgr.tensor([1, 2, 3]);
    assert.throws(() => t.setData(new Int32Array(3) as unknown as Float32Array), DTypeError);
    assert.throws(() => t.setData(new Float64Array(3) as unknown as Float32Array), DTypeError);
    assert.deepEqual(Array.from(t.data()), [1, 2, 3]);
    t.destroy();
  });

  test('data() and setData() of a Storage tensor fail with StateError', () => {
    const t = mgr.tensor([1, 2, 3], { type: MemoryType.Storage });
    assert.equal(t.memoryType, MemoryType.Storage);
    assert.throws(
      () => t.data(),
      (e: unknown) => e instanceof StateError && /Storage/.test(e.message),
    );
    assert.throws(() => t.setData([1, 2, 3]), StateError);
    t.destroy();
  });

  test('rebuild(length) reallocates a zero-filled tensor of the new size', async () => {
    const t = mgr.tensor([1, 2, 3]);
    const before0 = mgr.memory();
    t.rebuild(5);
    assert.equal(t.size, 5);
    assert.equal(t.byteLength, 20);
    assert.deepEqual(Array.from(t.data()), [0, 0, 0, 0, 0]);
    assert.deepEqual(await readBack(mgr, t), [0, 0, 0, 0, 0]);
    assert.equal(mgr.memory().deviceBytes, before0.deviceBytes + 8);
    assert.equal(mgr.memory().tensors, before0.tensors);
    t.destroy();
  });

  test('rebuild(data) gives new contents and size, and an algorithm bound to the tensor picks up the new buffer', async () => {
    const a = mgr.tensor([1, 2, 3, 4]);
    const out = mgr.tensor(4, 'f32');
    // Enough workgroups for the larger size; the shader guards with arrayLength(&out).
    const algo = mgr.algorithm([a, out], affineShader('f32'), { workgroup: [8] });
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
    assert.deepEqual(Array.from(out.data()), [3, 5, 7, 9]);

    a.rebuild([10, 20, 30, 40, 50, 60, 70, 80]);
    out.rebuild(8);
    assert.equal(a.size, 8);
    assert.deepEqual(Array.from(a.data()), [10, 20, 30, 40, 50, 60, 70, 80]);
    await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
    assert.deepEqual(Array.from(out.data()), [21, 41, 61, 81, 101, 121, 141, 161]);
    for (const r of [seq, algo, out, a]) r.destroy();
  });

  test('rebuild() with a bad length or the wrong typed array fails and leaves the tensor as it was', () => {
    const t = mgr.tensor([1, 2]);
    assert.throws(() => t.rebuild(0), ArgumentError);
    assert.throws(() => t.rebuild(new Int32Array(3) as unknown as Float32Array), DTypeError);
    assert.equal(t.size, 2);
    assert.deepEqual(Array.from(t.data()), [1, 2]);
    t.destroy();
  });

  test('rebuild() after destroy() fails with DestroyedError', async () => {
    const t = mgr.tensor([1, 2]);
    t.destroy();
    await assertFails(() => t.rebuild(4), DestroyedError, new RegExp(t.label));
    await assertFails(() => t.rebuild([1, 2, 3]), DestroyedError);
  });

  test("a tensor over the device's maxStorageBufferBindingSize fails with SizeError and allocates nothing", () => {
    const limits = mgr.deviceInfo().limits;
    const maxBytes = Math.min(limits.maxStorageBufferBindingSize!, limits.maxBufferSize!);
    // The small tensor exists before the snapshot: whether its buffer comes from the pool (and
    // goes back to it) depends on earlier tests, and is not what this test is about.
    const t = mgr.tensor(4, 'f32');
    const before0 = mgr.memory();
    const length = Math.floor(maxBytes / 4) + 1;
    assert.throws(
      () => mgr.tensor(length, 'f32'),
      (e: unknown) => e instanceof SizeError && /maxStorageBufferBindingSize/.test(e.message),
    );
    assert.throws(() => mgr.tensor(length, 'u32', { type: MemoryType.Storage }), SizeError);
    assert.throws(() => t.rebuild(length), SizeError);
    assert.equal(t.size, 4);
    assert.deepEqual({ ...mgr.memory() }, { ...before0 });
    t.destroy();
  });

  test('labels name tensors in errors', () => {
    const t = mgr.tensor([1], { label: 'weights' });
    assert.equal(t.label, 'weights');
    t.destroy();
    assert.throws(() => t.data(), /weights/);
  });
});
