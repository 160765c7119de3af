/**
 * Debug mode's sync checks (`debug: true`, or KOMPUTE_TS_DEBUG=1): a dispatch that reads a Device
 * tensor whose host data changed since its last upload warns KP_STALE_DEVICE; `data()` after a
 * dispatch wrote the tensor on the GPU without a download warns KP_STALE_HOST. Correct programs,
 * and programs without debug, warn nothing. The GPU results are checked too: the warnings name
 * the cases where the values really are stale.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ArgumentError, type Manager, MemoryType, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { assertFails, createManager, DOUBLE_SHADER, INDEX_URL, runChild, describeChild } from './helpers.js';

async function debugManager(): Promise<{ mgr: Manager; warnings: { code: string; message: string }[] }> {
  const warnings: { code: string; message: string }[] = [];
  const mgr = await createManager({ debug: true, onWarning: (code, message) => warnings.push({ code, message }) });
  return { mgr, warnings };
}

describe('debug mode: sync warnings', () => {
  test('a dispatch reading a Device tensor never uploaded warns KP_STALE_DEVICE (and the kernel did read zeros)', async () => {
    const { mgr, warnings } = await debugManager();
    const a = mgr.tensor(new Float32Array([1, 2, 3]), { label: 'a' });
    const out = mgr.tensor(3, 'f32', { label: 'out' });
    const algorithm = mgr.algorithm([a, out], DOUBLE_SHADER, { label: 'double' });
    await mgr.sequence().eval(new OpAlgoDispatch(algorithm), new OpSyncLocal([out]));
    assert.deepEqual([...out.data()], [0, 0, 0], 'the shader saw the GPU copy: zeros');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.equal(warnings[0]!.code, 'KP_STALE_DEVICE');
    assert.match(warnings[0]!.message, /double reads a, whose host data changed since it was last uploaded/);
    assert.match(warnings[0]!.message, /OpSyncDevice\(\[a\]\)/);
    mgr.destroy();
  });

  test('host data changed after an upload (setData or a write through data()) warns once per change', async () => {
    const { mgr, warnings } = await debugManager();
    const a = mgr.tensor(new Float32Array([1, 2]), { label: 'a' });
    const out = mgr.tensor(2, 'f32', { label: 'out' });
    const seq = mgr.sequence();
    const algorithm = mgr.algorithm([a, out], DOUBLE_SHADER);
    await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algorithm), new OpSyncLocal([out]));
    assert.deepEqual([...out.data()], [2, 4]);
    assert.equal(warnings.length, 0, JSON.stringify(warnings));
    a.setData([5, 6]);
    await seq.eval(new OpAlgoDispatch(algorithm), new OpSyncLocal([out]));
    assert.deepEqual([...out.data()], [2, 4], 'the GPU still had the old values');
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['KP_STALE_DEVICE'],
    );
    await seq.eval(new OpAlgoDispatch(algorithm));
    assert.equal(warnings.length, 1, 'the same stale data warns once');
    a.data()[0] = 7;
    await seq.eval(new OpAlgoDispatch(algorithm));
    assert.equal(warnings.length, 2, 'a write through the data() view is a change too');
    mgr.destroy();
  });

  test('data() after a dispatch wrote the tensor without OpSyncLocal warns KP_STALE_HOST; inputs do not', async () => {
    const { mgr, warnings } = await debugManager();
    const a = mgr.tensor(new Float32Array([1, 2, 3]), { label: 'a' });
    const out = mgr.tensor(3, 'f32', { label: 'out' });
    const algorithm = mgr.algorithm([a, out], DOUBLE_SHADER, { label: 'double' });
    await mgr.sequence().eval(new OpSyncDevice([a]), new OpAlgoDispatch(algorithm));
    assert.deepEqual([...a.data()], [1, 2, 3], 'a read-only binding is not written: no warning for a');
    assert.equal(warnings.length, 0, JSON.stringify(warnings));
    assert.deepEqual([...out.data()], [0, 0, 0], 'stale: the GPU holds [2, 4, 6]');
    assert.deepEqual(
      warnings.map((w) => w.code),
      ['KP_STALE_HOST'],
    );
    assert.match(warnings[0]!.message, /out\.data\(\) after double wrote out on the GPU without a download/);
    assert.match(warnings[0]!.message, /OpSyncLocal\(\[out\]\)/);
    out.data();
    assert.equal(warnings.length, 1, 'warned once');
    assert.deepEqual([...(await out.read())], [2, 4, 6]);
    mgr.destroy();
  });

  test('a correct program, Host tensors and Storage tensors warn nothing', async () => {
    const { mgr, warnings } = await debugManager();
    const a = mgr.tensor(new Float32Array([1, 2, 3]));
    const host = mgr.tensor(new Float32Array([4, 5, 6]), { type: MemoryType.Host });
    const storage = mgr.tensor(3, 'f32', { type: MemoryType.Storage });
    const out = mgr.tensor(3, 'f32');
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(mgr.algorithm([a, out], DOUBLE_SHADER)), new OpSyncLocal([out]));
    await seq.eval(new OpAlgoDispatch(mgr.algorithm([host, storage], DOUBLE_SHADER)), new OpAlgoDispatch(mgr.algorithm([storage, out], DOUBLE_SHADER)), new OpSyncLocal([out]));
    assert.deepEqual([...out.data()], [16, 20, 24]);
    await a.write([7, 8, 9]);
    assert.deepEqual([...(await a.read())], [7, 8, 9]);
    assert.deepEqual(warnings, []);
    mgr.destroy();
  });

  test('without debug nothing is checked', async () => {
    const warnings: string[] = [];
    const mgr = await createManager({ debug: false, onWarning: (code) => warnings.push(code) });
    const a = mgr.tensor(new Float32Array([1, 2, 3]));
    const out = mgr.tensor(3, 'f32');
    await mgr.sequence().eval(new OpAlgoDispatch(mgr.algorithm([a, out], DOUBLE_SHADER)));
    out.data();
    assert.deepEqual(warnings, []);
    mgr.destroy();
  });

  test('debug and onWarning are checked options', async () => {
    await assertFails(() => createManager({ debug: 'yes' as unknown as boolean }), ArgumentError, /debug/);
    await assertFails(() => createManager({ onWarning: 1 as unknown as () => void }), ArgumentError, /onWarning/);
  });

  test('KOMPUTE_TS_DEBUG=1 turns debug mode on; warnings go to console.warn by default', () => {
    const script = `import { Manager, OpAlgoDispatch } from ${JSON.stringify(INDEX_URL)};
const mgr = await Manager.create();
const a = mgr.tensor(new Float32Array([1]));
const out = mgr.tensor(1, 'f32', { label: 'out' });
await mgr.sequence().eval(new OpAlgoDispatch(mgr.algorithm([a, out], '@group(0) @binding(0) var<storage, read> a: array<f32>; @group(0) @binding(1) var<storage, read_write> out: array<f32>; @compute @workgroup_size(1) fn main() { out[0] = a[0]; }')));
out.data();
mgr.destroy();
`;
    const on = runChild(script, 30_000, ['--expose-gc'], { KOMPUTE_TS_DEBUG: '1' });
    assert.equal(on.status, 0, describeChild(on));
    assert.match(on.stderr, /kompute-ts warning KP_STALE_DEVICE: .* reads Tensor#1/);
    assert.match(on.stderr, /kompute-ts warning KP_STALE_HOST: out\.data\(\)/);
    const off = runChild(script, 30_000, ['--expose-gc'], { KOMPUTE_TS_DEBUG: '0' });
    assert.equal(off.status, 0, describeChild(off));
    assert.doesNotMatch(off.stderr, /kompute-ts warning/);
  });
});
