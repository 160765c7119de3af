/**
 * Kompute's two classic programs, as shipped under examples/, give Kompute's results.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { arrayMultiplication } from '../examples/array-multiplication.js';
import { flock } from '../examples/boids.js';
import { blur } from '../examples/blur.js';
import { KOMPUTE_INPUT, logisticRegression } from '../examples/logistic-regression.js';
import { particles } from '../examples/particles.js';
import { Manager } from '../src/index.js';
import { assertClose, createManager, liveMemory } from './helpers.js';

/** One boids step on the CPU, as the example's shader computes it. */
function cpuStep(boids: Float32Array, count: number): Float32Array {
  const p = { dt: 0.04, neighbourhood: 0.15, cohesion: 0.02, separation: 0.0004, alignment: 0.05, maxSpeed: 0.3 };
  const next = new Float32Array(boids.length);
  for (let i = 0; i < count; i++) {
    const [x, y, vx, vy] = boids.subarray(i * 4, i * 4 + 4) as unknown as number[];
    let cx = 0,
      cy = 0,
      ax = 0,
      ay = 0,
      hx = 0,
      hy = 0,
      n = 0;
    for (let j = 0; j < count; j++) {
      if (j === i) continue;
      const [ox, oy, ovx, ovy] = boids.subarray(j * 4, j * 4 + 4) as unknown as number[];
      const d = Math.hypot(ox! - x!, oy! - y!);
      if (d < p.neighbourhood) {
        cx += ox!;
        cy += oy!;
        hx += ovx!;
        hy += ovy!;
        const q = Math.max(d * d, 1e-4);
        ax -= (ox! - x!) / q;
        ay -= (oy! - y!) / q;
        n++;
      }
    }
    let nvx = vx!,
      nvy = vy!;
    if (n > 0) {
      nvx += (cx / n - x!) * p.cohesion + ax * p.separation + (hx / n - vx!) * p.alignment;
      nvy += (cy / n - y!) * p.cohesion + ay * p.separation + (hy / n - vy!) * p.alignment;
    }
    const s = Math.hypot(nvx, nvy);
    if (s > p.maxSpeed) {
      nvx *= p.maxSpeed / s;
      nvy *= p.maxSpeed / s;
    }
    let px = x! + nvx * p.dt,
      py = y! + nvy * p.dt;
    px -= Math.floor(px * 0.5 + 0.5) * 2;
    py -= Math.floor(py * 0.5 + 0.5) * 2;
    next.set([px, py, nvx, nvy], i * 4);
  }
  return next;
}

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

  test('boids: each step matches a CPU step of the previous GPU state; the two buffers swap; nothing is left behind', async () => {
    const before0 = mgr.memory();
    const count = 64;
    const zero = await flock(mgr, count, 0);
    const one = await flock(mgr, count, 1);
    const two = await flock(mgr, count, 2);
    assertClose(one, cpuStep(zero, count), 1e-4, 'step 1');
    assertClose(two, cpuStep(one, count), 1e-4, 'step 2 (b -> a)');
    assert.ok(
      two.some((v, i) => v !== zero[i]),
      'the flock moved',
    );
    const m = mgr.memory();
    assert.deepEqual([m.tensors, m.algorithms, m.params, m.deviceBytes, m.paramBytes], [before0.tensors, before0.algorithms, before0.params, before0.deviceBytes, before0.paramBytes]);
  });

  test('blur: a horizontal box blur with a linear sampler at texel centres equals the CPU box blur (clamped edges) within one step of 8 bits', async () => {
    const w = 16;
    const h = 3;
    const rgba = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i * 53) % 256);
    const out = await blur(mgr, rgba, w, h, 2);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 4; c++) {
          let sum = 0;
          for (let k = -2; k <= 2; k++) sum += rgba[(y * w + Math.min(w - 1, Math.max(0, x + k))) * 4 + c]! / 255;
          const expected = Math.round((sum / 5) * 255);
          const got = out[(y * w + x) * 4 + c]!;
          assert.ok(Math.abs(got - expected) <= 1, `texel (${x}, ${y}) channel ${c}: ${got} vs ${expected}`);
        }
      }
    }
    assert.equal(mgr.memory().samplers, 0);
    assert.equal(mgr.memory().images, 0);
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

describe('examples/multi-gpu.ts', () => {
  test('two workers on the same lavapipe device: every row is 3·x + 1 as on the CPU, each share in its own process', async () => {
    const { multiGpu } = await import('../examples/multi-gpu.js');
    const rows = 101;
    const width = 8;
    const report = await multiGpu([0, 0], rows, width);
    assert.deepEqual(report.failures, []);
    assert.equal(report.ranOn.length, 2);
    for (const where of report.ranOn) assert.match(where, /llvmpipe/);
    const expected = Float32Array.from({ length: rows * width }, (_, i) => 3 * Math.fround(Math.sin(i)) + 1);
    assertClose(report.y, expected, 1e-5, 'y');
  });
});
