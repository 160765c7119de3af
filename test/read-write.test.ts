/**
 * `await tensor.read()` and `await tensor.write(values)`: one-off transfers on a sequence of their
 * own, checked against raw WebGPU reads of the tensor's buffer and against a kernel's results;
 * the ownership rules (a destroyed tensor or manager throws DestroyedError, nothing is left
 * behind) and the Storage case.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DestroyedError, type Manager, MemoryType, OpAlgoDispatch, StateError } from '../src/index.js';
import { assertFails, createManager, DOUBLE_SHADER, liveMemory, rawRead } from './helpers.js';

describe('tensor.read() and tensor.write()', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test('write() uploads: the GPU buffer holds the values (read with raw WebGPU)', async () => {
    const t = mgr.tensor(4, 'f32');
    await t.write([1.5, -2, 3, 4e6]);
    assert.deepEqual([...new Float32Array(await rawRead(mgr.device, t.buffer, 16))], [1.5, -2, 3, 4e6]);
    assert.deepEqual([...t.data()], [1.5, -2, 3, 4e6], 'the host copy holds them too');
    t.destroy();
  });

  test('read() downloads what a kernel wrote, as a copy of its own', async () => {
    const a = mgr.tensor(new Float32Array([1, 2, 3, 4]));
    const out = mgr.tensor(4, 'f32');
    await a.write(a.data());
    const seq = mgr.sequence();
    await seq.eval(new OpAlgoDispatch(mgr.algorithm([a, out], DOUBLE_SHADER)));
    assert.deepEqual([...out.data()], [0, 0, 0, 0], 'without a download the host copy is unchanged (Kompute semantics)');
    const values = await out.read();
    assert.ok(values instanceof Float32Array);
    assert.deepEqual([...values], [2, 4, 6, 8]);
    assert.deepEqual([...out.data()], [2, 4, 6, 8], 'the host copy is updated as by OpSyncLocal');
    values[0] = 99;
    assert.equal(out.data()[0], 2, 'the array returned is a copy');
    seq.destroy();
  });

  test('large tensors (mapped staging) round-trip through write() and read()', async () => {
    const n = 100_000;
    const values = Int32Array.from({ length: n }, (_, i) => (i * 7919) % 100_003);
    const t = mgr.tensor(n, 'i32');
    await t.write(values);
    const gpu = new Int32Array(await rawRead(mgr.device, t.buffer, n * 4));
    assert.deepEqual(gpu, values);
    t.setData(new Int32Array(n));
    assert.deepEqual(await t.read(), values);
    t.destroy();
  });

  test('each call leaves no sequence or buffer behind', async () => {
    // A manager of its own: resources earlier tests dropped may be collected in the middle.
    await using own = await createManager();
    const before = liveMemory(own.memory());
    const t = own.tensor(8, 'u32');
    for (let i = 0; i < 3; i++) {
      await t.write(new Uint32Array(8).fill(i));
      assert.deepEqual([...(await t.read())], new Array(8).fill(i));
    }
    t.destroy();
    assert.deepEqual(liveMemory(own.memory()), before);
  });

  test('a destroyed tensor throws DestroyedError; Storage tensors have no host copy', async () => {
    const t = mgr.tensor(2, 'f32');
    t.destroy();
    await assertFails(() => t.read(), DestroyedError, /read\(\)/);
    await assertFails(() => t.write([1, 2]), DestroyedError, /write\(\)/);
    const storage = mgr.tensor(2, 'f32', { type: MemoryType.Storage });
    await assertFails(() => storage.read(), StateError, /Storage tensors have no host copy/);
    await assertFails(() => storage.write([1, 2]), StateError, /Storage tensors have no host copy/);
    storage.destroy();
  });

  test("a destroyed manager's tensors throw DestroyedError", async () => {
    const other = await createManager();
    const t = other.tensor([1, 2]);
    other.destroy();
    await assertFails(() => t.read(), DestroyedError);
    await assertFails(() => t.write([3, 4]), DestroyedError);
  });
});
