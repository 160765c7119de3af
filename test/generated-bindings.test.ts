/**
 * Generated bindings: `mgr.algorithm({ a, b, out }, body)` declares the named tensors for a
 * shader body that has no binding declarations, inferring each access mode from the body.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addArrays } from '../examples/generated-bindings.js';
import { bindNamedTensors } from '../src/algorithm/generated-bindings.js';
import { AlgorithmBindingError, ArgumentError, type Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { createManager } from './helpers.js';

const MAIN = '@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u)';

describe('generated bindings', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test('the example adds two arrays with a three-line kernel', async () => {
    assert.deepEqual(await addArrays(mgr), [11, 22, 33]);
    assert.deepEqual(await addArrays(mgr, [0.5, -1], [2, 4]), [2.5, 3]);
  });

  test('declarations follow the key order and dtypes; written names are read_write, the others read', () => {
    const a = mgr.tensor([1, 2]);
    const n = mgr.tensor([1, 2], { dtype: 'u32' });
    const out = mgr.tensor(2, 'i32');
    const counter = mgr.tensor(1, 'u32');
    const { tensors, wgsl } = bindNamedTensors({ a, n, out, counter }, `${MAIN} { let len = arrayLength(&a); out[id.x] = i32(a[id.x]) + i32(n[id.x] + len); atomicAdd(&counter[0], 1u); }`, undefined);
    assert.deepEqual(tensors, [a, n, out, counter]);
    const lines = wgsl.split('\n');
    assert.equal(lines[0], '@group(0) @binding(0) var<storage, read> a: array<f32>;');
    assert.equal(lines[1], '@group(0) @binding(1) var<storage, read> n: array<u32>;');
    assert.equal(lines[2], '@group(0) @binding(2) var<storage, read_write> out: array<i32>;');
    assert.equal(lines[3], '@group(0) @binding(3) var<storage, read_write> counter: array<u32>;');
    for (const t of [a, n, out, counter]) t.destroy();
  });

  test('options.access overrides the inferred mode', () => {
    const a = mgr.tensor([1, 2]);
    const { wgsl } = bindNamedTensors({ a }, `${MAIN} { let x = a[id.x]; }`, { a: 'read_write' });
    assert.match(wgsl, /var<storage, read_write> a: array<f32>;/);
    a.destroy();
  });

  test('a shader with a pointer write through a let, compound assignment and increments runs right', async () => {
    const x = mgr.tensor([1, 2, 3, 4]);
    const y = mgr.tensor([10, 20, 30, 40]);
    const acc = mgr.tensor([0, 0, 0, 0]);
    const hits = mgr.tensor(4, 'u32');
    const algorithm = mgr.algorithm(
      { x, y, acc, hits },
      `${MAIN} {
        let p = &acc[id.x];
        *p = x[id.x];
        acc[id.x] += y[id.x];
        hits[id.x]++;
      }`,
    );
    await mgr.sequence().eval(new OpSyncDevice([x, y, acc]), new OpAlgoDispatch(algorithm), new OpSyncLocal([acc, hits]));
    assert.deepEqual([...acc.data()], [11, 22, 33, 44]);
    assert.deepEqual([...hits.data()], [1, 1, 1, 1]);
    for (const r of [algorithm, x, y, acc, hits]) r.destroy();
  });

  test('push constants, overrides and directives work with generated bindings', async () => {
    const v = mgr.tensor([1, 2, 3]);
    const out = mgr.tensor(3, 'f32');
    const body = `diagnostic(off, derivative_uniformity);
@id(0) override bias: f32 = 0.0;
struct Push { scale: f32 }
@group(1) @binding(0) var<uniform> push: Push;
${MAIN} { out[id.x] = v[id.x] * push.scale + bias; }`;
    const algorithm = mgr.algorithm({ v, out }, body, { pushConstants: [3], constants: [0.5] });
    await mgr.sequence().eval(new OpSyncDevice([v]), new OpAlgoDispatch(algorithm), new OpSyncLocal([out]));
    assert.deepEqual([...out.data()], [3.5, 6.5, 9.5]);
    for (const r of [algorithm, v, out]) r.destroy();
  });

  test('the generated declarations are checked like hand-written ones', () => {
    const a = mgr.tensor([1, 2]);
    assert.throws(
      () => mgr.algorithm({ a }, `${MAIN} { a[id.x] = 1.0; }`, { access: { a: 'read' } }),
      (e: unknown) => e instanceof AlgorithmBindingError && /'a': array<f32> is var<storage, read>/.test(e.message) && e.message.includes(a.label),
    );
    a.destroy();
  });

  test('bad names, declared bindings and unknown access names are ArgumentErrors naming the argument', () => {
    const a = mgr.tensor([1, 2]);
    const expect = (argument: string, call: () => unknown) => assert.throws(call, (e: unknown) => e instanceof ArgumentError && e.argument === argument && e.hint.length > 0);
    expect('tensors', () => mgr.algorithm({}, `${MAIN} {}`));
    expect('tensors.2x', () => mgr.algorithm({ '2x': a }, `${MAIN} {}`));
    expect('tensors.__a', () => mgr.algorithm({ __a: a }, `${MAIN} {}`));
    expect('tensors.b', () => mgr.algorithm({ b: {} as never }, `${MAIN} {}`));
    // A declared name binds by name now (issue 13); an undeclared one next to declarations of group 0 is still an error.
    expect('wgsl', () => mgr.algorithm({ b: a }, `@group(0) @binding(0) var<storage, read_write> a: array<f32>;\n${MAIN} { a[0] = b[0]; }`));
    expect('access.b', () => mgr.algorithm({ a }, `${MAIN} { a[0] = 1.0; }`, { access: { b: 'read' } }));
    expect('access.a', () => mgr.algorithm({ a }, `${MAIN} { a[0] = 1.0; }`, { access: { a: 'write' as never } }));
    expect('access', () => mgr.algorithm([a], `@group(0) @binding(0) var<storage, read_write> a: array<f32>;\n${MAIN} { a[0] = 1.0; }`, { access: { a: 'read' } }));
    assert.equal(mgr.memory().algorithms, 0);
    a.destroy();
  });

  test('rebuild() takes named tensors too', async () => {
    const a = mgr.tensor([1, 2]);
    const b = mgr.tensor([5, 6, 7]);
    const algorithm = mgr.algorithm({ a }, `${MAIN} { a[id.x] = a[id.x] + 1.0; }`);
    algorithm.rebuild({ b }, `${MAIN} { b[id.x] = b[id.x] * 2.0; }`);
    assert.deepEqual(algorithm.getTensors(), [b]);
    await mgr.sequence().eval(new OpSyncDevice([b]), new OpAlgoDispatch(algorithm), new OpSyncLocal([b]));
    assert.deepEqual([...b.data()], [10, 12, 14]);
    for (const r of [algorithm, a, b]) r.destroy();
  });

  test('a tensor array still binds in order, untouched', () => {
    const a = mgr.tensor([1]);
    const wgsl = `@group(0) @binding(0) var<storage, read_write> a: array<f32>;\n${MAIN} { a[0] = 2.0; }`;
    const bound = bindNamedTensors([a], wgsl, undefined);
    assert.deepEqual(bound.tensors, [a]);
    assert.equal(bound.wgsl, wgsl);
    a.destroy();
  });
});
