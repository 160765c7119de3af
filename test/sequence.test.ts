/**
 * Sequences: Kompute's batch semantics (record, eval, re-eval, new batch after an evaluation),
 * eval(...ops), clear, rerecord, getOperations, isRecording, and GPU timestamps.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ArgumentError, Manager, MemoryType, OpAlgoDispatch, OpCopy, OpSyncDevice, OpSyncLocal, StateError, UnsupportedError } from '../src/index.js';
import { ADD_PUSH_SHADER, assertFails, createManager, DOUBLE_SHADER, INCREMENT_SHADER } from './helpers.js';

describe('sequences', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  /** A Host counter with two dispatches: A adds 1, B adds 100. */
  function counter() {
    const t = mgr.tensor([0], { type: MemoryType.Host });
    const inc = mgr.algorithm([t], INCREMENT_SHADER);
    const add = mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [100] });
    const value = (): number => t.data()[0]!;
    const destroy = (): void => {
      for (const r of [inc, add, t]) r.destroy();
    };
    return { t, inc, add, value, destroy };
  }

  test('a fresh sequence is initialised, idle, not recording and has no operations', () => {
    const seq = mgr.sequence();
    assert.equal(seq.isInit(), true);
    assert.equal(seq.isRunning(), false);
    assert.equal(seq.isRecording(), false);
    assert.deepEqual(seq.getOperations(), []);
    seq.destroy();
  });

  test('Kompute batches: eval() runs the recorded batch, eval() again re-runs it, and the first record() after an evaluation starts a new batch with only the new ops', async () => {
    const c = counter();
    const seq = mgr.sequence();
    const opA = new OpAlgoDispatch(c.inc);
    const opB = new OpAlgoDispatch(c.add);

    assert.equal(seq.record(opA), seq, 'record() is chainable');
    assert.equal(seq.isRecording(), true);
    assert.deepEqual(seq.getOperations(), [opA]);
    assert.equal(await seq.eval(), seq, 'eval() resolves to the sequence');
    assert.equal(c.value(), 1);
    assert.equal(seq.isRecording(), false);

    await seq.eval();
    assert.equal(c.value(), 2, 'evaluating again re-runs batch A');

    seq.record(opB);
    assert.equal(seq.isRecording(), true);
    assert.deepEqual(seq.getOperations(), [opB], 'the new batch holds only B');
    await seq.eval();
    assert.equal(c.value(), 102, 'A is not re-run with B');
    await seq.eval();
    assert.equal(c.value(), 202);
    seq.destroy();
    c.destroy();
  });

  test('a validated batch of dispatches re-evaluated (the replay path) runs every time and follows a rebuilt tensor, algorithm or a new record', async () => {
    const x = mgr.tensor([0, 0, 0, 0]);
    const algo = mgr.algorithm([x], INCREMENT_SHADER, { workgroup: [4] });
    const seq = mgr.sequence().record(new OpAlgoDispatch(algo)).record(new OpAlgoDispatch(algo));
    const read = async () => {
      await mgr.sequence().eval(new OpSyncLocal([x]));
      return Array.from(x.data());
    };
    for (let i = 0; i < 5; i++) await seq.eval();
    assert.deepEqual(await read(), [10, 10, 10, 10]);
    // A rebuilt tensor (new buffer, new bind group): the replay must not reuse the old group.
    x.rebuild([100, 100, 100, 100, 100, 100, 100, 100]);
    await mgr.sequence().eval(new OpSyncDevice([x]));
    for (let i = 0; i < 3; i++) await seq.eval();
    assert.deepEqual(await read(), [106, 106, 106, 106, 100, 100, 100, 100]);
    // A rebuilt algorithm (new workgroup count and pipeline).
    algo.rebuild([x], INCREMENT_SHADER, { workgroup: [8] });
    for (let i = 0; i < 2; i++) await seq.eval();
    assert.deepEqual(await read(), [110, 110, 110, 110, 104, 104, 104, 104]);
    // A new record starts a new batch: only the new dispatch runs from then on.
    seq.record(new OpAlgoDispatch(algo));
    for (let i = 0; i < 2; i++) await seq.eval();
    assert.deepEqual(await read(), [112, 112, 112, 112, 106, 106, 106, 106]);
    seq.destroy();
    algo.destroy();
    x.destroy();
  });

  test('several records before an evaluation all belong to one batch, run in order', async () => {
    const a = mgr.tensor([1, 2]);
    const mid = mgr.tensor(2, 'f32');
    const out = mgr.tensor(2, 'f32');
    const first = mgr.algorithm([a, mid], DOUBLE_SHADER);
    const second = mgr.algorithm([mid, out], DOUBLE_SHADER);
    const seq = mgr.sequence();
    seq
      .record(new OpSyncDevice([a]))
      .record(new OpAlgoDispatch(first))
      .record(new OpAlgoDispatch(second))
      .record(new OpSyncLocal([out]));
    assert.equal(seq.getOperations().length, 4);
    await seq.eval();
    assert.deepEqual(Array.from(out.data()), [4, 8]);
    for (const r of [seq, first, second, a, mid, out]) r.destroy();
  });

  test('eval(...ops) clears the sequence, records those ops and runs only them; eval() afterwards re-runs them', async () => {
    const c = counter();
    const seq = mgr.sequence();
    seq.record(new OpAlgoDispatch(c.add));
    const opA = new OpAlgoDispatch(c.inc);
    await seq.eval(opA, opA);
    assert.equal(c.value(), 2, 'the previously recorded B did not run');
    assert.deepEqual(seq.getOperations(), [opA, opA]);
    await seq.eval();
    assert.equal(c.value(), 4);
    seq.destroy();
    c.destroy();
  });

  test('clear() forgets every operation: eval() then runs nothing', async () => {
    const c = counter();
    const seq = mgr.sequence();
    seq.record(new OpAlgoDispatch(c.inc));
    seq.clear();
    assert.deepEqual(seq.getOperations(), []);
    assert.equal(seq.isRecording(), false);
    await seq.eval();
    assert.equal(c.value(), 0);
    await seq.record(new OpAlgoDispatch(c.inc)).eval();
    assert.equal(c.value(), 1);
    seq.destroy();
    c.destroy();
  });

  test('rerecord() makes every operation recorded since clear() the batch again', async () => {
    const c = counter();
    const seq = mgr.sequence();
    const opA = new OpAlgoDispatch(c.inc);
    const opB = new OpAlgoDispatch(c.add);
    await seq.record(opA).eval(); // 1
    await seq.record(opB).eval(); // 101: only B
    assert.equal(c.value(), 101);
    assert.equal(seq.rerecord(), seq);
    assert.deepEqual(seq.getOperations(), [opA, opB]);
    assert.equal(seq.isRecording(), true);
    await seq.eval();
    assert.equal(c.value(), 202, 'A and B both ran');
    seq.destroy();
    c.destroy();
  });

  test('an operation recorded into two sequences runs in each', async () => {
    const c = counter();
    const op = new OpAlgoDispatch(c.inc);
    const one = mgr.sequence().record(op);
    const two = mgr.sequence().record(op);
    await one.eval();
    await two.eval();
    assert.equal(c.value(), 2);
    for (const r of [one, two]) r.destroy();
    c.destroy();
  });

  test('record() of something that is not an operation, or of an op with tensors of another manager, fails with ArgumentError', async () => {
    const seq = mgr.sequence();
    assert.throws(() => seq.record({} as OpSyncDevice), ArgumentError);
    await assert.rejects(seq.eval({} as OpSyncDevice), ArgumentError);
    const other = await createManager();
    try {
      const foreign = other.tensor([1]);
      assert.throws(() => seq.record(new OpSyncDevice([foreign])), ArgumentError);
    } finally {
      other.destroy();
    }
    assert.deepEqual(seq.getOperations(), []);
    seq.destroy();
  });

  test('getTimestamps() of a { timestamps: true } sequence gives per-operation GPU nanoseconds: numbers for dispatches, null for syncs', async () => {
    if (!mgr.deviceInfo().features.includes('timestamp-query')) {
      assert.throws(() => mgr.sequence({ timestamps: true }), UnsupportedError);
      return;
    }
    const a = mgr.tensor([1, 2, 3]);
    const out = mgr.tensor(3, 'f32');
    const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
    const seq = mgr.sequence({ timestamps: true });
    assert.deepEqual(seq.getTimestamps(), [], 'nothing evaluated yet');
    await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
    assert.deepEqual(Array.from(out.data()), [2, 4, 6]);
    const timings = seq.getTimestamps();
    assert.deepEqual(
      timings.map((t) => t.index),
      [0, 1, 2, 3],
    );
    assert.deepEqual(
      timings.map((t) => t.op),
      ['OpSyncDevice', 'OpAlgoDispatch', 'OpAlgoDispatch', 'OpSyncLocal'],
    );
    assert.equal(timings[0]!.ns, null);
    assert.equal(timings[3]!.ns, null);
    for (const t of [timings[1]!, timings[2]!]) {
      assert.equal(typeof t.ns, 'number');
      assert.ok(Number.isFinite(t.ns) && t.ns! >= 0, `ns = ${t.ns}`);
    }
    // A batch without dispatches reports null for every operation.
    await seq.eval(new OpSyncLocal([out]));
    assert.deepEqual(
      seq.getTimestamps().map((t) => t.ns),
      [null],
    );
    for (const r of [seq, algo, a, out]) r.destroy();
  });

  test('getTimestamps() of a sequence created without timestamps fails with StateError', async () => {
    const seq = mgr.sequence();
    const t = mgr.tensor([1]);
    await seq.eval(new OpSyncDevice([t]));
    assert.throws(() => seq.getTimestamps(), StateError);
    seq.destroy();
    t.destroy();
  });

  for (const n of [4, 40_000]) {
    test(`${n} elements: an upload after a readback of the same tensor in one evaluation skips it unless a dispatch or copy wrote the tensor between (StateError)`, async () => {
      const values = Float32Array.from({ length: n }, (_, i) => i);
      const a = mgr.tensor(values);
      const b = mgr.tensor(n, 'f32');
      const c = mgr.tensor(n, 'f32');
      const seq = mgr.sequence();
      await seq.eval(new OpSyncDevice([a]));
      const incB = mgr.algorithm([b], INCREMENT_SHADER, { workgroup: [n] });
      const incA = mgr.algorithm([a], INCREMENT_SHADER, { workgroup: [n] });
      // A dispatch that does not bind a, and a copy into another target, leave a's readback valid.
      a.data()[0] = -5;
      await seq.eval(new OpSyncLocal([a]), new OpAlgoDispatch(incB), new OpCopy([a, b, c]), new OpSyncDevice([a]));
      assert.deepEqual(Array.from(a.data()), Array.from(values), 'the host received the readback');
      assert.deepEqual(Array.from(c.data()), Array.from(values), 'the copy into c');
      // A dispatch that writes a between the readback and the upload: refused, nothing run.
      a.data()[1] = 99;
      const error = await assertFails(() => seq.eval(new OpSyncLocal([a]), new OpAlgoDispatch(incA), new OpSyncDevice([a])), StateError, /in the same evaluation, a readback/);
      assert.match((error as StateError).hint, /later evaluation/);
      assert.equal(a.data()[1], 99, 'the refused evaluation did not touch the host data');
      await seq.eval(new OpSyncLocal([a]));
      assert.deepEqual(Array.from(a.data()), Array.from(values), 'nor the GPU buffer');
      // Split in two evaluations, the same operations do what they say.
      await seq.eval(new OpSyncLocal([a]), new OpAlgoDispatch(incA));
      await seq.eval(new OpSyncDevice([a]), new OpSyncLocal([a]));
      assert.deepEqual(Array.from(a.data()), Array.from(values), 'the upload sent the bytes read back, undoing the increment');
      for (const r of [seq, incA, incB, a, b, c]) r.destroy();
    });
  }

  test('labels name sequences', () => {
    const seq = mgr.sequence({ label: 'training step' });
    assert.equal(seq.label, 'training step');
    seq.destroy();
    assert.throws(() => seq.record(new OpSyncDevice([mgr.tensor([1])])), /training step/);
  });
});
