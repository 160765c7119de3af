/** OpMap, OpFill and OpIota against CPU references over odd sizes and every dtype. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ArgumentError, type Manager, OpFill, OpIota, OpMap, OpSyncDevice, OpSyncLocal, ShaderCompileError, SizeError, type Tensor } from '../src/index.js';
import { assertClose, createManager, cpuReference, randomValues } from './helpers.js';

describe('element-wise kernels', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  async function run(outputs: Tensor[], ...ops: Parameters<ReturnType<Manager['sequence']>['eval']>): Promise<void> {
    await mgr.sequence().eval(...ops, new OpSyncLocal(outputs));
  }

  test('OpFill writes one value into f32, i32 and u32 tensors of odd sizes', async () => {
    for (const size of [1, 257, 1001]) {
      const f = mgr.tensor(size, 'f32');
      const i = mgr.tensor(size, 'i32');
      const u = mgr.tensor(size, 'u32');
      await run([f, i, u], new OpFill(f, -2.5), new OpFill(i, -7), new OpFill(u, 4000000000));
      assert.deepEqual([...new Set(f.data())], [-2.5]);
      assert.deepEqual([...new Set(i.data())], [-7]);
      assert.deepEqual([...new Set(u.data())], [4000000000]);
    }
  });

  test('OpIota writes start + i * step', async () => {
    const f = mgr.tensor(1001, 'f32');
    const i = mgr.tensor(333, 'i32');
    const u = mgr.tensor(3, 'u32');
    await run([f, i, u], new OpIota(f, { start: 0.5, step: 0.25 }), new OpIota(i, { start: 10, step: -3 }), new OpIota(u));
    // start + i·step is one f32 multiply-add: exact here, since 0.25 steps of values below 2^22 are representable.
    assertClose(
      f.data(),
      cpuReference(1001, (k) => 0.5 + k * 0.25),
      0,
    );
    assert.deepEqual(
      Array.from(i.data()),
      Array.from({ length: 333 }, (_, k) => 10 - 3 * k),
    );
    assert.deepEqual(Array.from(u.data()), [0, 1, 2]);
  });

  test("OpMap('a * b + 1.0', [a, b], out) over 1,001 elements", async () => {
    const av = randomValues(1001, 3);
    const bv = randomValues(1001, 4);
    const a = mgr.tensor(av);
    const b = mgr.tensor(bv);
    const out = mgr.tensor(1001, 'f32');
    await run([out], new OpSyncDevice([a, b]), new OpMap('a * b + 1.0', [a, b], out));
    // One product and one sum of f32 values, possibly fused: within 2 ulp of the f32 reference.
    assertClose(
      out.data(),
      cpuReference(1001, (i) => av[i]! * bv[i]! + 1),
      3e-7,
    );
  });

  test('OpMap with named inputs, a broadcast scalar, the index, in place, and other dtypes', async () => {
    const xv = randomValues(513, 5);
    const x = mgr.tensor(xv);
    const scale = mgr.tensor([3]);
    const y = mgr.tensor(513, 'f32');
    const idx = mgr.tensor(513, 'u32');
    const ints = mgr.tensor(new Int32Array([5, -3, 8, -1]));
    await run(
      [x, y, idx, ints],
      new OpSyncDevice([x, scale, ints]),
      new OpMap('x * s', { x, s: scale }, y),
      new OpMap('max(x, 0.0)', { x }, x),
      new OpMap('i * 2u + n', {}, idx),
      new OpMap('abs(v) % 3', { v: ints }, ints),
    );
    assertClose(
      y.data(),
      cpuReference(513, (i) => xv[i]! * 3),
      1e-7,
    );
    assertClose(
      x.data(),
      cpuReference(513, (i) => Math.max(xv[i]!, 0)),
      0,
    );
    assert.deepEqual(
      Array.from(idx.data()),
      Array.from({ length: 513 }, (_, i) => i * 2 + 513),
    );
    assert.deepEqual(Array.from(ints.data()), [2, 0, 2, 1]);
  });

  test('the vec4 paths (lengths that are multiples of 4): fill, iota and map with every kind of input match the CPU', async () => {
    const n = 4100; // two workgroups of vec4s, the second partly used
    for (const size of [4, 1024, n]) {
      const f = mgr.tensor(size, 'f32');
      const u = mgr.tensor(size, 'u32');
      await run([f, u], new OpFill(f, 1.5), new OpIota(u, { start: 7, step: 2 }));
      assert.deepEqual([...new Set(f.data())], [1.5], `fill ${size}`);
      assert.deepEqual(
        Array.from(u.data()),
        Array.from({ length: size }, (_, k) => 7 + 2 * k),
        `iota ${size}`,
      );
    }
    const fi = mgr.tensor(n, 'f32');
    const ii = mgr.tensor(n, 'i32');
    await run([fi, ii], new OpIota(fi, { start: -1, step: 0.5 }), new OpIota(ii, { start: 3, step: -2 }));
    assertClose(
      fi.data(),
      cpuReference(n, (k) => -1 + k * 0.5),
      0,
    );
    assert.deepEqual(
      Array.from(ii.data()),
      Array.from({ length: n }, (_, k) => 3 - 2 * k),
    );
    const av = randomValues(n, 21);
    const bv = randomValues(n, 22);
    const bias4v = randomValues(20, 23); // divides n, a multiple of 4: read as vec4s
    const bias5v = randomValues(5, 24); // divides n, not a multiple of 4: read per lane
    const a = mgr.tensor(av);
    const b = mgr.tensor(bv);
    const bias4 = mgr.tensor(bias4v);
    const bias5 = mgr.tensor(bias5v);
    const s = mgr.tensor([2]);
    const out = mgr.tensor(n, 'f32');
    const withIndex = mgr.tensor(n, 'f32');
    const ints = mgr.tensor(new Int32Array(n).map((_, k) => k - 2000));
    await run(
      [out, withIndex, a, ints],
      new OpSyncDevice([a, b, bias4, bias5, s, ints]),
      new OpMap('a * b + p + q * s', { a, b, p: bias4, q: bias5, s }, out),
      new OpMap('f32(i) + f32(n) * a', { a }, withIndex),
      new OpMap('a - 1.0', { a }, a),
      new OpMap('abs(v) % 7', { v: ints }, ints),
    );
    assertClose(
      out.data(),
      cpuReference(n, (i) => av[i]! * bv[i]! + bias4v[i % 20]! + bias5v[i % 5]! * 2),
      1e-6,
    );
    assertClose(
      withIndex.data(),
      cpuReference(n, (i) => i + n * av[i]!),
      // f32(n) * a is rounded to f32 (ulp 1.2e-4 near 2,000) before i is added.
      2e-4,
    );
    assertClose(
      a.data(),
      cpuReference(n, (i) => av[i]! - 1),
      1e-7,
    );
    assert.deepEqual(
      Array.from(ints.data()),
      Array.from({ length: n }, (_, k) => Math.abs(k - 2000) % 7),
    );
  });

  test('OpMap refuses bad names and sizes, and reports a bad expression as ShaderCompileError', async () => {
    const a = mgr.tensor(4, 'f32');
    const out = mgr.tensor(4, 'f32');
    assert.throws(() => new OpMap('a', { a: mgr.tensor(3, 'f32') }, out), SizeError);
    assert.throws(() => new OpMap('i', { i: a }, out), ArgumentError);
    assert.throws(() => new OpMap('in1', { in1: a }, out), ArgumentError);
    assert.throws(() => new OpMap('', [a], out), ArgumentError);
    assert.throws(() => new OpFill(out, Number.NaN), ArgumentError);
    await assert.rejects(new OpMap('a +* 2.0', [a], out).compiled(), ShaderCompileError);
  });
});
