/**
 * Errors: every error class is exported, derives from KomputeError and carries a code and a hint;
 * each is thrown where the issue says (WebGPU validation errors included, never only printed);
 * and after each error the manager still computes correctly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as errorsModule from '../src/errors.js';
import * as kompute from '../src/index.js';
import {
  AlgorithmBindingError,
  ArgumentError,
  DestroyedError,
  DeviceLostError,
  DTypeError,
  KomputeError,
  Manager,
  MemoryType,
  OpAlgoDispatch,
  OpSyncDevice,
  OpSyncLocal,
  OutOfMemoryError,
  ShaderCompileError,
  SizeError,
  StateError,
  UnsupportedError,
  ValidationError,
  WorkerError,
} from '../src/index.js';
import { assertFails, createManager, DOUBLE_SHADER, rawDevice, Usage } from './helpers.js';

/** One instance of every error class, built as the library builds them. */
const SAMPLES: readonly KomputeError[] = [
  new DestroyedError('Tensor#1', 'data()'),
  new DeviceLostError('destroyed', 'device was destroyed', 'eval'),
  new ShaderCompileError('Algorithm#1', [{ type: 'error', message: 'expected expression', line: 2, column: 7 }], 'line one\nline two'),
  new ValidationError('evaluating Sequence#1', 'buffer used in submit while destroyed'),
  new OutOfMemoryError('creating Tensor#1', 'allocation failed'),
  new UnsupportedError('no adapter matches x', 'the adapter found is y'),
  new ArgumentError('length', 'must be positive', 'pass a positive integer'),
  new SizeError('values', 'got 2 values for a tensor of 3', 'use rebuild()'),
  new DTypeError('data', 'Float64Array is not supported', 'use Float32Array'),
  new AlgorithmBindingError('tensors', 'binding 2 has no tensor', 'pass a tensor per binding'),
  new StateError('Sequence#1.record() while running', 'await evalAwait() first'),
  new WorkerError(1, '0000:65:00.0', 'exited', { exitCode: 3 }),
];

