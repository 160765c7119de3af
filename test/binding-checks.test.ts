/**
 * Shader–tensor checking: every way a WGSL module can disagree with the tensors, specialization
 * constants and push constants given to `mgr.algorithm(...)` is an AlgorithmBindingError thrown
 * before the GPU sees the shader, naming the binding, its WGSL type and the tensor (or value).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AlgorithmOptions, AlgorithmBindingError, type Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, type Tensor } from '../src/index.js';
import { createManager } from './helpers.js';

const MAIN = '@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u)';

interface Mismatch {
  readonly name: string;
  readonly tensors: (mgr: Manager) => Tensor[];
  readonly wgsl: string;
  readonly options?: AlgorithmOptions;
  /** The argument the error names, e.g. `tensors[1]`. */
  readonly argument: string;
  /** Texts the message must contain: the binding (or override), the WGSL type, the tensor (or value). */
  readonly names: (tensors: Tensor[]) => readonly string[];
}

const MISMATCHES: readonly Mismatch[] = [
  {
    name: 'a binding with no tensor',
    tensors: (m) => [m.tensor([1, 2])],
    wgsl: `@group(0) @binding(0) var<storage, read> a: array<f32>;\n@group(0) @binding(1) var<storage, read_write> out: array<f32>;\n${MAIN} { out[id.x] = a[id.x]; }`,
    argument: 'tensors',
    names: () => ["@binding(1) 'out'", 'array<f32>', 'tensors[1]'],
  },
  {
    name: 'array<i32> bound to an f32 tensor',
    tensors: (m) => [m.tensor([1, 2])],
    wgsl: `@group(0) @binding(0) var<storage, read_write> v: array<i32>;\n${MAIN} { v[id.x] = v[id.x] + 1; }`,
    argument: 'tensors[0]',
    names: (t) => ["@binding(0) 'v'", 'array<i32>', t[0]!.label, 'f32'],
  },
  {
    name: 'array<f32> bound to a u32 tensor',
    tensors: (m) => [m.tensor([1, 2], { dtype: 'u32' })],
    wgsl: `@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n${MAIN} { v[id.x] = 1.0; }`,
    argument: 'tensors[0]',
    names: (t) => ["@binding(0) 'v'", 'array<f32>', t[0]!.label, 'u32'],
  },
  {
    name: 'array<vec4<u32>> bound to an f32 tensor',
    tensors: (m) => [m.tensor(8, 'f32')],
    wgsl: `@group(0) @binding(0) var<storage, read_write> v: array<vec4<u32>>;\n${MAIN} { v[id.x] = vec4u(1u); }`,
    argument: 'tensors[0]',
    names: (t) => ["@binding(0) 'v'", 'array<vec4<u32>>', t[0]!.label],
  },
  {
    name: 'array<atomic<u32>> bound to an i32 tensor',
    tensors: (m) => [m.tensor(4, 'i32')],
    wgsl: `@group(0) @binding(0) var<storage, read_write> counts: array<atomic<u32>>;\n${MAIN} { atomicAdd(&counts[0], 1u); }`,
    argument: 'tensors[0]',
    names: (t) => ["@binding(0) 'counts'", 'array<atomic<u32>>', t[0]!.label, 'i32'],
  },
  {
    name: 'a struct of i32 members bound to an f32 tensor',
    tensors: (m) => [m.tensor(4, 'f32')],
    wgsl: `struct Counts { total: i32, values: array<i32> }\n@group(0) @binding(0) var<storage, read_write> c: Counts;\n${MAIN} { c.values[id.x] = c.total; }`,
    argument: 'tensors[0]',
    names: (t) => ["@binding(0) 'c'", 'Counts', t[0]!.label, 'i32'],
  },
  {
    // A tensor may bind to a var<uniform> now (issue 13); a sampler binding still cannot take one.
    name: 'a sampler binding given a tensor',
    tensors: (m) => [m.tensor(4, 'f32')],
    wgsl: `@group(0) @binding(0) var s: sampler;\n${MAIN} { _ = s; }`,
    argument: 'wgsl',
    names: (t) => ["@binding(0) 's'", 'sampler', t[0]!.label, 'mgr.sampler()'],
  },
  {
    name: 'a uniform larger than the tensor given for it',
    tensors: (m) => [m.tensor(2, 'f32')],
    wgsl: `@group(0) @binding(0) var<uniform> u: vec4f;\n${MAIN} { _ = u.x; }`,
    argument: 'tensors[0]',
    names: (t) => ["@binding(0) 'u'", 'var<uniform> vec4f', '16 bytes', t[0]!.label],
  },
  {
    name: 'a read-only binding the shader assigns',
    tensors: (m) => [m.tensor([1, 2]), m.tensor(2, 'f32')],
    wgsl: `@group(0) @binding(0) var<storage, read> a: array<f32>;\n@group(0) @binding(1) var<storage, read_write> out: array<f32>;\n${MAIN} { a[id.x] = 0.0; out[id.x] = 1.0; }`,
    argument: 'tensors[0]',
    names: (t) => ["@binding(0) 'a'", 'array<f32>', 'var<storage, read>', t[0]!.label],
  },
  {
    name: 'a read-only binding the shader updates with +=',
    tensors: (m) => [m.tensor([1, 2])],
    wgsl: `@group(0) @binding(0) var<storage, read> acc: array<f32>;\n${MAIN} { acc[id.x] += 1.0; }`,
    argument: 'tensors[0]',
    names: (t) => ["@binding(0) 'acc'", 'array<f32>', t[0]!.label],
  },
  {
    name: 'a read-only binding the shader increments',
    tensors: (m) => [m.tensor([1, 2], { dtype: 'u32' })],
    wgsl: `@group(0) @binding(0) var<storage, read> n: array<u32>;\n${MAIN} { n[id.x]++; }`,
    argument: 'tensors[0]',
    names: (t) => ["@binding(0) 'n'", 'array<u32>', t[0]!.label],
  },
  {
    name: 'a fixed-size array larger than its tensor',
    tensors: (m) => [m.tensor(8, 'f32')],
    wgsl: `@group(0) @binding(0) var<storage, read_write> v: array<f32, 16>;\n${MAIN} { v[id.x] = 1.0; }`,
    argument: 'tensors[0]',
    names: (t) => ["@binding(0) 'v'", 'array<f32, 16>', t[0]!.label, '64 bytes'],
  },
  {
    name: 'an array of vec4f over a tensor that is not a whole number of them',
    tensors: (m) => [m.tensor(6, 'f32')],
    wgsl: `@group(0) @binding(0) var<storage, read_write> v: array<vec4f>;\n${MAIN} { v[id.x] = vec4f(1.0); }`,
    argument: 'tensors[0]',
    names: (t) => ["@binding(0) 'v'", 'array<vec4f>', t[0]!.label, '16-byte'],
  },
  {
    name: 'a specialization constant with no override of its id',
    tensors: (m) => [m.tensor(2, 'f32')],
    wgsl: `@id(0) override scale: f32 = 1.0;\n@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n${MAIN} { v[id.x] = scale; }`,
    options: { constants: [2, 3] },
    argument: 'constants[1]',
    names: () => ['@id(1)', '@id(0) scale: f32', 'value 3'],
  },
  {
    name: 'an override without a default and no constant for it',
    tensors: (m) => [m.tensor(2, 'f32')],
    wgsl: `@id(2) override gain: f32;\n@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n${MAIN} { v[id.x] = gain; }`,
    argument: 'constants[2]',
    names: () => ['@id(2) override gain: f32', 'no default', '0 constant(s)'],
  },
  {
    name: 'an override without @id or default',
    tensors: (m) => [m.tensor(2, 'f32')],
    wgsl: `override gain: f32;\n@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n${MAIN} { v[id.x] = gain; }`,
    argument: 'constants',
    names: () => ['override gain: f32', 'no @id'],
  },
  {
    name: 'a push-constant struct larger than the values',
    tensors: (m) => [m.tensor(2, 'f32')],
    wgsl: `struct Push { scale: f32, offset: f32 }\n@group(1) @binding(0) var<uniform> push: Push;\n@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n${MAIN} { v[id.x] = push.scale + push.offset; }`,
    options: { pushConstants: [1] },
    argument: 'pushConstants',
    names: () => ["@binding(0) 'push'", 'Push', '8 bytes but 4 bytes'],
  },
  {
    name: 'more push-constant values than the struct holds',
    tensors: (m) => [m.tensor(2, 'f32')],
    wgsl: `struct Push { scale: f32 }\n@group(1) @binding(0) var<uniform> push: Push;\n@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n${MAIN} { v[id.x] = push.scale; }`,
    options: { pushConstants: [1, 2, 3] },
    argument: 'pushConstants',
    names: () => ["@binding(0) 'push'", 'Push', '1 value(s)', '3 values (12 bytes)'],
  },
  {
    name: 'push constants of another type than the struct',
    tensors: (m) => [m.tensor(2, 'f32')],
    wgsl: `struct Push { n: u32 }\n@group(1) @binding(0) var<uniform> push: Push;\n@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n${MAIN} { v[id.x] = f32(push.n); }`,
    options: { pushConstants: new Float32Array([1.5]) },
    argument: 'pushConstants',
    names: () => ['u32', 'Float32Array'],
  },
  {
    name: 'one tensor bound to two writable bindings',
    tensors: (m) => {
      const t = m.tensor([1, 2]);
      return [t, t];
    },
    wgsl: `@group(0) @binding(0) var<storage, read_write> a: array<f32>;\n@group(0) @binding(1) var<storage, read_write> b: array<f32>;\n${MAIN} { b[id.x] = a[id.x]; }`,
    argument: 'tensors[1]',
    names: (t) => [t[0]!.label, 'bindings 0 and 1'],
  },
  {
    // Any group can be bound now (by name or '@group(g) @binding(b)' keys); an array fills group 0 only.
    name: 'a binding in another group given no resource',
    tensors: (m) => [m.tensor(2, 'f32')],
    wgsl: `@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n@group(2) @binding(0) var<storage, read> w: array<f32>;\n${MAIN} { v[id.x] = w[id.x]; }`,
    argument: 'resources',
    names: () => ["@group(2) @binding(0) 'w'", 'array<f32>', '{ w: ... }'],
  },
];

