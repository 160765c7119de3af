/**
 * Memory types (Kompute's Memory::MemoryTypes): Device, Host, DeviceAndHost and Storage. Data
 * moves between all of them with OpCopy; Host and DeviceAndHost are kept coherent around each
 * evaluation (the sync operations are no-ops for them); Storage lives on the GPU only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DTypeError, Manager, MemoryType, OpAlgoDispatch, OpCopy, OpSyncDevice, OpSyncLocal, SizeError } from '../src/index.js';
import { createManager, DOUBLE_SHADER, INCREMENT_SHADER, readBack } from './helpers.js';

const TYPES = [MemoryType.Device, MemoryType.Host, MemoryType.DeviceAndHost, MemoryType.Storage] as const;
const COHERENT = [MemoryType.Host, MemoryType.DeviceAndHost] as const;

describe('memory types', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test('OpCopy copies data from every memory type to every memory type', async () => {
    let k = 0;
    for (const from of TYPES) {
      for (const to of TYPES) {
        k++;
        const values = [k, k + 0.5, -k, 100 * k];
        const source = mgr.tensor(values, { type: from });
        const target = mgr.tensor(4, 'f32', { type: to });
        const seq = mgr.sequence();
        // OpSyncDevice puts a Device source's data on the GPU; it is a no-op for the other types.
        await seq.eval(new OpSyncDevice([source]), new OpCopy([source, target]));
        assert.deepEqual(await readBack(mgr, target), values, `${from} -> ${to}`);
        seq.destroy();
        source.destroy();
        target.destroy();
      }
    }
  });

  test('OpCopy copies one source into several targets of different memory types in one operation', async () => {
    const source = mgr.tensor(new Int32Array([3, -1, 4]), { type: MemoryType.Storage });
    const targets = TYPES.map((type) => mgr.tensor(3, 'i32', { type }));
    const seq = mgr.sequence();
    await seq.eval(new OpCopy([source, ...targets]));
    for (const [i, target] of targets.entries()) assert.deepEqual(await readBack(mgr, target), [3, -1, 4], TYPES[i]!);
    seq.destroy();
    for (const t of [source, ...targets]) t.destroy();
  });

  test("OpCopy also updates a Device target's host data, as Kompute does (no OpSyncLocal needed)", async () => {
    const source = mgr.tensor([7, 8]);
    const target = mgr.tensor(2, 'f32');
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([source]), new OpCopy([source, target]));
    assert.deepEqual(Array.from(target.data()), [7, 8]);
    seq.destroy();
    source.destroy();
    target.destroy();
  });

  test('OpCopy between tensors of different dtypes or sizes fails with DTypeError or SizeError', () => {
    const a = mgr.tensor([1, 2]);
    const ints = mgr.tensor(2, 'i32');
    const longer = mgr.tensor(3, 'f32');
    const seq = mgr.sequence();
    assert.throws(() => seq.record(new OpCopy([a, ints])), DTypeError);
    assert.throws(() => seq.record(new OpCopy([a, longer])), SizeError);
    assert.equal(seq.getOperations().length, 0, 'nothing was recorded');
    for (const r of [seq, a, ints, longer]) r.destroy();
  });

  for (const type of COHERENT) {
    test(`${type} tensors show GPU results in data() after an evaluation without OpSyncLocal`, async () => {
      const a = mgr.tensor([1, 2, 3]);
      const out = mgr.tensor(3, 'f32', { type });
      const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
      const seq = mgr.sequence();
      await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo));
      assert.deepEqual(Array.from(out.data()), [2, 4, 6]);
      for (const r of [seq, algo, out, a]) r.destroy();
    });

    test(`${type} tensors: host writes reach the GPU at each evaluation without OpSyncDevice`, async () => {
      const a = mgr.tensor([1, 2, 3], { type });
      const out = mgr.tensor(3, 'f32');
      const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
      const seq = mgr.sequence();
      seq.record(new OpAlgoDispatch(algo)).record(new OpSyncLocal([out]));
      await seq.eval();
      assert.deepEqual(Array.from(out.data()), [2, 4, 6]);
      a.setData([10, 20, 30]);
      await seq.eval();
      assert.deepEqual(Array.from(out.data()), [20, 40, 60]);
      a.data()[0] = -1; // in-place writes too
      await seq.eval();
      assert.deepEqual(Array.from(out.data()), [-2, 40, 60]);
      for (const r of [seq, algo, out, a]) r.destroy();
    });

    test(`OpSyncDevice is a no-op for ${type} tensors: it does not upload stale host data in the middle of a batch`, async () => {
      const t = mgr.tensor([1, 2], { type });
      const algo = mgr.algorithm([t], INCREMENT_SHADER);
      const seq = mgr.sequence();
      await seq.eval(new OpAlgoDispatch(algo), new OpSyncDevice([t]), new OpAlgoDispatch(algo));
      // An upload of the host data [1, 2] between the dispatches would have given [2, 3].
      assert.deepEqual(Array.from(t.data()), [3, 4]);
      for (const r of [seq, algo, t]) r.destroy();
    });

    test(`OpSyncLocal is a no-op for ${type} tensors: host data is kept, unlike a Device tensor's`, async () => {
      const coherent = mgr.tensor([1, 2], { type });
      const device = mgr.tensor([1, 2]);
      const seq = mgr.sequence();
      await seq.eval(new OpSyncDevice([device]));
      coherent.setData([5, 6]);
      device.setData([5, 6]);
      await seq.eval(new OpSyncLocal([coherent, device]));
      assert.deepEqual(Array.from(coherent.data()), [5, 6]);
      assert.deepEqual(Array.from(device.data()), [1, 2], 'a Device tensor gets the GPU data back');
      // And the coherent tensor's new data did reach the GPU.
      const probe = mgr.tensor(2, 'f32');
      await seq.eval(new OpCopy([coherent, probe]), new OpSyncLocal([probe]));
      assert.deepEqual(Array.from(probe.data()), [5, 6]);
      for (const r of [seq, probe, device, coherent]) r.destroy();
    });
  }

  test('Storage tensors: initial data reaches the GPU without any sync operation', async () => {
    const a = mgr.tensor([1.5, 2.5, -3], { type: MemoryType.Storage });
    const out = mgr.tensor(3, 'f32');
    const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
    const seq = mgr.sequence();
    await seq.eval(new OpAlgoDispatch(algo), new OpSyncLocal([out]));
    assert.deepEqual(Array.from(out.data()), [3, 5, -6]);
    // rebuild(data) of a Storage tensor also puts the new data on the GPU.
    a.rebuild([4, 5, 6]);
    out.rebuild(3);
    await seq.eval(new OpAlgoDispatch(algo), new OpSyncLocal([out]));
    assert.deepEqual(Array.from(out.data()), [8, 10, 12]);
    for (const r of [seq, algo, out, a]) r.destroy();
  });

  test('Storage tensors made from a length are zero on the GPU, and sync operations on them are no-ops', async () => {
    const s = mgr.tensor(4, 'u32', { type: MemoryType.Storage });
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([s]), new OpSyncLocal([s]));
    assert.deepEqual(await readBack(mgr, s), [0, 0, 0, 0]);
    seq.destroy();
    s.destroy();
  });

  test('Storage tensors keep GPU results between evaluations (intermediate buffers)', async () => {
    const a = mgr.tensor([1, 2], { type: MemoryType.Host });
    const mid = mgr.tensor(2, 'f32', { type: MemoryType.Storage });
    const out = mgr.tensor(2, 'f32', { type: MemoryType.Host });
    const first = mgr.algorithm([a, mid], DOUBLE_SHADER);
    const second = mgr.algorithm([mid, out], DOUBLE_SHADER);
    const seq = mgr.sequence();
    await seq.eval(new OpAlgoDispatch(first));
    await seq.eval(new OpAlgoDispatch(second));
    assert.deepEqual(Array.from(out.data()), [4, 8]);
    for (const r of [seq, first, second, a, mid, out]) r.destroy();
  });
});
