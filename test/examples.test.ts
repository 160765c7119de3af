/**
 * Kompute's two classic programs, as shipped under examples/, give Kompute's results.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { arrayMultiplication } from '../examples/array-multiplication.js';
import { KOMPUTE_INPUT, logisticRegression } from '../examples/logistic-regression.js';
import { particles } from '../examples/particles.js';
import { Manager } from '../src/index.js';
import { assertClose, createManager, liveMemory } from './helpers.js';

describe('examples', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test('array multiplication: [2, 4, 6] * [0, 1, 2] = [0, 4, 12]', async () => {
    assert.deepEqual(await arrayMultiplication(mgr), [0, 4, 12]);
  });

  test('array multiplication of other arrays matches the CPU and leaves no resources behind', async () => {
    const before0 = mgr.memory();
    const a = [1.5, -2, 3, 4, 5];
    const b = [2, 2, -1, 0.5, 0];
    assert.deepEqual(
      await arrayMultiplication(mgr, a, b),
      a.map((v, i) => v * b[i]!),
    );
    const m = mgr.memory();
    assert.equal(m.tensors, before0.tensors);
    assert.equal(m.algorithms, before0.algorithms);
    assert.equal(m.sequences, before0.sequences);
    // What it released may wait in the manager's reuse pool (poolBytes), not counted as live.
    assert.equal(liveMemory(m).totalBytes, liveMemory(before0).totalBytes);
  });

  test("logistic regression: Kompute's data trains to w ≈ [0.000327, 1.5875], b ≈ -0.794 with a decreasing loss", async () => {
    const before0 = mgr.memory();
    const { w, b, losses } = await logisticRegression(mgr);
    assertClose(w, [0.000327, 1.5875], 1e-3, 'w');
    assert.ok(Math.abs(b - -0.794) < 1e-3, `b = ${b}`);
    // Kompute's own assertions.
    assert.ok(w[0] < 0.01 && w[1] > 1.0 && b < 0);
    assert.equal(losses.length, KOMPUTE_INPUT.iterations);
    assert.ok(Math.abs(losses[0]! - 0.6929) < 1e-3, `first loss ${losses[0]}`);
    assert.ok(Math.abs(losses.at(-1)! - 0.375) < 1e-3, `last loss ${losses.at(-1)}`);
    for (let i = 1; i < losses.length; i++) assert.ok(losses[i]! <= losses[i - 1]! + 1e-6, `loss decreases at iteration ${i}`);
    assert.equal(liveMemory(mgr.memory()).totalBytes, liveMemory(before0).totalBytes, 'the example destroys what it creates');
  });

  test('particles: an array<Particle> read back as objects, a window synced per step, as the CPU computes it', async () => {
    const before0 = mgr.memory();
    const { stride, windows, maxError, idsMatch } = await particles(mgr, 1024, 96, 14);
    assert.equal(stride, 48, 'Particle { pos: vec2f, vel: vec2f, color: vec4f, id: u32 } is 48 bytes in an array');
    assert.equal(windows.length, 14);
    assert.ok(windows.every((w) => w.length === 96));
    assert.ok(idsMatch, 'every window holds the particles respawned in it');
    assert.ok(maxError < 1e-5, `largest difference from the CPU ${maxError}`);
    assert.deepEqual(Object.keys(windows[0]![0]!), ['pos', 'vel', 'color', 'id']);
    // Some particles bounced: the floor rule ran.
    assert.ok(
      windows.some((w) => w.some((p) => p.color[0]! < 1)),
      'a particle hit the floor',
    );
    const m = mgr.memory();
    assert.equal(m.views, before0.views, 'the window views are gone');
    assert.equal(m.tensors, before0.tensors);
    assert.equal(m.totalBytes - m.poolBytes, before0.totalBytes - before0.poolBytes, 'the example destroys what it creates');
  });
});
