/**
 * Destroyed tensors' GPU buffers (issue 16, class 5): they wait in the manager's bounded pool and
 * serve the next tensor of their size, so create/destroy churn creates no new GPU buffers (Dawn's
 * createBuffer + destroy grows a process's memory). A reused buffer reads as zeros or as the new
 * tensor's data, never as the last owner's; a buffer handed out through `tensor.buffer` is never
 * reused; the pool is counted in `poolBytes`, bounded, trimmed and destroyed with the manager.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Manager, MemoryType, OpAlgoDispatch, OpCopy, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { DOUBLE_SHADER, withManager } from './helpers.js';

const N = 64;
const BYTES = N * 4;

/** What the GPU buffer of `t` holds, read back through a sequence. */
async function gpuValues(mgr: Manager, t: ReturnType<Manager['tensor']>): Promise<number[]> {
  const seq = mgr.sequence();
  await seq.eval(new OpSyncLocal([t]));
  const values = [...t.data()];
  seq.destroy();
  return values;
}

describe('tensor buffer pool', () => {
  test("a destroyed tensor's buffer goes to the pool (poolBytes) and the next tensor of its size takes it, cleared to zeros", async () => {
    await withManager(async (mgr) => {
      const old = mgr.tensor(Float32Array.from({ length: N }, (_, i) => i + 1));
      const seq = mgr.sequence();
      await seq.eval(new OpSyncDevice([old]));
      seq.destroy();
      mgr.trimStagingPool();
      const before = mgr.memory();
      old.destroy();
      const released = mgr.memory();
      assert.equal(released.deviceBytes, before.deviceBytes - BYTES);
      assert.equal(released.poolBytes, before.poolBytes + BYTES, 'the buffer waits in the pool');
      assert.equal(released.totalBytes, released.deviceBytes + released.imageBytes + released.stagingBytes + released.otherBytes + released.poolBytes);
      const fresh = mgr.tensor(N, 'f32');
      assert.equal(mgr.memory().poolBytes, released.poolBytes - BYTES, 'taken from the pool, not created');
      assert.deepEqual(await gpuValues(mgr, fresh), new Array(N).fill(0), "the last owner's data never shows");
    });
  });

  test('a reused buffer of a Storage tensor holds the new data; of a Device tensor, zeros until synced', async () => {
    await withManager(async (mgr) => {
      const values = Float32Array.from({ length: N }, (_, i) => 2 * i);
      for (let round = 0; round < 3; round++) {
        const dirty = mgr.tensor(new Float32Array(N).fill(99), { type: MemoryType.Storage });
        dirty.destroy();
        const stored = mgr.tensor(values, { type: MemoryType.Storage });
        const out = mgr.tensor(N, 'f32');
        const algo = mgr.algorithm([stored, out], DOUBLE_SHADER);
        const seq = mgr.sequence();
        await seq.eval(new OpAlgoDispatch(algo), new OpSyncLocal([out]));
        assert.deepEqual(
          [...out.data()],
          [...values].map((v) => 2 * v),
        );
        for (const r of [seq, algo, out, stored]) r.destroy();
        const unsynced = mgr.tensor(new Float32Array(N).fill(5));
        assert.deepEqual(await gpuValues(mgr, unsynced), new Array(N).fill(0), 'a Device tensor is zeros on the GPU until OpSyncDevice');
        unsynced.destroy();
      }
    });
  });

  test('an odd-length f16 Storage tensor gets its data in a reused, padded buffer', async (t) => {
    await withManager(async (mgr) => {
      if (!mgr.deviceInfo().features.includes('shader-f16')) {
        t.skip('no shader-f16');
        return;
      }
      mgr.tensor(3, 'f16', { type: MemoryType.Storage }).destroy();
      const bits = new Uint16Array([0x3c00, 0x4000, 0x4200]);
      const stored = mgr.tensor(bits, { type: MemoryType.Storage });
      const copy = mgr.tensor(3, 'f16');
      const seq = mgr.sequence();
      await seq.eval(new OpCopy([stored, copy]), new OpSyncLocal([copy]));
      assert.deepEqual([...copy.data()], [...bits]);
    });
  });

  test('a buffer handed out through tensor.buffer is destroyed, not reused', async () => {
    await withManager(async (mgr) => {
      const t = mgr.tensor(N, 'f32');
      const raw = t.buffer;
      const before = mgr.memory().poolBytes;
      t.destroy();
      assert.equal(mgr.memory().poolBytes, before, 'not pooled: its user may still hold it');
      const next = mgr.tensor(N, 'f32');
      assert.notEqual(next.buffer, raw);
    });
  });

  test('churn creates no new buffers: 2,000 create/destroy cycles leave one buffer in the pool', async () => {
    await withManager(async (mgr) => {
      for (let i = 0; i < 2000; i++) mgr.tensor(N, 'f32').destroy();
      const m = mgr.memory();
      assert.equal(m.tensors, 0);
      assert.equal(m.deviceBytes, 0);
      assert.equal(m.poolBytes, BYTES, 'one buffer, reused every cycle');
      mgr.trimStagingPool();
      assert.equal(mgr.memory().poolBytes, 0);
      assert.equal(mgr.memory().totalBytes, 0);
    });
  });

  test('the pool is bounded by stagingPoolBytes (0 turns it off) and emptied when the manager is destroyed', async () => {
    await withManager(
      async (mgr) => {
        const tensors = Array.from({ length: 4 }, () => mgr.tensor(N, 'f32'));
        for (const t of tensors) t.destroy();
        assert.equal(mgr.memory().poolBytes, 0);
        assert.equal(mgr.memory().totalBytes, 0);
      },
      { stagingPoolBytes: 0 },
    );
    let held: Manager | null = null;
    await withManager(
      async (mgr) => {
        held = mgr;
        // Small buffers count 64 KiB each against the bound: two fit under 128 KiB.
        const tensors = Array.from({ length: 5 }, () => mgr.tensor(N, 'f32'));
        for (const t of tensors) t.destroy();
        assert.equal(mgr.memory().poolBytes, 2 * BYTES);
      },
      { stagingPoolBytes: 128 * 1024 },
    );
    assert.equal(held!.memory().poolBytes, 0, 'destroyed with the manager');
    assert.equal(held!.memory().totalBytes, 0);
  });
});
