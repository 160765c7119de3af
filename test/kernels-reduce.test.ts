/**
 * OpReduce, OpSoftmax and OpScan against CPU references: odd sizes, multi-pass sizes, every
 * dtype, both axes, and the scratch tensors they create (owned by the manager, in mgr.memory()).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ArgumentError, DTypeError, type Manager, OpFill, OpReduce, OpScan, OpSoftmax, OpSyncDevice, OpSyncLocal, type ReduceOp, SizeError, type Tensor } from '../src/index.js';
import { assertClose, createManager, randomValues } from './helpers.js';

function cpuReduce(values: ArrayLike<number>, op: ReduceOp | 'mean'): number {
  let acc = op === 'max' ? -Infinity : op === 'min' ? Infinity : 0;
  for (let i = 0; i < values.length; i++) acc = op === 'max' ? Math.max(acc, values[i]!) : op === 'min' ? Math.min(acc, values[i]!) : acc + values[i]!;
  return op === 'mean' ? acc / values.length : acc;
}

describe('reductions, softmax and scan', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  async function reduce(x: Tensor, outSize: number, options: ConstructorParameters<typeof OpReduce>[2]): Promise<number[]> {
    const out = mgr.tensor(outSize, x.dtype);
    await mgr.sequence().eval(new OpSyncDevice([x]), new OpReduce(x, out, options), new OpSyncLocal([out]));
    return Array.from(out.data());
  }

  test('whole-tensor sum, max, min and mean of f32, one pass and two passes, vec4 and scalar reads', async () => {
    for (const [size, ops] of [
      [1, ['sum']],
      [1001, ['max', 'mean']],
      [100_003, ['sum', 'min']],
      [100_000, ['sum', 'max', 'mean']],
    ] as const) {
      const values = randomValues(size, size);
      const x = mgr.tensor(values);
      for (const op of ops) {
        const [got] = await reduce(x, 1, { op });
        // A tree sum of n values in [-1, 1) is off by at most about log2(n) · 2⁻²⁴ · n from the exact sum;
        // 1e-6 · n covers it (n = 100,003: 0.1 against sums of a few hundred). max/min are exact.
        const tolerance = op === 'sum' ? 1e-6 * size : op === 'mean' ? 1e-6 : 0;
        assertClose([got!], [cpuReduce(values, op)], tolerance, `${op} of ${size}`);
      }
    }
  });

  test('a whole-tensor reduction in one dispatch or two: the same results, evaluation after evaluation; its scratch tensor is the manager’s', async () => {
    // 300,001 values: 74 workgroups of the first pass, whose totals the last one combines.
    const size = 300_001;
    const iv = Int32Array.from({ length: size }, (_, i) => ((i * 7919) % 2001) - 1000);
    const x = mgr.tensor(iv);
    const fv = randomValues(size, 5);
    const f = mgr.tensor(fv);
    await mgr.sequence().eval(new OpSyncDevice([x, f]));
    for (const onePass of [true, false]) {
      const start = mgr.memory();
      const outs = [mgr.tensor(1, 'i32'), mgr.tensor(1, 'i32'), mgr.tensor(1, 'f32')];
      const before = mgr.memory();
      const sum = new OpReduce(x, outs[0]!, { onePass });
      const min = new OpReduce(x, outs[1]!, { op: 'min', onePass });
      const mean = new OpReduce(f, outs[2]!, { op: 'mean', onePass, subgroups: false });
      const after = mgr.memory();
      // One pass: a state of two words per workgroup and a count; two passes: one partial per workgroup.
      assert.equal(after.tensors - before.tensors, 3, `onePass ${onePass}: one scratch tensor each`);
      assert.equal(after.deviceBytes - before.deviceBytes, 3 * (onePass ? 2 * 74 + 1 : 74) * 4, `onePass ${onePass}: scratch bytes`);
      // The same operation three times in one evaluation, then again: each dispatch starts from a clean state.
      const seq = mgr.sequence();
      for (const op of [sum, min, mean, sum, sum, mean, new OpSyncLocal(outs)]) seq.record(op);
      for (let round = 0; round < 3; round++) {
        await seq.eval();
        assert.equal(outs[0]!.data()[0], cpuReduce(iv, 'sum'), `onePass ${onePass}, round ${round}: i32 sum`);
        assert.equal(outs[1]!.data()[0], cpuReduce(iv, 'min'), `onePass ${onePass}, round ${round}: i32 min`);
        assertClose([outs[2]!.data()[0]!], [cpuReduce(fv, 'mean')], 1e-6, `onePass ${onePass}, round ${round}: f32 mean`);
      }
      // Synchronous from here: no collection of earlier tests' tensors changes the counts in between.
      const live = mgr.memory();
      seq.destroy();
      for (const op of [sum, min, mean]) op.destroyResources();
      for (const t of outs) t.destroy();
      const end = mgr.memory();
      assert.deepEqual([live.tensors - end.tensors, live.deviceBytes - end.deviceBytes], [6, after.deviceBytes - start.deviceBytes], `onePass ${onePass}: everything freed`);
    }
  });

  test('i32 and u32 reductions are exact', async () => {
    const size = 70_001;
    const iv = Int32Array.from({ length: size }, (_, i) => ((i * 7919) % 2001) - 1000);
    const uv = Uint32Array.from({ length: size }, (_, i) => (i * 104729) % 50_000);
    assert.deepEqual(await reduce(mgr.tensor(iv), 1, { op: 'sum' }), [cpuReduce(iv, 'sum')], 'i32 sum');
    assert.deepEqual(await reduce(mgr.tensor(iv), 1, { op: 'min' }), [cpuReduce(iv, 'min')], 'i32 min');
    assert.deepEqual(await reduce(mgr.tensor(uv), 1, { op: 'max' }), [cpuReduce(uv, 'max')], 'u32 max');
  });

  test('reductions along an axis of [rows, cols]', async () => {
    for (const [rows, cols, ops] of [
      [1, 1, ['sum']],
      [37, 301, ['sum', 'max']],
      [300, 5, ['mean']],
      [3, 2051, ['min']],
      [2, 4096, ['sum']],
      // The bench's row length (vec4 loads unrolled), and rows too long to unroll (a loop).
      [5, 1024, ['sum', 'max']],
      [2, 20_000, ['max']],
    ] as const) {
      const values = randomValues(rows * cols, rows + cols);
      const x = mgr.tensor(values);
      for (const op of ops) {
        const byRow = await reduce(x, rows, { op, axis: 1, shape: [rows, cols] });
        const byCol = await reduce(x, cols, { op, axis: 0, shape: [rows, cols] });
        const row = (r: number) => values.subarray(r * cols, (r + 1) * cols);
        const col = (c: number) => Array.from({ length: rows }, (_, r) => values[r * cols + c]!);
        // Sums of at most 4,096 values in [-1, 1): f32 rounding stays below 1e-4 · (1 + |sum|).
        assertClose(
          byRow,
          Array.from({ length: rows }, (_, r) => cpuReduce(row(r), op)),
          1e-4,
          `${op} rows`,
        );
        assertClose(
          byCol,
          Array.from({ length: cols }, (_, c) => cpuReduce(col(c), op)),
          1e-4,
          `${op} cols`,
        );
      }
    }
  });

  test('with and without subgroup operations (where the device has them), the results agree', async () => {
    const size = 10_001;
    const values = randomValues(size, 77);
    const x = mgr.tensor(values);
    const ints = mgr.tensor(Int32Array.from(values, (v) => Math.round(v * 1000)));
    for (const subgroups of [false, true]) {
      const [sum] = await reduce(x, 1, { op: 'sum', subgroups });
      // Tree sums of 10,001 values in [-1, 1): within 1e-6 · n of the exact sum (see above).
      assertClose([sum!], [cpuReduce(values, 'sum')], 1e-6 * size, `sum, subgroups ${subgroups}`);
      assert.deepEqual(await reduce(ints, 1, { op: 'min', subgroups }), [cpuReduce(ints.data(), 'min')]);
      const rows = await reduce(ints, 73, { op: 'max', axis: 1, shape: [73, 137], subgroups });
      assert.deepEqual(
        rows,
        Array.from({ length: 73 }, (_, r) => cpuReduce(ints.data().subarray(r * 137, (r + 1) * 137), 'max')),
      );
      const out = mgr.tensor(size, 'i32');
      await mgr.sequence().eval(new OpSyncDevice([ints]), new OpScan(ints, out, { subgroups }), new OpSyncLocal([out]));
      let acc = 0;
      assert.deepEqual(
        Array.from(out.data()),
        Array.from(ints.data(), (v) => (acc += v)),
        `scan, subgroups ${subgroups}`,
      );
    }
  });

  test('reduction arguments: shapes, sizes, dtypes and operations are checked', () => {
    const x = mgr.tensor(6, 'f32');
    assert.throws(() => new OpReduce(x, mgr.tensor(2, 'f32')), SizeError);
    assert.throws(() => new OpReduce(x, mgr.tensor(1, 'i32')), DTypeError);
    assert.throws(() => new OpReduce(x, mgr.tensor(2, 'f32'), { axis: 1, shape: [3, 3] }), SizeError);
    assert.throws(() => new OpReduce(x, mgr.tensor(1, 'f32'), { op: 'prod' as never }), ArgumentError);
    assert.throws(() => new OpReduce(mgr.tensor(4, 'i32'), mgr.tensor(1, 'i32'), { op: 'mean' }), DTypeError);
  });

  // Rows held in registers by 64 invocations (301, 1024, 1 values) or by 256 (3,000), and rows
  // too long for that (5,000: three passes), on the subgroup and the portable path; rows of a
  // multiple of 4 take the vec4 form (1,024, 12, 4,092, 3,000).
  for (const [rows, cols, subgroups] of [
    [5, 301, undefined],
    [5, 301, false],
    [3, 1024, undefined],
    [3, 1024, false],
    [9, 12, undefined],
    [3, 4092, false],
    [7, 1, undefined],
    [2, 3000, undefined],
    [2, 3000, false],
    [2, 5000, undefined],
  ] as const)
    test(`softmax along rows of [${rows}, ${cols}] is numerically stable, in place or not (subgroups: ${subgroups ?? 'default'})`, async () => {
      const values = randomValues(rows * cols, 9).map((v, i) => v * 20 + (i % cols === 0 ? 1000 : 0));
      const x = mgr.tensor(values);
      const out = mgr.tensor(rows * cols, 'f32');
      await mgr
        .sequence()
        .eval(
          new OpSyncDevice([x]),
          new OpSoftmax(x, out, { shape: [rows, cols], ...(subgroups === undefined ? {} : { subgroups }) }),
          new OpSoftmax(x, x, { shape: [rows, cols], ...(subgroups === undefined ? {} : { subgroups }) }),
          new OpSyncLocal([out, x]),
        );
      const expected = new Float64Array(rows * cols);
      for (let r = 0; r < rows; r++) {
        const row = values.subarray(r * cols, (r + 1) * cols);
        const m = Math.max(...row);
        const sum = row.reduce((s, v) => s + Math.exp(v - m), 0);
        for (let c = 0; c < cols; c++) expected[r * cols + c] = Math.exp(row[c]! - m) / sum;
      }
      // exp in f32 is good to a few ulp; the row sum to about cols · 2⁻²⁴ relative: 1e-5 is ample.
      assertClose(out.data(), expected, 1e-5, 'softmax');
      assertClose(x.data(), expected, 1e-5, 'softmax in place');
      assert.ok(out.data().every(Number.isFinite), 'a logit of 1000 gives no NaN or infinity');
    });

  test('inclusive and exclusive scans over one block and several blocks, every dtype and operation', async () => {
    // Each (size, dtype, operation, exclusive) compiles its own shaders, slow on a software GPU: the
    // cases cover one block, several blocks, each dtype and each operation, not every combination.
    const cases = [
      [1, 'f32', 'sum', false],
      [2047, 'f32', 'sum', true],
      [10_001, 'f32', 'sum', false],
      [10_001, 'i32', 'sum', true],
      [2049, 'i32', 'max', false],
      [10_001, 'u32', 'min', true],
      [10_001, 'f32', 'max', true],
      // Lengths of a multiple of 4 take the vec4 loads and stores.
      [4, 'f32', 'sum', false],
      [2048, 'u32', 'sum', true],
      [12_296, 'f32', 'sum', false],
      [8192, 'i32', 'max', true],
      [10_000, 'u32', 'min', false],
    ] as const;
    for (const [size, dtype, op, exclusive] of cases) {
      for (const lookBack of [true, false]) {
        const values = randomValues(size, size + 1);
        const ints = Int32Array.from(values, (v) => Math.round(v * 100));
        const uints = Uint32Array.from(values, (v) => Math.round((v + 1) * 50));
        const data = dtype === 'f32' ? values : dtype === 'i32' ? ints : uints;
        const x = mgr.tensor(data);
        const out = mgr.tensor(size, dtype);
        await mgr.sequence().eval(new OpSyncDevice([x]), new OpScan(x, out, { op, exclusive, lookBack }), new OpSyncLocal([out]));
        const expected: number[] = [];
        let acc =
          op === 'max'
            ? (dtype as string) === 'f32'
              ? -3.4028234663852886e38
              : (dtype as string) === 'i32'
                ? -2147483648
                : 0
            : op === 'min'
              ? (dtype as string) === 'f32'
                ? 3.4028234663852886e38
                : (dtype as string) === 'i32'
                  ? 2147483647
                  : 4294967295
              : 0;
        for (let i = 0; i < size; i++) {
          const before = acc;
          acc = op === 'max' ? Math.max(acc, data[i]!) : op === 'min' ? Math.min(acc, data[i]!) : acc + data[i]!;
          expected.push(exclusive ? before : acc);
        }
        // f32 prefix sums of up to 10,001 values in [-1, 1) are added in a different order than
        // on the CPU: the difference stays below n · 2⁻²⁴ · (running magnitude), so 1e-3 absolute.
        if (dtype === 'f32' && op === 'sum') assertClose(out.data(), expected, 1e-3, `f32 scan ${size}, lookBack ${lookBack}`);
        else assert.deepEqual(Array.from(out.data()), expected, `${dtype} ${op} exclusive=${exclusive} size ${size} lookBack ${lookBack}`);
      }
    }
  });

  test('an in-place scan of a multiple of 4 elements (vec4 path) agrees with the CPU, inclusive and exclusive', async () => {
    for (const exclusive of [false, true]) {
      const size = 3 * 2048 + 12;
      const data = Int32Array.from(randomValues(size, 77), (v) => Math.round(v * 100));
      const x = mgr.tensor(data);
      await mgr.sequence().eval(new OpSyncDevice([x]), new OpScan(x, x, { exclusive }), new OpSyncLocal([x]));
      const expected: number[] = [];
      let acc = 0;
      for (const v of data) {
        expected.push(exclusive ? acc : acc + v);
        acc += v;
      }
      assert.deepEqual(Array.from(x.data()), expected, `in place, exclusive=${exclusive}`);
    }
  });

  test('a scan over more than 2,048 blocks runs three levels; its scratch tensors are the manager’s', async () => {
    const size = 2048 * 2048 + 3;
    const ones = mgr.tensor(size, 'u32');
    const out = mgr.tensor(size, 'u32');
    const before = mgr.memory();
    const scan = new OpScan(ones, out, { exclusive: true, lookBack: false });
    const after = mgr.memory();
    // Block totals (2,049) and the totals of those (2): two scratch tensors, counted in the ledger.
    assert.equal(after.tensors, before.tensors + 2);
    assert.equal(after.deviceBytes - before.deviceBytes, (2049 + 2) * 4);
    await mgr.sequence().eval(new OpFill(ones, 1), scan, new OpSyncLocal([out]));
    const data = out.data();
    for (const i of [0, 1, 2047, 2048, 4_000_000, size - 1]) assert.equal(data[i], i, `out[${i}]`);
    mgr.destroy();
    mgr = await createManager();
  });
  test('a scan in one pass (look-back) over 1,025 tiles: exact, in place and not, evaluation after evaluation; one scratch tensor', async () => {
    // 4,198,403 elements: 1,025 tiles of 4,096, the last one partial; scalar loads (not a multiple of 4).
    const size = 1025 * 4096 - 1997;
    const ones = mgr.tensor(size, 'u32');
    const out = mgr.tensor(size, 'u32');
    const before = mgr.memory();
    const scan = new OpScan(ones, out, { exclusive: true, lookBack: true });
    const after = mgr.memory();
    // The tiles' states: two words each, and the tile counter.
    assert.equal(after.tensors, before.tensors + 1);
    assert.equal(after.deviceBytes - before.deviceBytes, (2 * 1025 + 1) * 4);
    const inPlace = new OpScan(ones, ones, { lookBack: true });
    const seq = mgr.sequence();
    for (const op of [new OpFill(ones, 1), scan, inPlace, new OpSyncLocal([out, ones])]) seq.record(op);
    for (let round = 0; round < 2; round++) {
      await seq.eval();
      const counted = out.data();
      const inclusive = ones.data();
      for (const i of [0, 1, 4095, 4096, 4097, 2_000_001, size - 2, size - 1]) {
        assert.equal(counted[i], i, `round ${round}: exclusive out[${i}]`);
        assert.equal(inclusive[i], i + 1, `round ${round}: in-place inclusive out[${i}]`);
      }
    }
    seq.destroy();
    scan.destroyResources();
    inPlace.destroyResources();
    ones.destroy();
    out.destroy();
  });

  test('a one-pass scan of vec4s (striped tiles of 8,192) stays exact over many scans of one state buffer', async () => {
    // 2 tiles and a part: 3 tiles in a dispatch of 4 workgroups (one returns at once), so every
    // scan takes 4 tickets; 3 scans an evaluation, 6 evaluations: 18 scans read states left by
    // the scan before theirs.
    const size = 2 * 8192 + 1000;
    const ones = mgr.tensor(new Uint32Array(size).fill(1));
    const out = mgr.tensor(size, 'u32');
    const scan = new OpScan(ones, out, { lookBack: true });
    const seq = mgr.sequence();
    for (const op of [new OpSyncDevice([ones]), scan, scan, scan, new OpSyncLocal([out])]) seq.record(op);
    for (let round = 0; round < 6; round++) {
      await seq.eval();
      const got = out.data();
      for (const i of [0, 3, 4, 8191, 8192, 16_383, 16_384, size - 2, size - 1]) assert.equal(got[i], i + 1, `round ${round}: out[${i}]`);
    }
    seq.destroy();
    scan.destroyResources();
    ones.destroy();
    out.destroy();
  });

  test('long odd lengths: workgroups that scan several blocks in turn agree with the CPU', async () => {
    // 5M + 7 elements, 3 blocks of 2,048 per workgroup: exclusive count of ones, exact.
    const size = 5 * 1024 * 1024 + 7;
    const ones = mgr.tensor(size, 'u32');
    const out = mgr.tensor(size, 'u32');
    await mgr.sequence().eval(new OpFill(ones, 1), new OpScan(ones, out, { exclusive: true, blockTiles: 3 }), new OpScan(ones, ones, { blockTiles: 3 }), new OpSyncLocal([out, ones]));
    const counted = out.data();
    const inclusive = ones.data();
    for (const i of [0, 1, 2047, 2048, 6143, 6144, 6145, 3_000_001, size - 2, size - 1]) {
      assert.equal(counted[i], i, `exclusive out[${i}]`);
      assert.equal(inclusive[i], i + 1, `in-place inclusive out[${i}]`);
    }
    // Forced tilings over an odd length, every operation and both paths, against the CPU.
    const n = 3 * 2048 * 5 + 1001;
    const values = randomValues(n, 4242);
    const ints = Int32Array.from(values, (v) => Math.round(v * 100));
    const x = mgr.tensor(ints);
    for (const [op, exclusive, blockTiles, subgroups] of [
      ['sum', false, 5, true],
      ['sum', true, 3, false],
      ['max', false, 4, true],
      ['min', true, 7, false],
    ] as const) {
      const y = mgr.tensor(n, 'i32');
      await mgr.sequence().eval(new OpSyncDevice([x]), new OpScan(x, y, { op, exclusive, blockTiles, subgroups }), new OpSyncLocal([y]));
      const expected: number[] = [];
      let acc = op === 'max' ? -2147483648 : op === 'min' ? 2147483647 : 0;
      for (const v of ints) {
        const before = acc;
        acc = op === 'max' ? Math.max(acc, v) : op === 'min' ? Math.min(acc, v) : acc + v;
        expected.push(exclusive ? before : acc);
      }
      assert.deepEqual(Array.from(y.data()), expected, `${op} exclusive=${exclusive} blockTiles=${blockTiles} subgroups=${subgroups}`);
    }
    assert.throws(() => new OpScan(x, mgr.tensor(n, 'i32'), { blockTiles: 0 }), ArgumentError);
  });
});
