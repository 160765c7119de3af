/**
 * Rule 5: the manager holds its children weakly (WeakRef); a tensor, algorithm or sequence the
 * user drops without destroy() is released when it is garbage collected (FinalizationRegistry),
 * and mgr.memory() shows it gone. Also the garbage-collection side of rule 3 (dropped operations
 * own nothing). Run with `node --expose-gc`.
 *
 * A file of its own, with a single manager: the tests count live resources around forced garbage
 * collections, so nothing that other tests dropped may be collected in between.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Algorithm, Manager, MemoryType, OpAlgoDispatch, type Sequence, type Tensor } from '../src/index.js';
import { ADD_PUSH_SHADER, createManager, DOUBLE_SHADER, gcUntil, INCREMENT_SHADER, liveMemory } from './helpers.js';

let mgr: Manager;
before(async () => {
  mgr = await createManager();
});
after(() => mgr.destroy());

describe('rule 5: the manager holds its children weakly', () => {
  function makeDroppedTensor(length: number): void {
    const t = mgr.tensor(new Float32Array(length).fill(1));
    t.data();
  }

  // 1024 elements use a plain host copy; 32768 (128 KiB) use mapped staging buffers.
  for (const length of [1024, 32768]) {
    test(`rule 5: a tensor of ${length} elements dropped without destroy() is released after garbage collection and memory() shows it gone`, async () => {
      const before0 = mgr.memory();
      makeDroppedTensor(length);
      const created = mgr.memory();
      assert.equal(created.tensors, before0.tensors + 1);
      assert.equal(created.deviceBytes, before0.deviceBytes + 4 * length);
      const released = await gcUntil(() => mgr.memory().tensors === before0.tensors);
      assert.ok(released, 'the dropped tensor was released');
      assert.deepEqual(liveMemory(mgr.memory()), liveMemory(before0), 'its device and staging bytes are gone too');
    });
  }

  test('rule 5: an algorithm and a sequence dropped without destroy() are released after garbage collection', async () => {
    const t = mgr.tensor([1, 2]);
    const out = mgr.tensor(2, 'f32');
    const before0 = mgr.memory();
    await (async () => {
      const algo = mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [1] });
      const seq = mgr.sequence();
      await seq.eval(new OpAlgoDispatch(algo)); // the sequence now holds a push-constant buffer
    })();
    assert.equal(mgr.memory().algorithms, before0.algorithms + 1);
    assert.equal(mgr.memory().sequences, before0.sequences + 1);
    const released = await gcUntil(() => mgr.memory().algorithms === before0.algorithms && mgr.memory().sequences === before0.sequences);
    assert.ok(released, `dropped algorithm and sequence released: ${JSON.stringify(mgr.memory())}`);
    assert.deepEqual(liveMemory(mgr.memory()), liveMemory(before0));
    t.destroy();
    out.destroy();
  });

  test('rule 5: a dropped tensor that a held algorithm still binds stays alive and usable, and is released once nothing holds it', async () => {
    const before0 = mgr.memory();
    await (async () => {
      const [algo, out] = ((): [Algorithm, Tensor] => {
        const input = mgr.tensor([3, 4], { type: MemoryType.Storage });
        const result = mgr.tensor(2, 'f32', { type: MemoryType.Host });
        return [mgr.algorithm([input, result], DOUBLE_SHADER), result];
      })();
      await gcUntil(() => false, 10);
      assert.equal(mgr.memory().tensors, before0.tensors + 2, 'the algorithm keeps its tensors');
      const seq = mgr.sequence();
      await seq.eval(new OpAlgoDispatch(algo));
      assert.deepEqual(Array.from(out.data()), [6, 8]);
      for (const r of [seq, algo, out]) r.destroy();
    })();
    // Nothing references the input tensor any more (the destroyed algorithm object is gone too).
    assert.ok(await gcUntil(() => mgr.memory().tensors === before0.tensors), 'released once nothing holds it');
    assert.deepEqual(liveMemory(mgr.memory()), liveMemory(before0));
  });

  test('rule 5: a dropped tensor and algorithm recorded in a held sequence stay alive and usable', async () => {
    const before0 = mgr.memory();
    const seq: Sequence = ((): Sequence => {
      const t = mgr.tensor([0], { type: MemoryType.Host });
      return mgr.sequence().record(new OpAlgoDispatch(mgr.algorithm([t], INCREMENT_SHADER)));
    })();
    await gcUntil(() => false, 10);
    assert.equal(mgr.memory().tensors, before0.tensors + 1);
    assert.equal(mgr.memory().algorithms, before0.algorithms + 1);
    await seq.eval();
    await seq.eval();
    const [dispatch] = seq.getOperations() as OpAlgoDispatch[];
    const [t] = dispatch!.algorithm.getTensors();
    assert.deepEqual(Array.from(t!.data()), [2]);
    seq.destroy();
    dispatch!.algorithm.destroy();
    t!.destroy();
    assert.deepEqual(liveMemory(mgr.memory()), liveMemory(before0));
  });

  // Found by the lifecycle model test: the sequence's cached plan of its evaluated batch kept the
  // batch's algorithms and tensors alive after clear().
  test('rule 5: a held sequence that was evaluated and then cleared no longer keeps its dropped tensor and algorithm alive', async () => {
    const before0 = mgr.memory();
    const seq = mgr.sequence();
    await (async () => {
      const t = mgr.tensor([0], { type: MemoryType.Host });
      await seq.eval(new OpAlgoDispatch(mgr.algorithm([t], INCREMENT_SHADER)));
      assert.deepEqual(Array.from(t.data()), [1]);
    })();
    seq.clear();
    assert.ok(await gcUntil(() => mgr.memory().tensors === before0.tensors && mgr.memory().algorithms === before0.algorithms), `still counted after clear() and GC: ${JSON.stringify(mgr.memory())}`);
    seq.destroy();
  });

  // Found by the lifecycle model test: the sequence's cached plan still listed the algorithm's
  // tensors from before its rebuild.
  test('rule 5: after an evaluated algorithm is rebuilt with other tensors, its old tensor dropped by the user is released', async () => {
    const before0 = mgr.memory();
    const kept = mgr.tensor([0], { type: MemoryType.Host });
    const seq = mgr.sequence();
    const algo = await (async () => {
      const old = mgr.tensor([0], { type: MemoryType.Host });
      const a = mgr.algorithm([old], INCREMENT_SHADER);
      await seq.eval(new OpAlgoDispatch(a));
      assert.deepEqual(Array.from(old.data()), [1]);
      return a;
    })();
    algo.rebuild([kept], INCREMENT_SHADER);
    assert.ok(await gcUntil(() => mgr.memory().tensors === before0.tensors + 1), `the old tensor is still counted: ${JSON.stringify(mgr.memory())}`);
    await seq.eval();
    assert.deepEqual(Array.from(kept.data()), [1], 'the recorded dispatch runs the rebuilt algorithm');
    for (const r of [seq, algo, kept]) r.destroy();
  });
});

describe('rule 3: operations own nothing (garbage collection)', () => {
  test('rule 3: dropping operations (clearing the sequence that held them, then GC) leaves memory() unchanged', async () => {
    await gcUntil(() => false, 5); // let anything earlier tests dropped be collected first
    const t = mgr.tensor([0], { type: MemoryType.Host });
    const algo = mgr.algorithm([t], INCREMENT_SHADER);
    const seq = mgr.sequence();
    for (let i = 0; i < 20; i++) seq.record(new OpAlgoDispatch(algo));
    await seq.eval();
    assert.deepEqual(Array.from(t.data()), [20]);
    const evaluated = mgr.memory();
    seq.clear();
    await gcUntil(() => false, 5);
    assert.deepEqual(liveMemory(mgr.memory()), liveMemory(evaluated));
    assert.equal(t.isInit(), true);
    assert.equal(algo.isInit(), true);
    for (const r of [seq, algo, t]) r.destroy();
  });
});
