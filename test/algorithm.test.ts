/**
 * Algorithms: WGSL bound to tensors (tensor i = @group(0) @binding(i)), workgroups,
 * specialization constants, compile and binding errors, and rebuild + rerecord.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type Algorithm,
  AlgorithmBindingError,
  ArgumentError,
  Manager,
  MemoryType,
  OpAlgoDispatch,
  OpSyncDevice,
  OpSyncLocal,
  type Operation,
  ShaderCompileError,
  SizeError,
  type Tensor,
} from '../src/index.js';
import { assertClose, assertFails, cpuReference, createManager, DOUBLE_SHADER, randomValues } from './helpers.js';

const SAXPY = /* wgsl */ `
@id(0) override alpha: f32 = 1.0;
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i < arrayLength(&out)) {
    out[i] = alpha * x[i] + y[i];
  }
}
`;

const AFFINE_CONSTANTS = /* wgsl */ `
@id(0) override scale: f32 = 1.0;
@id(1) override offset: f32 = 0.0;
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  out[id.x] = a[id.x] * scale + offset;
}
`;

/** Writes x*100 + y*10 + z at the linear index of each invocation of a 3-D grid. */
function gridShader(size: [number, number, number], workgroupSize: [number, number, number]): string {
  const [nx, ny] = size;
  return `
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(${workgroupSize.join(', ')})
fn main(@builtin(global_invocation_id) id: vec3u) {
  out[id.x + ${nx}u * (id.y + ${ny}u * id.z)] = id.x * 100u + id.y * 10u + id.z;
}
`;
}

function expectedGrid([nx, ny, nz]: [number, number, number]): number[] {
  const out: number[] = [];
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) out.push(x * 100 + y * 10 + z);
  return out;
}