describe('error classes', () => {
  test('every error class of src/errors.ts is exported from the package entry point', () => {
    const classes = Object.entries(errorsModule).filter(([, v]) => typeof v === 'function');
    assert.ok(classes.length >= 12, `found ${classes.length} error classes`);
    for (const [name, cls] of classes) {
      assert.equal((kompute as Record<string, unknown>)[name], cls, `${name} is exported by index.ts`);
    }
    // And every one of them has a sample below.
    for (const [name] of classes) assert.ok(SAMPLES.some((e) => e.constructor.name === name) || name === 'KomputeError', `${name} is covered`);
  });

  test('every error class extends KomputeError and Error, and has its own name, a stable KP_ code and a hint', () => {
    const codes = new Set<string>();
    for (const error of SAMPLES) {
      const name = error.constructor.name;
      assert.ok(error instanceof KomputeError, `${name} extends KomputeError`);
      assert.ok(error instanceof Error, `${name} extends Error`);
      assert.equal(error.name, name);
      assert.match(error.code, /^KP_[A-Z_]+$/, `${name}.code`);
      assert.equal(typeof error.hint, 'string', `${name}.hint`);
      assert.ok(error.hint.length > 0, `${name} has a hint`);
      assert.ok(error.message.includes(error.hint), `${name}'s message includes its hint`);
      assert.equal(typeof error.stack, 'string');
      codes.add(error.code);
    }
    assert.equal(codes.size, SAMPLES.length, 'each class has its own code');
  });

  test('SizeError, DTypeError and AlgorithmBindingError are ArgumentErrors naming the argument', () => {
    for (const error of [new SizeError('values', 'x', 'h'), new DTypeError('data', 'x', 'h'), new AlgorithmBindingError('tensors', 'x', 'h')]) {
      assert.ok(error instanceof ArgumentError);
      assert.ok(error.argument.length > 0);
      assert.ok(error.message.startsWith(`${error.argument}:`));
    }
  });

  test('DestroyedError names the resource; DeviceLostError carries the reason; ShaderCompileError carries line and column', () => {
    const destroyed = new DestroyedError('Tensor#9', 'data()');
    assert.equal(destroyed.resource, 'Tensor#9');
    assert.match(destroyed.message, /Tensor#9/);
    const lost = new DeviceLostError('destroyed', 'gone');
    assert.equal(lost.reason, 'destroyed');
    const compile = new ShaderCompileError('Algorithm#3', [{ type: 'error', message: 'bad token', line: 2, column: 5 }], 'ok\nbad line');
    assert.deepEqual(compile.messages, [{ type: 'error', message: 'bad token', line: 2, column: 5 }]);
    assert.match(compile.message, /2:5/);
    assert.match(compile.message, /bad line/, 'the message quotes the source line');
  });
});

describe('errors thrown by the library', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  /** 2 * [1, 2, 3] on the shared manager. */
  async function assertStillComputes(): Promise<void> {
    const a = mgr.tensor([1, 2, 3]);
    const out = mgr.tensor(3, 'f32');
    const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
    assert.deepEqual(Array.from(out.data()), [2, 4, 6]);
    for (const r of [seq, algo, a, out]) r.destroy();
  }

  const OVERRIDE_SHADER = `@id(0) override s: f32 = 1.0;
@group(0) @binding(0) var<storage, read_write> t: array<f32>;
@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u) { t[id.x] = t[id.x] * s; }`;

  test('ValidationError is thrown, not just printed: a specialization constant id the shader lacks rejects compiled() and eval()', async () => {
    const t = mgr.tensor([1, 2], { type: MemoryType.Host });
    // There is no @id(1). The binding check would throw an AlgorithmBindingError at once; turned
    // off, WebGPU's own validation must still surface as a thrown error.
    const algo = mgr.algorithm([t], OVERRIDE_SHADER, { constants: [2, 3], checkBindings: false });
    const error = await assertFails(() => algo.compiled(), ValidationError);
    assert.equal((error as ValidationError).code, 'KP_VALIDATION');
    assert.match(error.message, /1/);
    const seq = mgr.sequence();
    await assertFails(() => seq.eval(new OpAlgoDispatch(algo)), ValidationError);
    assert.equal(seq.isRunning(), false);
    // A correct set of constants on the same shader works.
    algo.rebuild([t], OVERRIDE_SHADER, { constants: [3] });
    await seq.eval(new OpAlgoDispatch(algo));
    assert.deepEqual(Array.from(t.data()), [3, 6]);
    for (const r of [seq, algo, t]) r.destroy();
    await assertStillComputes();
  });

  test('ValidationError is thrown at eval() when a wrapped external buffer was destroyed by its owner', async () => {
    const buffer = mgr.device.createBuffer({ size: 8, usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST });
    const t = mgr.tensorFromBuffer(buffer, 'f32', 2);
    const algo = mgr.algorithm([t], OVERRIDE_SHADER);
    const seq = mgr.sequence().record(new OpAlgoDispatch(algo));
    await seq.eval();
    buffer.destroy();
    const error = await assertFails(() => seq.eval(), ValidationError);
    assert.match(error.message, /destroyed/);
    for (const r of [seq, algo, t]) r.destroy();
    await assertStillComputes();
  });

  test('each error class the library throws comes from the call that caused it, and the manager computes afterwards', async () => {
    const cases: [string, () => unknown, abstract new (...args: never[]) => Error][] = [
      [
        'DestroyedError',
        () => {
          const t = mgr.tensor([1]);
          t.destroy();
          return t.data();
        },
        DestroyedError,
      ],
      [
        'ShaderCompileError',
        () => mgr.algorithm([mgr.tensor(1, 'f32')], '@group(0) @binding(0) var<storage, read_write> t: array<f32>;\n@compute @workgroup_size(1) fn main() { t[0] = ; }').compiled(),
        ShaderCompileError,
      ],
      ['UnsupportedError', () => Manager.create({ adapter: 'definitely-not-this-adapter' }), UnsupportedError],
      ['ArgumentError', () => mgr.tensor(0, 'f32'), ArgumentError],
      ['SizeError', () => mgr.tensor([1, 2]).setData([1]), SizeError],
      ['DTypeError', () => mgr.tensor(new Float64Array(2) as unknown as Float32Array), DTypeError],
      ['AlgorithmBindingError', () => mgr.algorithm([mgr.tensor(1, 'f32')], DOUBLE_SHADER), AlgorithmBindingError],
      ['StateError', () => mgr.tensor([1], { type: MemoryType.Storage }).data(), StateError],
    ];
    for (const [name, call, kind] of cases) {
      const error = await assertFails(call, kind);
      assert.equal(error.name, name);
      await assertStillComputes();
    }
  });

  test('DeviceLostError: when the owner destroys an external device, onDeviceLost is called and every later use throws DeviceLostError', async () => {
    const { device } = await rawDevice();
    let reported: DeviceLostError | null = null;
    const byo = Manager.fromDevice(device, { onDeviceLost: (e) => (reported = e) });
    const t = byo.tensor([1, 2]);
    const seq = byo.sequence();
    await seq.eval(new OpSyncDevice([t]));
    device.destroy();
    await device.lost;
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(reported, 'onDeviceLost was called');
    assert.ok((reported as DeviceLostError) instanceof DeviceLostError);
    assert.equal((reported as DeviceLostError).reason, 'destroyed');
    assert.equal(byo.isInit(), false);
    assert.equal(t.isInit(), false);
    await assertFails(() => byo.tensor([1]), DeviceLostError);
    await assertFails(() => t.data(), DeviceLostError);
    await assertFails(() => seq.eval(), DeviceLostError);
    assert.deepEqual(
      { ...byo.memory() },
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
    assert.doesNotThrow(() => byo.destroy());
    await assertStillComputes();
  });
});
