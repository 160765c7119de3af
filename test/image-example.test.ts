/**
 * The image example (examples/image-filter.ts): Sobel edges on the GPU match a CPU reference,
 * the PNG path decodes and encodes, and the command line runs as documented.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { filterPng, sobelEdges } from '../examples/image-filter.js';
import { makeScene, scenePng } from '../examples/make-scene.js';
import type { Manager } from '../src/index.js';
import { createManager, liveMemory } from './helpers.js';

/** The example's filter on the CPU, in f32 steps like the shader: gray edges, alpha 255. */
function sobelCpu(rgba: Uint8Array, w: number, h: number): Uint8Array {
  const f = Math.fround;
  const luma = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) luma[i] = f(f(f(f(0.299 * rgba[4 * i]!) + f(0.587 * rgba[4 * i + 1]!)) + f(0.114 * rgba[4 * i + 2]!)) / 255);
  const at = (x: number, y: number) => luma[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))]!;
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      const gy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      const v = Math.round(Math.min(Math.sqrt(gx * gx + gy * gy), 1) * 255);
      out.set([v, v, v, 255], (y * w + x) * 4);
    }
  }
  return out;
}

/** Asserts GPU and CPU edges agree: every byte within 1 (f32 rounding), nearly all exactly. */
function assertEdges(actual: Uint8Array, expected: Uint8Array): void {
  assert.equal(actual.length, expected.length);
  let exact = 0;
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= 1, `byte ${i}: ${actual[i]} vs ${expected[i]}`);
    if (actual[i] === expected[i]) exact++;
  }
  assert.ok(exact >= expected.length * 0.99, `${exact} of ${expected.length} bytes exact`);
  assert.ok(
    expected.some((v, i) => i % 4 !== 3 && v > 100),
    'the reference has strong edges (the test picture is not flat)',
  );
}

describe('image example', () => {
  let mgr: Manager;
  let dir: string;
  before(async () => {
    mgr = await createManager();
    dir = mkdtempSync(join(tmpdir(), 'kompute-ts-image-'));
  });
  after(() => {
    mgr.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [w, h] of [
    [37, 23],
    [64, 8],
    [1, 5],
  ] as const) {
    test(`Sobel edges of a ${w}×${h} picture match the CPU reference and leave no resources behind`, async () => {
      const before0 = mgr.memory();
      const rgba = makeScene(w, h);
      assertEdges(await sobelEdges(mgr, rgba, w, h), sobelCpu(rgba, w, h));
      assert.deepEqual(liveMemory(mgr.memory()), liveMemory(before0));
    });
  }

  test('filterPng decodes a PNG, filters it and encodes the edges as a PNG of the same size', async () => {
    const [w, h] = [45, 30];
    const decoded = PNG.sync.read(await filterPng(mgr, scenePng(w, h)));
    assert.deepEqual([decoded.width, decoded.height], [w, h]);
    assertEdges(new Uint8Array(decoded.data), sobelCpu(makeScene(w, h), w, h));
  });

  test('the command line `node dist/examples/image-filter.js in.png out.png` writes the edges', async () => {
    const input = join(dir, 'in.png');
    const output = join(dir, 'out.png');
    writeFileSync(input, scenePng(40, 24));
    const script = fileURLToPath(new URL('../examples/image-filter.js', import.meta.url));
    const run = spawnSync(process.execPath, [script, input, output], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /out\.png/);
    const decoded = PNG.sync.read(readFileSync(output));
    assertEdges(new Uint8Array(decoded.data), sobelCpu(makeScene(40, 24), 40, 24));
  });

  test('the committed example input decodes, and the README output is its edges', async () => {
    const input = readFileSync(fileURLToPath(new URL('../../examples/assets/scene.png', import.meta.url)));
    const shown = PNG.sync.read(readFileSync(fileURLToPath(new URL('../../docs/images/image-filter-edges.png', import.meta.url))));
    const png = PNG.sync.read(input);
    assert.deepEqual([shown.width, shown.height], [png.width, png.height]);
    assertEdges(new Uint8Array(shown.data), sobelCpu(new Uint8Array(png.data), png.width, png.height));
  });
});