describe('algorithms', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  /** Runs `algo` once (uploading `inputs`, downloading `outputs`) in a throwaway sequence. */
  async function run(algo: Algorithm, inputs: Tensor[], outputs: Tensor[]): Promise<void> {
    const seq = mgr.sequence();
    try {
      const ops: Operation[] = [];
      if (inputs.length > 0) ops.push(new OpSyncDevice(inputs));
      ops.push(new OpAlgoDispatch(algo));
      if (outputs.length > 0) ops.push(new OpSyncLocal(outputs));
      await seq.eval(...ops);
    } finally {
      seq.destroy();
    }
  }

  /** The manager still computes right: 2 * [1, 2, 3]. */
  async function assertStillComputes(): Promise<void> {
    const a = mgr.tensor([1, 2, 3]);
    const out = mgr.tensor(3, 'f32');
    const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
    await run(algo, [a], [out]);
    assert.deepEqual(Array.from(out.data()), [2, 4, 6]);
    for (const r of [algo, a, out]) r.destroy();
  }

  test('an algorithm over 2000 elements matches the CPU reference (saxpy with a specialization constant)', async () => {
    const n = 2000;
    const xs = randomValues(n, 7);
    const ys = randomValues(n, 8);
    const x = mgr.tensor(xs);
    const y = mgr.tensor(ys);
    const out = mgr.tensor(n, 'f32');
    const algo = mgr.algorithm([x, y, out], SAXPY, { workgroup: [Math.ceil(n / 64)], constants: [2.5] });
    await algo.compiled();
    await run(algo, [x, y], [out]);
    assertClose(
      out.data(),
      cpuReference(n, (i) => 2.5 * xs[i]! + ys[i]!),
      1e-6,
    );
    for (const r of [algo, x, y, out]) r.destroy();
  });

  test('the default workgroup is [tensors[0].size, 1, 1], one invocation per element with @workgroup_size(1)', async () => {
    const a = mgr.tensor([1, 2, 3, 4, 5, 6, 7]);
    const out = mgr.tensor(7, 'f32');
    const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
    assert.deepEqual(algo.getWorkgroup(), [7, 1, 1]);
    await run(algo, [a], [out]);
    assert.deepEqual(Array.from(out.data()), [2, 4, 6, 8, 10, 12, 14]);
    for (const r of [algo, a, out]) r.destroy();
  });

  test('getWorkgroup() fills missing dimensions with 1 and returns a copy', () => {
    const t = mgr.tensor(4, 'u32');
    const shader = gridShader([4, 1, 1], [1, 1, 1]);
    const one = mgr.algorithm([t], shader, { workgroup: [4] });
    const two = mgr.algorithm([t], shader, { workgroup: [2, 2] });
    const three = mgr.algorithm([t], shader, { workgroup: [1, 2, 2] });
    assert.deepEqual(one.getWorkgroup(), [4, 1, 1]);
    assert.deepEqual(two.getWorkgroup(), [2, 2, 1]);
    assert.deepEqual(three.getWorkgroup(), [1, 2, 2]);
    one.getWorkgroup()[0] = 99;
    assert.deepEqual(one.getWorkgroup(), [4, 1, 1]);
    for (const r of [one, two, three, t]) r.destroy();
  });

  test('multi-dimensional workgroups [x, y, z] reach every global_invocation_id.x/.y/.z', async () => {
    const size: [number, number, number] = [4, 3, 2];
    const out = mgr.tensor(24, 'u32');
    const algo = mgr.algorithm([out], gridShader(size, [1, 1, 1]), { workgroup: size });
    await run(algo, [], [out]);
    assert.deepEqual(Array.from(out.data()), expectedGrid(size));
    for (const r of [algo, out]) r.destroy();
  });

  test('multi-dimensional workgroups combine with a multi-dimensional @workgroup_size', async () => {
    // 2x3x1 workgroups of 2x2x2 invocations cover a 4x6x2 grid.
    const size: [number, number, number] = [4, 6, 2];
    const out = mgr.tensor(48, 'u32');
    const algo = mgr.algorithm([out], gridShader(size, [2, 2, 2]), { workgroup: [2, 3, 1] });
    await run(algo, [], [out]);
    assert.deepEqual(Array.from(out.data()), expectedGrid(size));
    for (const r of [algo, out]) r.destroy();
  });

  test('specialization constants set the `@id(i) override` values, and the WGSL defaults apply without them', async () => {
    const a = mgr.tensor([1, 2, 3]);
    const out = mgr.tensor(3, 'f32');
    const withConstants = mgr.algorithm([a, out], AFFINE_CONSTANTS, { constants: [3, 0.5] });
    assert.deepEqual(withConstants.getSpecializationConstants(), [3, 0.5]);
    await run(withConstants, [a], [out]);
    assert.deepEqual(Array.from(out.data()), [3.5, 6.5, 9.5]);

    const defaults = mgr.algorithm([a, out], AFFINE_CONSTANTS);
    assert.deepEqual(defaults.getSpecializationConstants(), []);
    await run(defaults, [a], [out]);
    assert.deepEqual(Array.from(out.data()), [1, 2, 3]);

    const firstOnly = mgr.algorithm([a, out], AFFINE_CONSTANTS, { constants: [-1] });
    await run(firstOnly, [a], [out]);
    assert.deepEqual(Array.from(out.data()), [-1, -2, -3]);
    for (const r of [withConstants, defaults, firstOnly, a, out]) r.destroy();
  });

  test('specialization constants that are not finite numbers are rejected with ArgumentError', () => {
    const a = mgr.tensor(1, 'f32');
    const out = mgr.tensor(1, 'f32');
    assert.throws(() => mgr.algorithm([a, out], AFFINE_CONSTANTS, { constants: [Number.NaN] }), ArgumentError);
    assert.throws(() => mgr.algorithm([a, out], AFFINE_CONSTANTS, { constants: ['2' as unknown as number] }), ArgumentError);
    a.destroy();
    out.destroy();
  });

  test('a WGSL syntax error fails compiled() with ShaderCompileError carrying the line and column', async () => {
    const a = mgr.tensor(2, 'f32');
    const broken = [
      '@group(0) @binding(0) var<storage, read_write> a: array<f32>;', // line 1
      '@compute @workgroup_size(1)', // line 2
      'fn main(@builtin(global_invocation_id) id: vec3u) {', // line 3
      '  a[id.x] = a[id.x] * 2.0 +;', // line 4: syntax error
      '}',
    ].join('\n');
    const algo = mgr.algorithm([a], broken);
    const error = (await assertFails(() => algo.compiled(), ShaderCompileError)) as ShaderCompileError;
    assert.equal(error.code, 'KP_SHADER_COMPILE');
    const errors = error.messages.filter((m) => m.type === 'error');
    assert.ok(errors.length > 0, 'at least one compiler error');
    assert.ok(errors.every((m) => typeof m.message === 'string' && m.message.length > 0));
    assert.ok(
      errors.some((m) => m.line === 4 && m.column > 0),
      `an error on line 4: ${JSON.stringify(errors)}`,
    );
    assert.match(error.message, /4:\d+/);
    for (const r of [algo, a]) r.destroy();
  });

  test('a WGSL type error is reported with its line and column', async () => {
    const a = mgr.tensor(2, 'f32');
    const wrong = [
      '@group(0) @binding(0) var<storage, read_write> a: array<f32>;',
      '@compute @workgroup_size(1)',
      'fn main(@builtin(global_invocation_id) id: vec3u) {',
      '  let k: f32 = 1u;', // line 4: u32 assigned to f32
      '  a[id.x] = k;',
      '}',
    ].join('\n');
    const algo = mgr.algorithm([a], wrong);
    const error = (await assertFails(() => algo.compiled(), ShaderCompileError)) as ShaderCompileError;
    assert.ok(
      error.messages.some((m) => m.type === 'error' && m.line === 4 && m.column > 0),
      JSON.stringify(error.messages),
    );
    for (const r of [algo, a]) r.destroy();
  });

  test('evaluating a sequence that dispatches an algorithm that failed to compile rejects with ShaderCompileError', async () => {
    const a = mgr.tensor(2, 'f32');
    const algo = mgr.algorithm([a], '@group(0) @binding(0) var<storage, read_write> a: array<f32>;\n@compute @workgroup_size(1) fn main() { a[0] = undefined_name; }');
    const seq = mgr.sequence();
    await assertFails(() => seq.eval(new OpAlgoDispatch(algo)), ShaderCompileError);
    assert.equal(seq.isRunning(), false);
    // Evaluating again reports the same error rather than running anything.
    await assertFails(() => seq.eval(), ShaderCompileError);
    for (const r of [seq, algo, a]) r.destroy();
    await assertStillComputes();
  });

  test('a binding index without a tensor fails with AlgorithmBindingError', () => {
    const a = mgr.tensor(2, 'f32');
    const out = mgr.tensor(2, 'f32');
    assert.throws(
      () => mgr.algorithm([a, out], SAXPY),
      (e: unknown) => e instanceof AlgorithmBindingError && /binding\(2\)/.test(e.message),
    );
    a.destroy();
    out.destroy();
  });

  test('a shader array<i32> bound to an f32 tensor fails with AlgorithmBindingError naming both types', () => {
    const a = mgr.tensor(2, 'f32');
    const shader = '@group(0) @binding(0) var<storage, read_write> a: array<i32>;\n@compute @workgroup_size(1) fn main() { a[0] = 1; }';
    assert.throws(
      () => mgr.algorithm([a], shader),
      (e: unknown) => e instanceof AlgorithmBindingError && /i32/.test(e.message) && /f32/.test(e.message),
    );
    a.destroy();
  });

  test('push constants declared in the shader but not given fail with AlgorithmBindingError, and so do push constants given but not declared', () => {
    const t = mgr.tensor(2, 'f32');
    const declared =
      'struct P { k: f32 }\n@group(0) @binding(0) var<storage, read_write> t: array<f32>;\n@group(1) @binding(0) var<uniform> push: P;\n@compute @workgroup_size(1) fn main() { t[0] = push.k; }';
    assert.throws(
      () => mgr.algorithm([t], declared),
      (e: unknown) => e instanceof AlgorithmBindingError && /push/i.test(e.message),
    );
    const undeclared = '@group(0) @binding(0) var<storage, read_write> t: array<f32>;\n@compute @workgroup_size(1) fn main() { t[0] = 1.0; }';
    assert.throws(() => mgr.algorithm([t], undeclared, { pushConstants: [1] }), AlgorithmBindingError);
    t.destroy();
  });

  test('a tensor binds to a uniform in group 0; a binding in another group without a resource fails with AlgorithmBindingError', async () => {
    const t = mgr.tensor(4, 'f32');
    const uniform = 'struct S { v: vec4f }\n@group(0) @binding(0) var<uniform> t: S;\n@compute @workgroup_size(1) fn main() { _ = t.v; }';
    await mgr.algorithm([t], uniform).compiled();
    const group2 =
      '@group(0) @binding(0) var<storage, read_write> t: array<f32>;\n@group(2) @binding(0) var<storage, read_write> u: array<f32>;\n@compute @workgroup_size(1) fn main() { t[0] = u[0]; }';
    assert.throws(() => mgr.algorithm([t], group2), AlgorithmBindingError);
    t.destroy();
  });

  test("a workgroup count over the device's maxComputeWorkgroupsPerDimension fails with SizeError", () => {
    const max = mgr.deviceInfo().limits.maxComputeWorkgroupsPerDimension!;
    const a = mgr.tensor(2, 'f32');
    const out = mgr.tensor(2, 'f32');
    for (const workgroup of [[max + 1], [1, max + 1], [1, 1, max + 1]]) {
      assert.throws(
        () => mgr.algorithm([a, out], DOUBLE_SHADER, { workgroup }),
        (e: unknown) => e instanceof SizeError && /maxComputeWorkgroupsPerDimension/.test(e.message),
      );
    }
    a.destroy();
    out.destroy();
  });

  test('workgroup counts that are not positive integers, or more than 3 dimensions, fail with ArgumentError', () => {
    const a = mgr.tensor(2, 'f32');
    const out = mgr.tensor(2, 'f32');
    for (const workgroup of [[0], [-1], [1.5], [Number.NaN], [], [1, 1, 1, 1]]) {
      assert.throws(() => mgr.algorithm([a, out], DOUBLE_SHADER, { workgroup }), ArgumentError, JSON.stringify(workgroup));
    }
    a.destroy();
    out.destroy();
  });

  test("more tensors than the device's maxStorageBuffersPerShaderStage fail with SizeError", async () => {
    // A device limited through requiredLimits, so the test needs few tensors on any adapter.
    const wanted = Math.min(10, mgr.deviceInfo().limits.maxStorageBuffersPerShaderStage!);
    const limited = await createManager({ requiredLimits: { maxStorageBuffersPerShaderStage: wanted } });
    try {
      const max = limited.deviceInfo().limits.maxStorageBuffersPerShaderStage!;
      assert.ok(max >= wanted && max <= 64, `requiredLimits applied: got ${max}`);
      const tensors = Array.from({ length: max + 1 }, () => limited.tensor(1, 'f32'));
      assert.throws(
        () => limited.algorithm(tensors, DOUBLE_SHADER),
        (e: unknown) => e instanceof SizeError && /maxStorageBuffersPerShaderStage/.test(e.message),
      );
    } finally {
      limited.destroy();
    }
  });

  test('tensors of another manager, non-tensors and empty WGSL are rejected with ArgumentError', async () => {
    const other = await createManager();
    try {
      const foreign = other.tensor([1, 2]);
      const out = mgr.tensor(2, 'f32');
      assert.throws(() => mgr.algorithm([foreign, out], DOUBLE_SHADER), ArgumentError);
      assert.throws(() => mgr.algorithm([{} as Tensor, out], DOUBLE_SHADER), ArgumentError);
      assert.throws(() => mgr.algorithm([out], '   '), ArgumentError);
      out.destroy();
    } finally {
      other.destroy();
    }
  });

  test('entryPoint picks one of several @compute functions; an unknown or ambiguous one fails with ArgumentError', async () => {
    const t = mgr.tensor(1, 'f32', { type: MemoryType.Host });
    const shader = '@group(0) @binding(0) var<storage, read_write> t: array<f32>;\n@compute @workgroup_size(1) fn one() { t[0] = 1.0; }\n@compute @workgroup_size(1) fn two() { t[0] = 2.0; }';
    assert.throws(() => mgr.algorithm([t], shader), ArgumentError);
    assert.throws(() => mgr.algorithm([t], shader, { entryPoint: 'three' }), ArgumentError);
    const algo = mgr.algorithm([t], shader, { entryPoint: 'two' });
    await run(algo, [], []);
    assert.deepEqual(Array.from(t.data()), [2]);
    for (const r of [algo, t]) r.destroy();
  });

  test('getTensors() returns the bound tensors in binding order', () => {
    const a = mgr.tensor(2, 'f32');
    const out = mgr.tensor(2, 'f32');
    const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
    assert.deepEqual(algo.getTensors(), [a, out]);
    for (const r of [algo, a, out]) r.destroy();
  });

  test('rerecord after algorithm rebuild: a rebuilt shader runs at the next evaluation of a re-recorded sequence', async () => {
    const a = mgr.tensor([1, 2, 3]);
    const out = mgr.tensor(3, 'f32');
    const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
    const seq = mgr.sequence();
    seq
      .record(new OpSyncDevice([a]))
      .record(new OpAlgoDispatch(algo))
      .record(new OpSyncLocal([out]));
    await seq.eval();
    assert.deepEqual(Array.from(out.data()), [2, 4, 6]);

    algo.rebuild([a, out], AFFINE_CONSTANTS, { constants: [10, 1] });
    assert.deepEqual(algo.getSpecializationConstants(), [10, 1]);
    seq.rerecord();
    assert.equal(seq.getOperations().length, 3);
    await seq.eval();
    assert.deepEqual(Array.from(out.data()), [11, 21, 31]);

    // Rebuilding with other tensors and a new workgroup.
    const b = mgr.tensor([5, 6]);
    const out2 = mgr.tensor(2, 'f32');
    algo.rebuild([b, out2], DOUBLE_SHADER);
    assert.deepEqual(algo.getWorkgroup(), [2, 1, 1]);
    assert.deepEqual(algo.getTensors(), [b, out2]);
    await seq.eval(new OpSyncDevice([b]), new OpAlgoDispatch(algo), new OpSyncLocal([out2]));
    assert.deepEqual(Array.from(out2.data()), [10, 12]);
    for (const r of [seq, algo, a, out, b, out2]) r.destroy();
  });

  test('rebuild() with a broken shader reports ShaderCompileError, and a further rebuild recovers', async () => {
    const a = mgr.tensor([1, 2]);
    const out = mgr.tensor(2, 'f32');
    const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
    await algo.compiled();
    algo.rebuild([a, out], DOUBLE_SHADER.replace('* 2.0', '* * 2.0'));
    await assertFails(() => algo.compiled(), ShaderCompileError);
    algo.rebuild([a, out], DOUBLE_SHADER.replace('* 2.0', '* 3.0'));
    await algo.compiled();
    await run(algo, [a], [out]);
    assert.deepEqual(Array.from(out.data()), [3, 6]);
    for (const r of [algo, a, out]) r.destroy();
  });

  test('after compile and binding errors the manager still computes correctly', async () => {
    await assertStillComputes();
  });
});
