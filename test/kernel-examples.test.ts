/** The kernel examples (examples/matmul-gflops.ts, logistic-regression-1m.ts, mlp.ts, stream-compaction.ts) at small sizes. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { matmulGflops } from '../examples/matmul-gflops.js';
import { logisticRegression1M } from '../examples/logistic-regression-1m.js';
import { trainMlp } from '../examples/mlp.js';
import { compact } from '../examples/stream-compaction.js';
import type { Manager } from '../src/index.js';
import { createManager } from './helpers.js';

describe('kernel examples', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  function assertNothingLeft(before0: ReturnType<Manager['memory']>): void {
    const m = mgr.memory();
    assert.equal(m.tensors, before0.tensors);
    assert.equal(m.algorithms, before0.algorithms);
    assert.equal(m.sequences, before0.sequences);
  }

  test('matmul GFLOP/s: a 96 × 96 product agrees with the CPU and reports a positive rate', async () => {
    const before0 = mgr.memory();
    const r = await matmulGflops(mgr, 96, 2);
    assert.ok(r.gflops > 0);
    // 96-term f32 dot products of values in [-0.5, 0.5): errors stay near 1e-6.
    assert.ok(r.maxError < 1e-4, `max error ${r.maxError}`);
    assertNothingLeft(before0);
  });

  test('stream compaction keeps the values above a threshold in order, with the one-pass and the three-pass scan', async () => {
    const before0 = mgr.memory();
    const input = Float32Array.from({ length: 50_001 }, (_, i) => Math.sin(i * 12.9898) * 0.5);
    const expected = Array.from(input.filter((v) => v > 0.1));
    for (const lookBack of [true, false]) {
      const { kept, count } = await compact(mgr, input, 0.1, { lookBack });
      assert.equal(count, expected.length, `lookBack ${lookBack}: count`);
      assert.deepEqual(Array.from(kept), expected, `lookBack ${lookBack}: the kept values`);
    }
    assertNothingLeft(before0);
  });

  test('logistic regression on 20,000 samples learns the boundary 1.5·x1 ≈ 0.8', async () => {
    const before0 = mgr.memory();
    const r = await logisticRegression1M(mgr, 20_000, 60);
    assert.ok(r.lossAfter < r.lossBefore * 0.6, `loss ${r.lossBefore} → ${r.lossAfter}`);
    assert.ok(Math.abs(r.lossBefore - Math.log(2)) < 1e-3, 'zero weights give a loss of ln 2');
    assert.ok(r.w[1] > 1 && r.b < 0 && Math.abs(r.w[0]) < r.w[1] / 4, `w = ${r.w}, b = ${r.b}`);
    assert.ok(r.accuracy > 0.9, `accuracy ${r.accuracy}`);
    assertNothingLeft(before0);
  });

  test('the MLP trains on the moons: the loss falls, accuracy is high, the SVG is drawn', async () => {
    const before0 = mgr.memory();
    const epochs: number[] = [];
    const r = await trainMlp(mgr, { points: 256, hidden: 16, epochs: 3, stepsPerEpoch: 15, grid: 12, onEpoch: (e) => epochs.push(e) });
    assert.deepEqual(epochs, [1, 2, 3]);
    assert.equal(r.losses.length, 3);
    assert.ok(r.losses[2]! < r.losses[0]!, `losses ${r.losses}`);
    assert.ok(r.losses[0]! < Math.log(2), 'better than chance after the first epoch');
    assert.ok(r.accuracy > 0.8, `accuracy ${r.accuracy}`);
    assert.match(r.svg, /^<svg[\s\S]*<\/svg>\n$/);
    assert.equal((r.svg.match(/<rect /g) ?? []).length, 144);
    assertNothingLeft(before0);
  });
});
