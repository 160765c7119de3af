// Many evaluations in flight at once, timeouts that expire, and managers destroyed mid-flight.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DestroyedError, type Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, type Sequence, type Tensor } from '../src/index.js';
import { ADD_PUSH_SHADER, assertFails, createManager } from './helpers.js';

const SEQUENCES = 32;
const ROUNDS = process.env.KOMPUTE_TS_SOAK === '1' ? 1000 : 100;

/** Shuffles in place with a seeded generator, so a failure can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0;
  for (let i = items.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

describe('concurrency', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test(`${SEQUENCES} sequences in flight at once, awaited in random order, give the right results ${ROUNDS} times in a row`, async () => {
    const lanes: { t: Tensor<'f32'>; seq: Sequence; expected: number[] }[] = [];
    for (let s = 0; s < SEQUENCES; s++) {
      // Lane s adds s + 1 to its own tensor each round; small and large tensors mixed.
      const length = s % 8 === 7 ? 20_000 : 16 + s;
      const t = mgr.tensor(new Float32Array(length).fill(s)) as Tensor<'f32'>;
      const algorithm = mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [s + 1] });
      const seq = mgr
        .sequence()
        .record(new OpSyncDevice([t]))
        .record(new OpAlgoDispatch(algorithm))
        .record(new OpSyncLocal([t]));
      lanes.push({ t, seq, expected: new Array<number>(length).fill(s) });
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const lane of lanes) lane.seq.evalAsync();
      for (const lane of shuffle([...lanes], round + 1)) assert.equal(await lane.seq.evalAwait(), true);
      lanes.forEach((lane, s) => {
        const data = lane.t.data();
        for (let i = 0; i < lane.expected.length; i++) lane.expected[i]! += s + 1;
        assert.equal(data[0], lane.expected[0], `round ${round}, lane ${s}, first element`);
        assert.equal(data[data.length - 1], lane.expected.at(-1), `round ${round}, lane ${s}, last element`);
      });
    }
    for (const lane of lanes) {
      assert.deepEqual(Array.from(lane.t.data()), lane.expected);
      lane.seq.destroy();
      lane.t.destroy();
    }
  });

  test('evalAwait() timeouts that expire never corrupt later evaluations', async () => {
    const length = 20_000;
    const t = mgr.tensor(new Float32Array(length)) as Tensor<'f32'>;
    const algorithm = mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [1] });
    const seq = mgr.sequence();
    for (let i = 0; i < 20; i++) seq.record(new OpAlgoDispatch(algorithm));
    seq.record(new OpSyncLocal([t]));
    let timeouts = 0;
    for (let round = 1; round <= 10; round++) {
      seq.evalAsync();
      // A zero timeout usually expires; whichever way it goes, the sequence must end up right.
      if (!(await seq.evalAwait(0))) {
        timeouts++;
        assert.equal(seq.isRunning(), true);
      }
      assert.equal(await seq.evalAwait(), true);
      assert.equal(seq.isRunning(), false);
      const data = t.data();
      assert.equal(data[0], 20 * round);
      assert.equal(data[length - 1], 20 * round);
    }
    assert.ok(timeouts > 0, 'at least one zero-timeout wait expired');
    seq.destroy();
    algorithm.destroy();
    t.destroy();
  });

  test('destroying a manager with evaluations in flight rejects them with DestroyedError and frees everything', async () => {
    const doomed = await createManager();
    const pending: Sequence[] = [];
    for (let s = 0; s < 8; s++) {
      const t = doomed.tensor(new Float32Array(s % 2 ? 20_000 : 64));
      const algorithm = doomed.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [1] });
      const seq = doomed.sequence();
      for (let i = 0; i < 10; i++) seq.record(new OpAlgoDispatch(algorithm));
      pending.push(seq.record(new OpSyncLocal([t])).evalAsync());
    }
    const waits = pending.map((seq) =>
      seq.evalAwait().then(
        () => 'completed',
        (error: unknown) => error,
      ),
    );
    doomed.destroy();
    for (const outcome of await Promise.all(waits)) {
      // Work that finished before destroy() may complete; everything else rejects cleanly.
      if (outcome !== 'completed') assert.ok(outcome instanceof DestroyedError, String(outcome));
    }
    assert.deepEqual(
      { ...doomed.memory() },
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
    for (const seq of pending) await assertFails(() => seq.evalAwait(), DestroyedError);
    // The other manager is unaffected.
    const t = mgr.tensor([1, 2, 3]);
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([t]), new OpAlgoDispatch(mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [1] })), new OpSyncLocal([t]));
    assert.deepEqual(Array.from(t.data()), [2, 3, 4]);
    seq.destroy();
    t.destroy();
  });
});