describe('shader–tensor checking', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test(`covers at least 12 distinct mismatches (${MISMATCHES.length})`, () => {
    assert.ok(MISMATCHES.length >= 12);
    assert.equal(new Set(MISMATCHES.map((m) => m.name)).size, MISMATCHES.length);
  });

  for (const mismatch of MISMATCHES) {
    test(`${mismatch.name} is an AlgorithmBindingError naming it`, () => {
      const tensors = mismatch.tensors(mgr);
      try {
        assert.throws(
          () => mgr.algorithm(tensors, mismatch.wgsl, mismatch.options),
          (e: unknown) => {
            assert.ok(e instanceof AlgorithmBindingError, `expected AlgorithmBindingError, got ${String(e)}`);
            assert.equal(e.code, 'KP_BINDING');
            assert.equal(e.argument, mismatch.argument, e.message);
            for (const text of mismatch.names(tensors)) assert.ok(e.message.includes(text), `the message should name ${JSON.stringify(text)}: ${e.message}`);
            assert.ok(e.hint.length > 0);
            return true;
          },
        );
      } finally {
        for (const t of tensors) t.destroy();
      }
      assert.equal(mgr.memory().algorithms, 0, 'a rejected algorithm is not kept');
    });
  }

  test('shaders that match pass the checks and run: read-only inputs, struct storage, fixed arrays, vec4 strides, overrides without defaults', async () => {
    const input = mgr.tensor([1, 2, 3, 4, 5, 6, 7, 8]);
    const out = mgr.tensor(8, 'f32');
    const wgsl = `
@id(0) override gain: f32;
@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> out: array<vec4f, 2>;
${MAIN} {
  let n = arrayLength(&a);
  out[id.x] = a[id.x] * gain + f32(n);
}`;
    const algorithm = mgr.algorithm([input, out], wgsl, { workgroup: [2], constants: [10] });
    await mgr.sequence().eval(new OpSyncDevice([input]), new OpAlgoDispatch(algorithm), new OpSyncLocal([out]));
    assert.deepEqual([...out.data()], [12, 22, 32, 42, 52, 62, 72, 82]);
    algorithm.destroy();
    input.destroy();
    out.destroy();
  });

  test('a local variable that shadows a read-only binding may be written', async () => {
    const a = mgr.tensor([1, 2]);
    const out = mgr.tensor(2, 'f32');
    const wgsl = `@group(0) @binding(0) var<storage, read> a: array<f32>;\n@group(0) @binding(1) var<storage, read_write> out: array<f32>;\n${MAIN} { var a2 = a[id.x]; a2 += 1.0; out[id.x] = a2; }`;
    const shadowing = wgsl.replaceAll('a2', 'a').replace('var a = a[id.x]', 'var a = 0.0');
    await mgr.algorithm([a, out], shadowing).compiled();
    const algorithm = mgr.algorithm([a, out], wgsl);
    await mgr.sequence().eval(new OpSyncDevice([a]), new OpAlgoDispatch(algorithm), new OpSyncLocal([out]));
    assert.deepEqual([...out.data()], [2, 3]);
    for (const r of [algorithm, a, out]) r.destroy();
  });

  test('{ checkBindings: false } lets a mismatching but valid shader through: an f32 tensor read as u32 bits', async () => {
    const bits = mgr.tensor([1, -2]);
    const shader = `@group(0) @binding(0) var<storage, read_write> v: array<u32>;\n${MAIN} { v[id.x] = v[id.x] >> 31u; }`;
    assert.throws(() => mgr.algorithm([bits], shader), AlgorithmBindingError);
    const algorithm = mgr.algorithm([bits], shader, { checkBindings: false });
    await mgr.sequence().eval(new OpSyncDevice([bits]), new OpAlgoDispatch(algorithm), new OpSyncLocal([bits]));
    // The sign bits, 0 and 1, read back as the f32 values with those bit patterns.
    assert.deepEqual([...new Uint32Array(bits.data().buffer, bits.data().byteOffset, 2)], [0, 1]);
    algorithm.destroy();
    bits.destroy();
  });
});
