/** The kernels over f16 tensors, where the device has `shader-f16` (lavapipe does; the H100 through Dawn does not). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { float16BitsToFloat32, float32ToFloat16Bits, type Manager, OpMap, OpMatMul, OpReduce, OpScan, OpSoftmax, OpSyncDevice, OpSyncLocal, type Tensor, UnsupportedError } from '../src/index.js';
import { assertClose, createManager } from './helpers.js';

const half = (values: readonly number[]) => Uint16Array.from(values, float32ToFloat16Bits);
const floats = (t: Tensor) => Array.from(t.data() as Uint16Array, float16BitsToFloat32);

describe('kernels over f16', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test('matmul, map, reduce, softmax and scan of f16 match the CPU within f16 rounding', async (t) => {
    if (!mgr.deviceInfo().features.includes('shader-f16')) {
      // No f16 on this device: the kernels' f16 inputs cannot exist, and asking for one fails clearly.
      assert.throws(() => mgr.tensor(3, 'f16'), UnsupportedError);
      t.diagnostic('shader-f16 is not available: checked the error instead');
      return;
    }
    const m = 5;
    const k = 7;
    const n = 3;
    // Small integers and halves: every product and partial sum below is exact in f16.
    const av = Array.from({ length: m * k }, (_, i) => ((i * 3) % 7) - 3);
    const bv = Array.from({ length: k * n }, (_, i) => (((i * 5) % 9) - 4) / 2);
    const a = mgr.tensor(half(av));
    const b = mgr.tensor(half(bv));
    const c = mgr.tensor(m * n, 'f16');
    const mapped = mgr.tensor(m * k, 'f16');
    const total = mgr.tensor(1, 'f16');
    const prefix = mgr.tensor(m * k, 'f16');
    const soft = mgr.tensor(m * k, 'f16');
    await mgr
      .sequence()
      .eval(
        new OpSyncDevice([a, b]),
        new OpMatMul(a, b, c, { m, n, k }),
        new OpMap('a * 2.0h + 1.0h', [a], mapped),
        new OpReduce(a, total, { op: 'sum' }),
        new OpScan(a, prefix),
        new OpSoftmax(a, soft, { shape: [m, k] }),
        new OpSyncLocal([c, mapped, total, prefix, soft]),
      );
    const expected: number[] = [];
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expected.push(Array.from({ length: k }, (_, p) => av[i * k + p]! * bv[p * n + j]!).reduce((s, v) => s + v, 0));
    assert.deepEqual(floats(c), expected);
    assert.deepEqual(
      floats(mapped),
      av.map((v) => v * 2 + 1),
    );
    assert.deepEqual(floats(total), [av.reduce((s, v) => s + v, 0)]);
    let run = 0;
    assert.deepEqual(
      floats(prefix),
      av.map((v) => (run += v)),
    );
    const softmax: number[] = [];
    for (let r = 0; r < m; r++) {
      const row = av.slice(r * k, (r + 1) * k);
      const mx = Math.max(...row);
      const sum = row.reduce((s, v) => s + Math.exp(v - mx), 0);
      softmax.push(...row.map((v) => Math.exp(v - mx) / sum));
    }
    // f16 has an 11-bit significand: exp and the division are good to about 2⁻¹⁰ relative.
    assertClose(floats(soft), softmax, 2e-3, 'softmax f16');
  });
});
