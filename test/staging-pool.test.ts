/**
 * The staging pool (issue 4): staging buffers that tensors and sequences release wait, bounded, in
 * their manager's pool for reuse; `mgr.memory().poolBytes` reports them apart; reuse never lets
 * old data or old views reach a new owner.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_STAGING_POOL_BYTES, DestroyedError, type Manager, MemoryType, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { createManager, gcUntil, withManager } from './helpers.js';

/** Elements of a tensor over the 64 KiB line, so it has its own mapped staging buffers. */
const LARGE = 32 * 1024;

/** Waits until released upload buffers were mapped again and can be handed out (a few device ticks). */
async function poolSettled(mgr: Manager): Promise<void> {
  await mgr.device.queue.onSubmittedWorkDone();
  await new Promise((resolve) => setTimeout(resolve, 20));
}

/** A large tensor whose upload and readback staging both exist (it went to the GPU and back). */
async function roundTripped(mgr: Manager, fill: number): Promise<{ data: Float32Array; staging: number }> {
  const before = mgr.memory().stagingBytes;
  const t = mgr.tensor(new Float32Array(LARGE).fill(fill));
  const seq = mgr.sequence();
  await seq.eval(new OpSyncDevice([t]), new OpSyncLocal([t]));
  const data = t.data() as Float32Array;
  assert.equal(data[LARGE - 1], fill);
  const staging = mgr.memory().stagingBytes - before;
  seq.destroy();
  t.destroy();
  return { data, staging };
}

