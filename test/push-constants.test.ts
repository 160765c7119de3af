/**
 * Push constants: values exposed to the shader as `@group(1) @binding(0) var<uniform>`, set per
 * algorithm and overridable per dispatch, within one batch, without changing the algorithm.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AlgorithmBindingError, DTypeError, Manager, MAX_PUSH_CONSTANT_BYTES, MemoryType, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, SizeError } from '../src/index.js';
import { ADD_PUSH_SHADER, assertClose, createManager, DOUBLE_SHADER } from './helpers.js';

/** out[i] += a[i] * push.k */
const ACCUMULATE = /* wgsl */ `
struct Push { k: f32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(1) @binding(0) var<uniform> push: Push;

@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  out[id.x] = out[id.x] + a[id.x] * push.k;
}
`;

/** out[i] = a[i] * push.scale + push.offset, with integer push constants. */
const INT_AFFINE = /* wgsl */ `
struct Push { scale: i32, offset: i32 }
@group(0) @binding(0) var<storage, read> a: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@group(1) @binding(0) var<uniform> push: Push;

@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  out[id.x] = a[id.x] * push.scale + push.offset;
}
`;

describe('push constants', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test('push constants overridden per dispatch within one batch: k = 1 then k = 10 accumulate to 11 * a', async () => {
    const values = [1, 2, 3, -4];
    const a = mgr.tensor(values);
    const out = mgr.tensor(4, 'f32');
    const algo = mgr.algorithm([a, out], ACCUMULATE, { pushConstants: [0.5] });
    const seq = mgr.sequence();
    seq
      .record(new OpSyncDevice([a, out]))
      .record(new OpAlgoDispatch(algo, [1]))
      .record(new OpAlgoDispatch(algo, new Float32Array([10])))
      .record(new OpSyncLocal([out]));
    await seq.eval();
    assert.deepEqual(
      Array.from(out.data()),
      values.map((v) => 11 * v),
    );
    // The algorithm's own push constants are untouched by the per-dispatch values.
    assert.deepEqual(Array.from(algo.getPushConstants()), [0.5]);
    for (const r of [seq, algo, a, out]) r.destroy();
  });

  test("a dispatch without its own push constants uses the algorithm's, also between overridden dispatches", async () => {
    const a = mgr.tensor([1, 2]);
    const out = mgr.tensor(2, 'f32');
    const algo = mgr.algorithm([a, out], ACCUMULATE, { pushConstants: [100] });
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([a, out]), new OpAlgoDispatch(algo, [1]), new OpAlgoDispatch(algo), new OpAlgoDispatch(algo, [1000]), new OpSyncLocal([out]));
    assert.deepEqual(Array.from(out.data()), [1101, 2202]);
    for (const r of [seq, algo, a, out]) r.destroy();
  });

  test('many dispatches with different push constants in one batch each see their own values', async () => {
    const t = mgr.tensor([0], { type: MemoryType.Host });
    const algo = mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [0] });
    const seq = mgr.sequence();
    for (let k = 1; k <= 40; k++) seq.record(new OpAlgoDispatch(algo, [k]));
    await seq.eval();
    assert.deepEqual(Array.from(t.data()), [(40 * 41) / 2]);
    // Evaluating the batch again re-runs the 40 dispatches with the same values.
    await seq.eval();
    assert.deepEqual(Array.from(t.data()), [40 * 41]);
    for (const r of [seq, algo, t]) r.destroy();
  });

  test("Kompute's README pattern: record(dispatch A), eval, record(dispatch B), eval runs A once then B once", async () => {
    const t = mgr.tensor([0, 0], { type: MemoryType.Host });
    const algo = mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [0] });
    const seq = mgr.sequence();
    await seq.record(new OpAlgoDispatch(algo, [1])).eval();
    assert.deepEqual(Array.from(t.data()), [1, 1]);
    await seq.record(new OpAlgoDispatch(algo, [5])).eval();
    assert.deepEqual(Array.from(t.data()), [6, 6]);
    for (const r of [seq, algo, t]) r.destroy();
  });

  test('setPushConstants() changes the values of later evaluations, also for dispatches already recorded', async () => {
    const t = mgr.tensor([0], { type: MemoryType.Host });
    const algo = mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [2] });
    const seq = mgr.sequence();
    seq.record(new OpAlgoDispatch(algo));
    await seq.eval();
    assert.deepEqual(Array.from(t.data()), [2]);
    algo.setPushConstants([30]);
    assert.deepEqual(Array.from(algo.getPushConstants()), [30]);
    await seq.eval();
    assert.deepEqual(Array.from(t.data()), [32]);
    for (const r of [seq, algo, t]) r.destroy();
  });

  test('integer push constants (Int32Array) reach an i32 struct', async () => {
    const a = mgr.tensor(new Int32Array([1, -2, 3]));
    const out = mgr.tensor(3, 'i32');
    const algo = mgr.algorithm([a, out], INT_AFFINE, { pushConstants: new Int32Array([3, -1]) });
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
    assert.deepEqual(Array.from(out.data()), [2, -7, 8]);
    await seq.eval(new OpAlgoDispatch(algo, new Int32Array([-10, 5])), new OpSyncLocal([out]));
    assert.deepEqual(Array.from(out.data()), [-5, 25, -25]);
    const pushed = algo.getPushConstants();
    assert.ok(pushed instanceof Int32Array);
    assert.deepEqual(Array.from(pushed), [3, -1]);
    for (const r of [seq, algo, a, out]) r.destroy();
  });

  test('a multi-member f32 struct receives the values in declaration order', async () => {
    const shader = `
struct Push { scale: f32, offset: f32, unused: f32, last: f32 }
@group(0) @binding(0) var<storage, read_write> t: array<f32>;
@group(1) @binding(0) var<uniform> push: Push;
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  t[id.x] = t[id.x] * push.scale + push.offset + push.last;
}`;
    const t = mgr.tensor([1, 2, 3], { type: MemoryType.Host });
    const algo = mgr.algorithm([t], shader, { pushConstants: [2, 0.25, 99, 0.5] });
    const seq = mgr.sequence();
    await seq.eval(new OpAlgoDispatch(algo));
    assertClose(t.data(), [2.75, 4.75, 6.75]);
    for (const r of [seq, algo, t]) r.destroy();
  });

  test('getPushConstants() returns a copy, and the array given at creation is copied too', () => {
    const t = mgr.tensor(1, 'f32');
    const given = new Float32Array([4]);
    const algo = mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: given });
    given[0] = 99;
    const copy = algo.getPushConstants();
    copy[0] = 7;
    assert.deepEqual(Array.from(algo.getPushConstants()), [4]);
    const plain = mgr.algorithm([t, mgr.tensor(1, 'f32')], DOUBLE_SHADER);
    assert.equal(plain.getPushConstants().length, 0);
    for (const r of [algo, plain, t]) r.destroy();
  });

  test('setPushConstants() with another byte size fails with SizeError and keeps the old values', () => {
    const t = mgr.tensor(1, 'f32');
    const algo = mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [1] });
    assert.throws(() => algo.setPushConstants([1, 2]), SizeError);
    assert.throws(() => algo.setPushConstants([]), SizeError);
    assert.deepEqual(Array.from(algo.getPushConstants()), [1]);
    for (const r of [algo, t]) r.destroy();
  });

  test('OpAlgoDispatch with push constants of the wrong byte size fails with SizeError', () => {
    const t = mgr.tensor(1, 'f32');
    const out = mgr.tensor(1, 'f32');
    const algo = mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [1] });
    assert.throws(() => new OpAlgoDispatch(algo, [1, 2]), SizeError);
    assert.throws(() => new OpAlgoDispatch(algo, new Float32Array(0)), SizeError);
    const plain = mgr.algorithm([t, out], DOUBLE_SHADER);
    assert.throws(() => new OpAlgoDispatch(plain, [1]), SizeError);
    for (const r of [algo, plain, t, out]) r.destroy();
  });

  test(`push constants over ${MAX_PUSH_CONSTANT_BYTES} bytes fail with SizeError; non-numbers with DTypeError`, () => {
    const t = mgr.tensor(1, 'f32');
    const tooMany = new Float32Array(MAX_PUSH_CONSTANT_BYTES / 4 + 1);
    assert.throws(() => mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: tooMany }), SizeError);
    assert.throws(() => mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: ['1' as unknown as number] }), DTypeError);
    assert.throws(() => mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: new Float64Array(1) as unknown as Float32Array }), DTypeError);
    t.destroy();
  });

  test('a push-constant struct larger than the values given fails with AlgorithmBindingError', () => {
    const t = mgr.tensor(1, 'f32');
    const shader =
      'struct P { a: f32, b: f32 }\n@group(0) @binding(0) var<storage, read_write> t: array<f32>;\n@group(1) @binding(0) var<uniform> push: P;\n@compute @workgroup_size(1) fn main() { t[0] = push.a + push.b; }';
    assert.throws(() => mgr.algorithm([t], shader, { pushConstants: [1] }), AlgorithmBindingError);
    t.destroy();
  });

  test('after push-constant errors the manager still computes correctly', async () => {
    const t = mgr.tensor([1], { type: MemoryType.Host });
    const algo = mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [41] });
    const seq = mgr.sequence();
    await seq.eval(new OpAlgoDispatch(algo));
    assert.deepEqual(Array.from(t.data()), [42]);
    for (const r of [seq, algo, t]) r.destroy();
  });
});
