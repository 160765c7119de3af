/**
 * OpMatMul against a CPU reference: odd sizes (not multiples of either tile), both tiles, every
 * combination of transposes, integer dtypes, and the argument checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ArgumentError, DTypeError, type Manager, OpMatMul, OpSyncDevice, OpSyncLocal, SizeError } from '../src/index.js';
import { assertClose, createManager, randomValues, withManager } from './helpers.js';

/** C = op(A)·op(B) in f64 on the CPU; `a` is m×k (or k×m with ta), `b` is k×n (or n×k with tb). */
function cpuMatMul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number, ta: boolean, tb: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ta ? p * m + i : i * k + p]! * b[tb ? j * k + p : p * n + j]!;
      c[i * n + j] = s;
    }
  }
  return c;
}

describe('OpMatMul', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  async function check(m: number, n: number, k: number, ta: boolean, tb: boolean, tile?: 'large' | 'small'): Promise<void> {
    const av = randomValues(m * k, m + 3 * k);
    const bv = randomValues(k * n, n + 7 * k);
    const a = mgr.tensor(av);
    const b = mgr.tensor(bv);
    const c = mgr.tensor(m * n, 'f32');
    const op = new OpMatMul(a, b, c, { m, n, k, transposeA: ta, transposeB: tb, ...(tile ? { tile } : {}) });
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([a, b]), op, new OpSyncLocal([c]));
    // Each output is one f32 chain of K fused multiply-adds of values in [-1, 1): the rounding error
    // is at most about K · 2⁻²⁴ · Σ|a·b| ≤ K² · 6e-8, and in practice near √K · 6e-8 · √K. 1e-5 · K
    // (relative to 1 + |expected|) leaves a wide margin while still catching any wrong index.
    assertClose(c.data(), cpuMatMul(av, bv, m, n, k, ta, tb), 1e-5 * k, `C ${m}×${n}×${k} ta=${ta} tb=${tb} ${op.tile.bm}`);
    for (const r of [seq, a, b, c]) r.destroy();
  }

  for (const tile of ['small', 'large'] as const) {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      test(`odd sizes, ${tile} tile, transposeA=${ta}, transposeB=${tb}`, async () => {
        await check(1, 1, 1, ta, tb, tile);
        await check(7, 5, 3, ta, tb, tile);
        await check(67, 131, 19, ta, tb, tile);
      });
    }
    test(`sizes that are multiples of the ${tile} tile (no bounds checks in the shader)`, async () => {
      await check(128, 128, 32, false, false, tile);
      await check(128, 256, 16, true, true, tile);
    });
  }

  test('the default tile: small for small products; the result does not depend on it', async () => {
    const a = mgr.tensor(4 * 6, 'f32');
    const op = new OpMatMul(a, mgr.tensor(6 * 5, 'f32'), mgr.tensor(4 * 5, 'f32'), { m: 4, n: 5 });
    assert.equal(op.k, 6);
    assert.equal(op.tile.bm, 64);
    assert.equal(op.flops, 2 * 4 * 5 * 6);
    await check(130, 70, 45, false, true);
  });

  test('i32 and u32: exact integer products', async () => {
    const m = 9;
    const n = 11;
    const k = 13;
    for (const dtype of ['i32', 'u32'] as const) {
      const av = Array.from({ length: m * k }, (_, i) => ((i * 7) % 23) - (dtype === 'i32' ? 11 : 0));
      const bv = Array.from({ length: k * n }, (_, i) => ((i * 5) % 17) - (dtype === 'i32' ? 8 : 0));
      const a = mgr.tensor(dtype === 'i32' ? new Int32Array(av) : new Uint32Array(av));
      const b = mgr.tensor(dtype === 'i32' ? new Int32Array(bv) : new Uint32Array(bv));
      const c = mgr.tensor(m * n, dtype);
      await mgr.sequence().eval(new OpSyncDevice([a, b]), new OpMatMul(a, b, c, { m, n, k }), new OpSyncLocal([c]));
      assert.deepEqual(Array.from(c.data()), Array.from(cpuMatMul(av, bv, m, n, k, false, false)), dtype);
    }
  });

  test('bad shapes, dtypes and outputs are refused with typed errors', () => {
    const a = mgr.tensor(6, 'f32');
    const b = mgr.tensor(6, 'f32');
    const c = mgr.tensor(4, 'f32');
    assert.throws(() => new OpMatMul(a, b, mgr.tensor(5, 'f32'), { m: 2, n: 2 }), SizeError);
    assert.throws(() => new OpMatMul(a, b, c, { m: 4, n: 1 }), SizeError);
    assert.throws(() => new OpMatMul(a, mgr.tensor(6, 'i32'), c, { m: 2, n: 2 }), DTypeError);
    assert.throws(() => new OpMatMul(a, b, a, { m: 2, n: 3, k: 3 }), ArgumentError);
    assert.throws(() => new OpMatMul(a, b, c, { m: 0, n: 2 }), ArgumentError);
    assert.throws(() => new OpMatMul(a, b, c, { m: 2, n: 2, tile: { bm: 32, bn: 32, bk: 8, tm: 4, tn: 4 } }), ArgumentError);
  });

  test('the kernel owns no GPU memory: its algorithm is the manager’s, and goes with it', async () => {
    // A manager of its own: objects earlier tests dropped may be collected at any moment and
    // would change the counts.
    await withManager(async (own) => {
      const a = own.tensor(4, 'f32');
      const op = new OpMatMul(a, own.tensor(4, 'f32'), own.tensor(4, 'f32'), { m: 2, n: 2 });
      await op.compiled();
      assert.equal(own.memory().algorithms, 1);
      assert.equal(op.algorithms[0]!.isInit(), true);
      a.destroy();
      await assert.rejects(own.sequence().eval(op), /destroyed/i);
      own.destroy();
      assert.equal(op.algorithms[0]!.isInit(), false, 'destroyed with its manager');
    });
  });
});
