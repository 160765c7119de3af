/**
 * The lifecycle of images (issue 7) follows the seed principles like tensors: mgr.memory()
 * counts images and their texture and staging bytes exactly; destroy() and the manager's
 * destroy() free them; a dropped image is released by the garbage collector (run with
 * --expose-gc); a held algorithm keeps its images alive.
 *
 * A file of its own with a single manager: the tests count resources around forced garbage
 * collections, so nothing other tests dropped may be collected in between.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Algorithm, type Manager, MemoryType, OpAlgoDispatch, OpCopy, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { createManager, gcUntil } from './helpers.js';

let mgr: Manager;
before(async () => {
  // Pooling off: freed staging is destroyed at once, so every count here is exact
  // (test/staging-pool.test.ts covers the pool, images' staging included).
  mgr = await createManager({ stagingPoolBytes: 0 });
});
after(() => mgr.destroy());

const WRITE_SHADER = /* wgsl */ `
@group(0) @binding(0) var img: texture_storage_2d<rgba32float, write>;
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  textureStore(img, id.xy, vec4f(f32(id.x), f32(id.y), 1.0, 2.0));
}
`;

describe('image lifecycle', () => {
  test('memory() counts each image and its texture bytes (width × height × channels × element bytes) exactly', () => {
    const before0 = mgr.memory();
    const a = mgr.image(null, 5, 3, 4);
    const b = mgr.image(null, 3, 2, 4, { dtype: 'u8' });
    const c = mgr.image(null, 7, 1, 2, { dtype: 'i32', type: MemoryType.Storage });
    const m = mgr.memory();
    assert.equal(m.images, before0.images + 3);
    assert.equal(m.imageBytes, before0.imageBytes + 5 * 3 * 16 + 3 * 2 * 4 + 7 * 8);
    assert.equal(m.tensors, before0.tensors, 'images are not tensors');
    assert.equal(m.deviceBytes, before0.deviceBytes);
    assert.equal(m.stagingBytes, before0.stagingBytes, 'staging buffers come with the first transfer');
    assert.equal(m.totalBytes, before0.totalBytes + m.imageBytes - before0.imageBytes);
    b.destroy();
    assert.equal(mgr.memory().imageBytes, m.imageBytes - 24);
    a.destroy();
    c.destroy();
    assert.deepEqual({ ...mgr.memory() }, { ...before0 });
  });

  test('transfers add one upload and one readback buffer per image, rows padded to 256 bytes; destroy() frees them all', async () => {
    const before0 = mgr.memory();
    const image = mgr.image(null, 5, 3, 1); // 20-byte rows, padded to 256
    const seq = mgr.sequence();
    const withSequence = mgr.memory();
    await seq.eval(new OpSyncDevice([image]));
    assert.equal(mgr.memory().stagingBytes, withSequence.stagingBytes + 256 * 3, 'upload buffer');
    await seq.eval(new OpSyncLocal([image]));
    assert.equal(mgr.memory().stagingBytes, withSequence.stagingBytes + 2 * 256 * 3, 'and readback buffer');
    await seq.eval(new OpSyncDevice([image]), new OpSyncLocal([image]));
    assert.equal(mgr.memory().stagingBytes, withSequence.stagingBytes + 2 * 256 * 3, 'reused, not grown');
    image.destroy();
    seq.destroy();
    assert.deepEqual({ ...mgr.memory() }, { ...before0 });
  });

  test('Storage images never get staging buffers, even when copied', async () => {
    const before0 = mgr.memory();
    const a = mgr.image([1, 2, 3, 4], 2, 2, 1, { type: MemoryType.Storage });
    const b = mgr.image(null, 2, 2, 1, { type: MemoryType.Storage });
    const seq = mgr.sequence();
    const created = mgr.memory();
    await seq.eval(new OpCopy([a, b]));
    assert.equal(mgr.memory().stagingBytes, created.stagingBytes);
    for (const r of [seq, a, b]) r.destroy();
    assert.deepEqual({ ...mgr.memory() }, { ...before0 });
  });

  test('rebuild() swaps the texture and frees the old staging: memory() follows', async () => {
    const before0 = mgr.memory();
    const image = mgr.image(null, 4, 4, 4);
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([image]), new OpSyncLocal([image]));
    image.rebuild(null, 2, 2);
    const m = mgr.memory();
    assert.equal(m.images, before0.images + 1);
    assert.equal(m.imageBytes, before0.imageBytes + 2 * 2 * 16);
    assert.equal(m.stagingBytes, before0.stagingBytes, 'the old staging buffers are gone, new ones come with the next transfer');
    image.destroy();
    seq.destroy();
    assert.deepEqual({ ...mgr.memory() }, { ...before0 });
  });

  test("the manager's destroy() destroys its images (held ones report isInit() false) and frees every byte", async () => {
    const m = await createManager();
    const images = [m.image([1, 2, 3, 4], 2, 2, 1), m.image(null, 3, 3, 4, { type: MemoryType.Host }), m.image(null, 1, 1, 4, { dtype: 'u8', type: MemoryType.Storage })];
    const algo = m.algorithm([m.image(null, 2, 2, 4)], WRITE_SHADER, { workgroup: [2, 2] });
    await m.sequence().eval(new OpSyncDevice([images[0]!]), new OpAlgoDispatch(algo), new OpSyncLocal([images[0]!]));
    assert.equal(m.memory().images, 4);
    m.destroy();
    for (const image of images) assert.equal(image.isInit(), false);
    assert.deepEqual(
      { ...m.memory() },
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
  });

  test('rule 5: an image dropped without destroy() is released after garbage collection, staging included', async () => {
    const before0 = mgr.memory();
    await (async () => {
      const image = mgr.image(new Float32Array(64 * 64 * 4).fill(1), 64, 64, 4);
      await mgr.sequence().eval(new OpSyncDevice([image]), new OpSyncLocal([image]));
    })();
    assert.equal(mgr.memory().images, before0.images + 1);
    const released = await gcUntil(() => mgr.memory().images === before0.images && mgr.memory().sequences === before0.sequences);
    assert.ok(released, `the dropped image was released: ${JSON.stringify(mgr.memory())}`);
    assert.deepEqual({ ...mgr.memory() }, { ...before0 });
  });

  test('rule 5: a dropped image that a held algorithm binds stays alive and usable, and is released with the algorithm', async () => {
    const before0 = mgr.memory();
    const algo: { current: Algorithm | null } = { current: mgr.algorithm([mgr.image(null, 2, 2, 4)], WRITE_SHADER, { workgroup: [2, 2] }) };
    assert.equal(await gcUntil(() => mgr.memory().images === before0.images, 5), false, 'still bound, so not collected');
    await (async () => {
      const image = algo.current!.getTensors()[0]!;
      const seq = mgr.sequence();
      await seq.eval(new OpAlgoDispatch(algo.current!), new OpSyncLocal([image]));
      assert.deepEqual(Array.from(image.data()).slice(0, 8), [0, 0, 1, 2, 1, 0, 1, 2]);
    })();
    algo.current = null;
    assert.ok(await gcUntil(() => mgr.memory().images === before0.images && mgr.memory().algorithms === before0.algorithms), JSON.stringify(mgr.memory()));
    assert.deepEqual({ ...mgr.memory() }, { ...before0 });
  });
});
