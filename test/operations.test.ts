/**
 * Operations: OpSyncDevice, OpSyncLocal, OpCopy, OpAlgoDispatch, OpMult, OpMemoryBarrier, their
 * argument checks, and a user-defined operation built on EncodeContext.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type Algorithm,
  ArgumentError,
  DTypeError,
  type EncodeContext,
  Manager,
  MemoryType,
  OpAlgoDispatch,
  OpCopy,
  Operation,
  OpMemoryBarrier,
  OpMult,
  OpSyncDevice,
  OpSyncLocal,
  SizeError,
  type Tensor,
} from '../src/index.js';
import { assertClose, cpuReference, createManager, DOUBLE_SHADER, INCREMENT_SHADER, randomValues } from './helpers.js';

/** A user-defined operation: copies `from`'s GPU buffer into `to`'s, then reads `to` back. */
class OpCopyAndRead extends Operation {
  constructor(
    readonly from: Tensor,
    readonly to: Tensor,
  ) {
    super();
  }

  get name(): string {
    return 'OpCopyAndRead';
  }

  get tensors(): readonly Tensor[] {
    return [this.from, this.to];
  }

  encode(context: EncodeContext): void {
    context.copyBuffer(this.from.buffer, this.to.buffer, this.from.paddedBytes);
    context.download(this.to);
  }
}

describe('operations', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test("OpMult multiplies element by element: Kompute's [2, 4, 6] * [0, 1, 2] = [0, 4, 12]", async () => {
    const lhs = mgr.tensor([2, 4, 6]);
    const rhs = mgr.tensor([0, 1, 2]);
    const out = mgr.tensor(3, 'f32');
    const op = new OpMult([lhs, rhs, out]);
    assert.equal(op.name, 'OpMult');
    await mgr.sequence().eval(new OpSyncDevice([lhs, rhs]), op, new OpSyncLocal([out]));
    assert.deepEqual(Array.from(out.data()), [0, 4, 12]);
    for (const r of [op.algorithm, lhs, rhs, out]) r.destroy();
  });

  test('OpMult over 3000 f32 elements matches the CPU, and works for i32 and u32', async () => {
    const n = 3000;
    const xs = randomValues(n, 3);
    const ys = randomValues(n, 4);
    const lhs = mgr.tensor(xs);
    const rhs = mgr.tensor(ys);
    const out = mgr.tensor(n, 'f32');
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([lhs, rhs]), new OpMult([lhs, rhs, out]), new OpSyncLocal([out]));
    assertClose(
      out.data(),
      cpuReference(n, (i) => xs[i]! * ys[i]!),
      1e-6,
    );

    const ints = mgr.tensor(new Int32Array([-3, 4, 5]));
    const intOut = mgr.tensor(3, 'i32');
    await seq.eval(new OpSyncDevice([ints]), new OpMult([ints, ints, intOut]), new OpSyncLocal([intOut]));
    assert.deepEqual(Array.from(intOut.data()), [9, 16, 25]);

    const uints = mgr.tensor(new Uint32Array([65536, 3]));
    const uintOut = mgr.tensor(2, 'u32');
    await seq.eval(new OpSyncDevice([uints]), new OpMult([uints, uints, uintOut]), new OpSyncLocal([uintOut]));
    assert.deepEqual(Array.from(uintOut.data()), [0, 9], 'u32 arithmetic wraps modulo 2^32');
    seq.destroy();
  });

  test('OpMult with tensors of different sizes or dtypes, or not exactly three tensors, fails with SizeError or DTypeError', () => {
    const a = mgr.tensor([1, 2]);
    const b = mgr.tensor([1, 2, 3]);
    const c = mgr.tensor(new Int32Array(2));
    const out = mgr.tensor(2, 'f32');
    assert.throws(() => new OpMult([a, b, out]), SizeError);
    assert.throws(() => new OpMult([a, c, out]), DTypeError);
    assert.throws(() => new OpMult([a, a, out, out]), SizeError);
    assert.throws(() => new OpMult([a, a]), ArgumentError);
  });

  test('OpMemoryBarrier is accepted for Kompute compatibility and changes nothing', async () => {
    const t = mgr.tensor([1, 2], { type: MemoryType.Host });
    const algo = mgr.algorithm([t], INCREMENT_SHADER);
    const seq = mgr.sequence();
    const barrier = new OpMemoryBarrier([t]);
    assert.equal(barrier.name, 'OpMemoryBarrier');
    await seq.eval(new OpAlgoDispatch(algo), barrier, new OpAlgoDispatch(algo));
    assert.deepEqual(Array.from(t.data()), [3, 4]);
    for (const r of [seq, algo, t]) r.destroy();
  });

  test('OpSyncDevice and OpSyncLocal move several tensors of different dtypes in one operation', async () => {
    const f = mgr.tensor([1.5, 2.5]);
    const i = mgr.tensor(new Int32Array([-1, -2, -3]));
    const u = mgr.tensor(new Uint32Array([7]));
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([f, i, u]));
    f.setData([0, 0]);
    i.setData([0, 0, 0]);
    u.setData([0]);
    await seq.eval(new OpSyncLocal([f, i, u]));
    assert.deepEqual(Array.from(f.data()), [1.5, 2.5]);
    assert.deepEqual(Array.from(i.data()), [-1, -2, -3]);
    assert.deepEqual(Array.from(u.data()), [7]);
    for (const r of [seq, f, i, u]) r.destroy();
  });

  test('operation names identify them in timestamps and errors', () => {
    const t = mgr.tensor([1]);
    const out = mgr.tensor(1, 'f32');
    const algo: Algorithm = mgr.algorithm([t, out], DOUBLE_SHADER);
    const names = [new OpSyncDevice([t]), new OpSyncLocal([t]), new OpCopy([t, out]), new OpAlgoDispatch(algo), new OpMemoryBarrier([t])].map((op) => op.name);
    assert.deepEqual(names, ['OpSyncDevice', 'OpSyncLocal', 'OpCopy', 'OpAlgoDispatch', 'OpMemoryBarrier']);
    for (const r of [algo, t, out]) r.destroy();
  });

  test('operations reject empty tensor lists, non-tensors and tensors of two managers with ArgumentError', async () => {
    const t = mgr.tensor([1]);
    assert.throws(() => new OpSyncDevice([]), ArgumentError);
    assert.throws(() => new OpSyncLocal([]), ArgumentError);
    assert.throws(() => new OpCopy([t]), ArgumentError);
    assert.throws(() => new OpMemoryBarrier([]), ArgumentError);
    assert.throws(() => new OpSyncDevice([{} as Tensor]), ArgumentError);
    assert.throws(() => new OpSyncDevice('t' as unknown as Tensor[]), ArgumentError);
    assert.throws(() => new OpAlgoDispatch({} as Algorithm), ArgumentError);
    const other = await createManager();
    try {
      const foreign = other.tensor([1]);
      assert.throws(() => new OpCopy([t, foreign]), ArgumentError);
      assert.throws(() => new OpSyncDevice([t, foreign]), ArgumentError);
    } finally {
      other.destroy();
    }
    t.destroy();
  });

  test('a user-defined Operation subclass records its own GPU work through EncodeContext', async () => {
    const from = mgr.tensor([4, 5, 6], { type: MemoryType.Storage });
    const to = mgr.tensor(3, 'f32');
    const seq = mgr.sequence();
    const op = new OpCopyAndRead(from, to);
    await seq.eval(op);
    assert.deepEqual(Array.from(to.data()), [4, 5, 6]);
    assert.deepEqual(seq.getOperations(), [op]);
    for (const r of [seq, from, to]) r.destroy();
  });
});