describe('staging pool', () => {
  test("a destroyed tensor's staging waits in the pool, reported as poolBytes, and a new tensor of its size reuses it", async () => {
    await withManager(async (mgr) => {
      const { staging } = await roundTripped(mgr, 7);
      assert.equal(staging, 2 * LARGE * 4, 'an upload and a readback buffer');
      const released = mgr.memory();
      assert.equal(released.stagingBytes, 0);
      assert.ok(released.poolBytes >= staging, `poolBytes ${released.poolBytes}`);
      assert.equal(released.totalBytes, released.deviceBytes + released.imageBytes + released.stagingBytes + released.otherBytes + released.poolBytes);
      await poolSettled(mgr);

      const t = mgr.tensor(LARGE, 'f32');
      const data = t.data();
      const reused = mgr.memory();
      assert.equal(reused.stagingBytes, LARGE * 4, 'the new tensor has its upload buffer');
      // Its upload buffer and its GPU buffer (destroyed tensors' buffers are pooled too).
      assert.equal(reused.poolBytes, released.poolBytes - 2 * LARGE * 4, 'taken from the pool, not created');
      assert.ok(
        data.every((x) => x === 0),
        "a reused buffer is cleared: the last owner's data never shows",
      );
      data.set(new Float32Array(LARGE).fill(3));
      const seq = mgr.sequence();
      await seq.eval(new OpSyncDevice([t]), new OpSyncLocal([t]));
      const back = t.data();
      assert.equal(back[0], 3);
      assert.equal(back[LARGE - 1], 3);
      assert.equal(mgr.memory().poolBytes, released.poolBytes - 3 * LARGE * 4, 'its readback buffer came from the pool too');
    });
  });

  test("a view kept from a destroyed tensor is detached: it cannot see or change the next owner's data", async () => {
    await withManager(async (mgr) => {
      const { data: stale } = await roundTripped(mgr, 5);
      await poolSettled(mgr);
      assert.equal(stale.length, 0, 'the old data() view was detached when its buffer went to the pool');
      const t = mgr.tensor(new Float32Array(LARGE).fill(9));
      assert.equal(t.data()[0], 9);
    });
  });

  test('the pool keeps at most stagingPoolBytes; what does not fit is destroyed at once', async () => {
    const oneTensor = LARGE * 4;
    await withManager(
      async (mgr) => {
        const tensors = [1, 2, 3].map((i) => mgr.tensor(new Float32Array(LARGE).fill(i)));
        assert.equal(mgr.memory().stagingBytes, 3 * oneTensor);
        for (const t of tensors) t.destroy();
        const m = mgr.memory();
        assert.equal(m.poolBytes, oneTensor, "one upload buffer fits in 1.5 tensors' worth");
        assert.equal(m.stagingBytes, 0);
        assert.equal(m.totalBytes, m.poolBytes);
      },
      { stagingPoolBytes: oneTensor * 1.5 },
    );
  });

  test('stagingPoolBytes: 0 turns pooling off', async () => {
    await withManager(
      async (mgr) => {
        await roundTripped(mgr, 1);
        assert.deepEqual(
          { ...mgr.memory() },
          {
            tensors: 0,
            algorithms: 0,
            sequences: 0,
            images: 0,
            views: 0,
            samplers: 0,
            params: 0,
            paramBytes: 0,
            deviceBytes: 0,
            imageBytes: 0,
            stagingBytes: 0,
            otherBytes: 0,
            poolBytes: 0,
            totalBytes: 0,
          },
        );
      },
      { stagingPoolBytes: 0 },
    );
  });

  test('the default bound is 128 MiB', () => {
    assert.equal(DEFAULT_STAGING_POOL_BYTES, 128 * 1024 * 1024);
  });

  test("a sequence's transfer buffers go to the pool with it and serve the next sequence", async () => {
    await withManager(async (mgr) => {
      const t = mgr.tensor([1, 2, 3, 4]);
      const first = mgr.sequence();
      await first.eval(new OpSyncDevice([t]), new OpSyncLocal([t]));
      const withSequence = mgr.memory();
      assert.ok(withSequence.otherBytes > 0 && withSequence.stagingBytes > 0, JSON.stringify(withSequence));
      first.destroy();
      const pooled = mgr.memory().poolBytes;
      assert.equal(pooled, withSequence.otherBytes + withSequence.stagingBytes);
      await poolSettled(mgr);
      const second = mgr.sequence();
      t.setData([5, 6, 7, 8]);
      await second.eval(new OpSyncDevice([t]), new OpSyncLocal([t]));
      assert.deepEqual(Array.from(t.data()), [5, 6, 7, 8]);
      assert.equal(mgr.memory().poolBytes, 0, 'the second sequence took both buffers');
      assert.equal(mgr.memory().totalBytes, withSequence.totalBytes);
    });
  });

  test('staging of tensors dropped for the garbage collector reaches the pool too', async () => {
    await withManager(async (mgr) => {
      (() => {
        mgr.tensor(new Float32Array(LARGE).fill(2));
      })();
      assert.ok(await gcUntil(() => mgr.memory().tensors === 0), 'the dropped tensor was collected');
      const m = mgr.memory();
      assert.equal(m.stagingBytes, 0);
      assert.equal(m.deviceBytes, 0);
      assert.equal(m.poolBytes, 2 * LARGE * 4, 'its upload buffer and its GPU buffer');
    });
  });

  test("an image's staging buffers go to the pool too, and serve the next image of its size", async () => {
    await withManager(async (mgr) => {
      const values = 37 * 5 * 4;
      const seq = mgr.sequence();
      const idle = mgr.memory();
      const image = mgr.image(new Float32Array(values).fill(1), 37, 5, 4);
      await seq.eval(new OpSyncDevice([image]), new OpSyncLocal([image]));
      const imageStaging = mgr.memory().stagingBytes - idle.stagingBytes;
      assert.equal(imageStaging, 2 * 5 * 768, 'an upload and a readback buffer, rows of 592 bytes padded to 768');
      image.destroy();
      assert.equal(mgr.memory().poolBytes, imageStaging);
      await poolSettled(mgr);
      const second = mgr.image(new Float32Array(values).fill(2), 37, 5, 4);
      await seq.eval(new OpSyncDevice([second]), new OpSyncLocal([second]));
      assert.ok(second.data().every((x) => x === 2));
      assert.equal(mgr.memory().poolBytes, 0, 'the new image took both buffers');
      assert.equal(mgr.memory().stagingBytes - idle.stagingBytes, imageStaging);
    });
  });

  // Found in review: the image's readback buffer went to the pool while the copy into it was in
  // flight; the next image of its size then failed every evaluation ("used in submit while mapped").
  test('an image destroyed while its readback is in flight leaves nothing broken for the next image of its size', async () => {
    await withManager(async (mgr) => {
      for (let round = 0; round < 5; round++) {
        const a = mgr.image(new Float32Array(8 * 8).fill(round), 8, 8, 1);
        const seqA = mgr.sequence();
        await seqA.eval(new OpSyncDevice([a]), new OpSyncLocal([a]));
        seqA.evalAsync();
        a.destroy();
        const b = mgr.image(new Float32Array(8 * 8).fill(round + 0.5), 8, 8, 1);
        const seqB = mgr.sequence();
        await seqB.eval(new OpSyncDevice([b]), new OpSyncLocal([b]));
        await seqB.eval(new OpSyncDevice([b]), new OpSyncLocal([b]));
        assert.ok(
          b.data().every((x) => x === round + 0.5),
          `round ${round}`,
        );
        await seqA.evalAwait().catch(() => {});
        for (const r of [seqA, seqB, b]) r.destroy();
      }
    });
  });

  // Found in review: thousands of collected sequences' 256-byte buffers all stayed pooled.
  test('small buffers count at least 64 KiB against the bound, so their number stays bounded', async () => {
    await withManager(
      async (mgr) => {
        const t = mgr.tensor([1, 2, 3, 4]);
        const sequences = [];
        for (let i = 0; i < 40; i++) {
          const seq = mgr.sequence();
          await seq.eval(new OpSyncDevice([t]), new OpSyncLocal([t]));
          sequences.push(seq);
        }
        for (const seq of sequences) seq.destroy();
        const { poolBytes } = mgr.memory();
        assert.ok(poolBytes > 0, 'some were kept');
        assert.ok(poolBytes <= 16 * 256, `at most 16 buffers of 256 bytes under a 1 MiB bound, got ${poolBytes} bytes`);
      },
      { stagingPoolBytes: 1024 * 1024 },
    );
  });

  test('trimStagingPool() frees the pool; destroy() frees it too; a destroyed manager refuses to trim', async () => {
    const mgr = await createManager();
    await roundTripped(mgr, 4);
    assert.ok(mgr.memory().poolBytes > 0);
    mgr.trimStagingPool();
    assert.equal(mgr.memory().poolBytes, 0);
    assert.equal(mgr.memory().totalBytes, 0);
    await roundTripped(mgr, 4);
    assert.ok(mgr.memory().poolBytes > 0);
    mgr.destroy();
    assert.equal(mgr.memory().totalBytes, 0);
    assert.throws(() => mgr.trimStagingPool(), DestroyedError);
  });

  test('churn through one pool gives right results every time', async () => {
    await withManager(async (mgr) => {
      for (let round = 0; round < 20; round++) {
        const size = round % 2 === 0 ? LARGE : LARGE + 64;
        const t = mgr.tensor(size, 'f32', { type: round % 3 === 0 ? MemoryType.DeviceAndHost : MemoryType.Device });
        assert.ok(
          t.data().every((x) => x === 0),
          `round ${round}: a new tensor reads zeros`,
        );
        t.data().fill(round + 0.5);
        const seq = mgr.sequence();
        await seq.eval(new OpSyncDevice([t]), new OpSyncLocal([t]));
        const back = t.data();
        assert.equal(back[0], round + 0.5);
        assert.equal(back[size - 1], round + 0.5);
        seq.destroy();
        t.destroy();
        if (round % 4 === 0) await poolSettled(mgr);
        assert.ok(mgr.memory().poolBytes <= DEFAULT_STAGING_POOL_BYTES);
      }
    });
  });
});
