/**
 * The bad-input catalogue (issue 4): one table row per bad input to the public API. Every row must
 * throw or reject with exactly its documented error class, a KomputeError with a KP_ code and a
 * hint, naming the argument at fault for ArgumentError kinds; afterwards the managers involved
 * still compute correctly, nothing leaked, and WebGPU reported no uncaptured error. The table is
 * documented in docs/errors.md; the last test keeps the two in sync.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
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
  OpCopy,
  OpMemoryBarrier,
  OpMult,
  OpSyncDevice,
  OpSyncLocal,
  type Algorithm,
  type AlgorithmOptions,
  type Sequence,
  ShaderCompileError,
  SizeError,
  StateError,
  type Tensor,
  type TensorOptions,
  UnsupportedError,
  ValidationError,
} from '../src/index.js';
import { ADD_PUSH_SHADER, assertClose, DOUBLE_SHADER, INCREMENT_SHADER, liveMemory, randomValues, rawDevice, Usage } from './helpers.js';

type ErrorClass = abstract new (...args: never[]) => KomputeError;

/** What a row's call gets: managers, and helpers whose resources are cleaned up after the row. */
interface Ctx {
  /** The shared manager (Manager.create: every feature the adapter offers, limits raised). */
  readonly mgr: Manager;
  /** A second manager, for rows that mix managers. */
  readonly other: Manager;
  /** A manager on a raw device with default limits and no optional feature (no shader-f16, no timestamp-query). */
  readonly bare: Manager;
  /** A throwaway manager of its own, or one on `device` (Manager.fromDevice); destroyed after the row. */
  fresh(device?: GPUDevice): Promise<Manager>;
  /** Registers a resource to destroy after the row (sequences are awaited first). */
  keep<T extends { destroy(): void }>(resource: T): T;
  /** Runs `fn` after the row, before the resources are destroyed. */
  later(fn: () => unknown): void;
  /** An f32 tensor on `m` (default the shared manager): `values` or `length` zeros. */
  f32(valuesOrLength: number | readonly number[], options?: TensorOptions, m?: Manager): Tensor<'f32'>;
  /** An algorithm on `m` (default the shared manager). */
  algo(tensors: readonly Tensor[], wgsl: string, options?: AlgorithmOptions, m?: Manager): Algorithm;
  /** A sequence on `m` (default the shared manager). */
  seq(m?: Manager): Sequence;
  /** A raw GPU buffer on `m`'s device, destroyed after the row. */
  buffer(size: number, usage: number, m?: Manager): GPUBuffer;
}

/** One catalogue row. */
interface Row {
  /** Stable identifier, also used in docs/errors.md. */
  readonly id: string;
  /** The part of the API. */
  readonly area: 'Manager' | 'Tensor' | 'tensorFromBuffer' | 'Image' | 'Algorithm' | 'WGSL' | 'Push constants' | 'Workgroup' | 'Sequence' | 'Operations' | 'Destroyed' | 'Concurrency';
  /** The call, as documentation (no `|`). */
  readonly api: string;
  /** The bad input, as documentation (no `|`). */
  readonly input: string;
  /** Makes the bad call. It must throw or reject. */
  readonly call: (c: Ctx) => unknown;
  /** The error class the library documents for it (exactly this class). */
  readonly error: ErrorClass;
  /** For ArgumentError and its kinds: the name of the argument at fault. */
  readonly argument?: string;
  /** What the message must say. */
  readonly message: RegExp;
}

/** `@group(0) @binding(0)` f32 tensor, read-write, plus `body` in main. */
function shader(decl: string, body = ''): string {
  return `${decl}
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  ${body}
}
`;
}
const T0 = '@group(0) @binding(0) var<storage, read_write> t: array<f32>;';
const PUSH2_SHADER = shader(`struct P { a: f32, b: f32 }\n${T0}\n@group(1) @binding(0) var<uniform> p: P;`, 't[id.x] = p.a + p.b;');
const OVERRIDE_SHADER = shader(`@id(0) override s: f32 = 1.0;\n${T0}`, 't[id.x] = t[id.x] * s;');
const MAX_BINDING = (m: Manager): number => m.deviceInfo().limits.maxStorageBufferBindingSize!;
const MAX_WORKGROUPS = (m: Manager): number => m.deviceInfo().limits.maxComputeWorkgroupsPerDimension!;
/** Elements of a tensor over 64 KiB: its host copy is mapped staging memory. */
const LARGE = 20_000;

/** Makes a resource with `make`, destroys it, then calls `use` with it. */
function destroyed<T extends { destroy(): void }>(make: (c: Ctx) => T, use: (x: T, c: Ctx) => unknown): (c: Ctx) => unknown {
  return (c) => {
    const x = make(c);
    x.destroy();
    return use(x, c);
  };
}

/** A fresh manager, destroyed, then `use`d. */
function afterManagerDestroy(use: (m: Manager) => unknown): (c: Ctx) => Promise<unknown> {
  return afterManagerDestroyWith(() => undefined, use);
}

/** A fresh manager on which `prepare` makes something, then the manager is destroyed and `use`d with it. */
function afterManagerDestroyWith<P>(prepare: (m: Manager, c: Ctx) => P, use: (m: Manager, prepared: P) => unknown): (c: Ctx) => Promise<unknown> {
  return async (c) => {
    const m = await c.fresh();
    const prepared = prepare(m, c);
    m.destroy();
    return use(m, prepared);
  };
}

/** A sequence with an evaluation in flight that transfers `t` (after a first evaluation, so the transfer is already encoded). */
async function transferring(c: Ctx, t: Tensor): Promise<Sequence> {
  const s = c.seq();
  await s.eval(new OpSyncLocal([t]));
  s.evalAsync();
  assert.ok(s.isRunning(), 'setup: the evaluation is in flight');
  return s;
}

const ROWS: readonly Row[] = [
  // ---------------------------------------------------------------- Manager
  {
    id: 'manager.create.adapter-filter',
    area: 'Manager',
    api: 'Manager.create',
    input: "adapter: 'no-such-gpu' (no adapter matches)",
    call: () => Manager.create({ adapter: 'no-such-gpu' }),
    error: UnsupportedError,
    message: /no adapter matches 'no-such-gpu'/,
  },
  {
    id: 'manager.create.adapter-filter-type',
    area: 'Manager',
    api: 'Manager.create',
    input: 'adapter: 5 (not a string)',
    call: () => Manager.create({ adapter: 5 as never }),
    error: ArgumentError,
    argument: 'adapter',
    message: /string/,
  },
  {
    id: 'manager.create.missing-feature',
    area: 'Manager',
    api: 'Manager.create',
    input: "requiredFeatures: ['texture-compression-astc'] (not offered)",
    call: () => Manager.create({ requiredFeatures: ['texture-compression-astc'] }),
    error: UnsupportedError,
    message: /lacks the required feature\(s\) texture-compression-astc/,
  },
  {
    id: 'manager.create.unknown-feature',
    area: 'Manager',
    api: 'Manager.create',
    input: "requiredFeatures: ['no-such-feature']",
    call: () => Manager.create({ requiredFeatures: ['no-such-feature'] }),
    error: UnsupportedError,
    message: /no-such-feature/,
  },
  {
    id: 'manager.create.features-not-array',
    area: 'Manager',
    api: 'Manager.create',
    input: "requiredFeatures: 'shader-f16' (a string, not an array)",
    call: () => Manager.create({ requiredFeatures: 'shader-f16' as never }),
    error: ArgumentError,
    argument: 'requiredFeatures',
    message: /array/,
  },
  {
    id: 'manager.create.limit-over-max',
    area: 'Manager',
    api: 'Manager.create',
    input: 'requiredLimits: { maxBufferSize: 2^53 - 1 } (over the adapter maximum)',
    call: () => Manager.create({ requiredLimits: { maxBufferSize: Number.MAX_SAFE_INTEGER } }),
    error: UnsupportedError,
    message: /maxBufferSize = 9007199254740991 is beyond the adapter's maximum/,
  },
  {
    id: 'manager.create.limit-under-min',
    area: 'Manager',
    api: 'Manager.create',
    input: 'requiredLimits: { minStorageBufferOffsetAlignment: 1 } (under the adapter minimum)',
    call: () => Manager.create({ requiredLimits: { minStorageBufferOffsetAlignment: 1 } }),
    error: UnsupportedError,
    message: /beyond the adapter's minimum/,
  },
  {
    id: 'manager.create.limit-unknown',
    area: 'Manager',
    api: 'Manager.create',
    input: 'requiredLimits: { maxWarpDrive: 1 } (no such limit)',
    call: () => Manager.create({ requiredLimits: { maxWarpDrive: 1 } }),
    error: UnsupportedError,
    message: /unknown limit maxWarpDrive/,
  },
  {
    id: 'manager.create.limit-nan',
    area: 'Manager',
    api: 'Manager.create',
    input: 'requiredLimits: { maxBufferSize: NaN }',
    call: () => Manager.create({ requiredLimits: { maxBufferSize: NaN } }),
    error: ArgumentError,
    argument: 'requiredLimits.maxBufferSize',
    message: /NaN/,
  },
  {
    id: 'manager.create.limit-negative',
    area: 'Manager',
    api: 'Manager.create',
    input: 'requiredLimits: { maxStorageBufferBindingSize: -1 }',
    call: () => Manager.create({ requiredLimits: { maxStorageBufferBindingSize: -1 } }),
    error: ArgumentError,
    argument: 'requiredLimits.maxStorageBufferBindingSize',
    message: /-1/,
  },
  {
    id: 'manager.create.limit-not-number',
    area: 'Manager',
    api: 'Manager.create',
    input: "requiredLimits: { maxBufferSize: 'big' }",
    call: () => Manager.create({ requiredLimits: { maxBufferSize: 'big' as never } }),
    error: ArgumentError,
    argument: 'requiredLimits.maxBufferSize',
    message: /big/,
  },
  {
    id: 'manager.create.limit-fractional',
    area: 'Manager',
    api: 'Manager.create',
    input: 'requiredLimits: { maxStorageBufferBindingSize: 1000.5 }',
    call: () => Manager.create({ requiredLimits: { maxStorageBufferBindingSize: 1000.5 } }),
    error: ArgumentError,
    argument: 'requiredLimits.maxStorageBufferBindingSize',
    message: /1000\.5/,
  },
  {
    id: 'manager.create.power-preference',
    area: 'Manager',
    api: 'Manager.create',
    input: "powerPreference: 'fastest' (not a GPUPowerPreference)",
    call: () => Manager.create({ powerPreference: 'fastest' as never }),
    error: ArgumentError,
    argument: 'powerPreference',
    message: /fastest/,
  },
  {
    id: 'manager.create.gpu-not-gpu',
    area: 'Manager',
    api: 'Manager.create',
    input: 'gpu: {} (no requestAdapter)',
    call: () => Manager.create({ gpu: {} as never }),
    error: ArgumentError,
    argument: 'gpu',
    message: /GPU/,
  },
  {
    id: 'manager.create.on-device-lost',
    area: 'Manager',
    api: 'Manager.create',
    input: 'onDeviceLost: 5 (not a function)',
    call: () => Manager.create({ onDeviceLost: 5 as never }),
    error: ArgumentError,
    argument: 'onDeviceLost',
    message: /function/,
  },
  {
    id: 'manager.create.pool-negative',
    area: 'Manager',
    api: 'Manager.create',
    input: 'stagingPoolBytes: -1',
    call: () => Manager.create({ stagingPoolBytes: -1 }),
    error: ArgumentError,
    argument: 'stagingPoolBytes',
    message: /-1/,
  },
  {
    id: 'manager.create.pool-fractional',
    area: 'Manager',
    api: 'Manager.create',
    input: 'stagingPoolBytes: 1.5',
    call: () => Manager.create({ stagingPoolBytes: 1.5 }),
    error: ArgumentError,
    argument: 'stagingPoolBytes',
    message: /1\.5/,
  },
  {
    id: 'manager.create.pool-not-number',
    area: 'Manager',
    api: 'Manager.create',
    input: "stagingPoolBytes: '64MB' (a string)",
    call: () => Manager.create({ stagingPoolBytes: '64MB' as never }),
    error: ArgumentError,
    argument: 'stagingPoolBytes',
    message: /64MB/,
  },
  {
    id: 'manager.create.host-data-unknown',
    area: 'Manager',
    api: 'Manager.create',
    input: "hostData: 'pinned' (not a placement)",
    call: () => Manager.create({ hostData: 'pinned' as never }),
    error: ArgumentError,
    argument: 'hostData',
    message: /pinned/,
  },
  {
    id: 'manager.from-device.null',
    area: 'Manager',
    api: 'Manager.fromDevice',
    input: 'device: null',
    call: () => Manager.fromDevice(null as never),
    error: ArgumentError,
    argument: 'device',
    message: /expected a GPUDevice/,
  },
  {
    id: 'manager.from-device.not-device',
    area: 'Manager',
    api: 'Manager.fromDevice',
    input: 'device: {} (not a GPUDevice)',
    call: () => Manager.fromDevice({} as never),
    error: ArgumentError,
    argument: 'device',
    message: /expected a GPUDevice/,
  },
  {
    id: 'manager.from-device.on-device-lost',
    area: 'Manager',
    api: 'Manager.fromDevice',
    input: "onDeviceLost: 'log' (not a function)",
    call: (c) => Manager.fromDevice(c.mgr.device, { onDeviceLost: 'log' as never }),
    error: ArgumentError,
    argument: 'onDeviceLost',
    message: /function/,
  },
  {
    id: 'manager.from-device.pool-nan',
    area: 'Manager',
    api: 'Manager.fromDevice',
    input: 'stagingPoolBytes: NaN',
    call: (c) => Manager.fromDevice(c.mgr.device, { stagingPoolBytes: NaN }),
    error: ArgumentError,
    argument: 'stagingPoolBytes',
    message: /NaN/,
  },
  {
    id: 'manager.f16-without-feature',
    area: 'Manager',
    api: 'mgr.tensor',
    input: "length 4, dtype 'f16' on a device without shader-f16",
    call: (c) => c.bare.tensor(4, 'f16'),
    error: UnsupportedError,
    message: /shader-f16/,
  },
  {
    id: 'manager.timestamps-without-feature',
    area: 'Manager',
    api: 'mgr.sequence',
    input: '{ timestamps: true } on a device without timestamp-query',
    call: (c) => c.bare.sequence({ timestamps: true }),
    error: UnsupportedError,
    message: /timestamp-query/,
  },
  {
    id: 'manager.device-lost',
    area: 'Manager',
    api: 'mgr.tensor',
    input: 'any call after the external device was destroyed (device lost)',
    call: async (c) => {
      const { device } = await rawDevice();
      const m = await c.fresh(device);
      device.destroy();
      await device.lost;
      await new Promise((resolve) => setImmediate(resolve));
      return m.tensor([1, 2]);
    },
    error: DeviceLostError,
    message: /device was lost \(destroyed/,
  },
  {
    id: 'manager.device-lost.in-flight',
    area: 'Manager',
    api: 'seq.evalAwait',
    input: 'an evaluation in flight when the external device is destroyed',
    call: async (c) => {
      const { device } = await rawDevice();
      const m = await c.fresh(device);
      const s = m.sequence().evalAsync(new OpSyncLocal([m.tensor(LARGE, 'f32')]));
      device.destroy();
      return s.evalAwait();
    },
    error: DeviceLostError,
    message: /device was lost/,
  },

  // ---------------------------------------------------------------- Tensor
  {
    id: 'tensor.length.zero',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "length 0, 'f32'",
    call: (c) => c.mgr.tensor(0, 'f32'),
    error: ArgumentError,
    argument: 'length',
    message: /positive integer, got 0/,
  },
  { id: 'tensor.length.negative', area: 'Tensor', api: 'mgr.tensor', input: "length -3, 'f32'", call: (c) => c.mgr.tensor(-3, 'f32'), error: ArgumentError, argument: 'length', message: /got -3/ },
  {
    id: 'tensor.length.fractional',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "length 2.5, 'f32'",
    call: (c) => c.mgr.tensor(2.5, 'f32'),
    error: ArgumentError,
    argument: 'length',
    message: /got 2\.5/,
  },
  { id: 'tensor.length.nan', area: 'Tensor', api: 'mgr.tensor', input: "length NaN, 'f32'", call: (c) => c.mgr.tensor(NaN, 'f32'), error: ArgumentError, argument: 'length', message: /got NaN/ },
  {
    id: 'tensor.length.infinity',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "length Infinity, 'f32'",
    call: (c) => c.mgr.tensor(Infinity, 'f32'),
    error: ArgumentError,
    argument: 'length',
    message: /got Infinity/,
  },
  {
    id: 'tensor.length.string',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "length '4' (a string), 'f32'",
    call: (c) => c.mgr.tensor('4' as never, 'f32'),
    error: ArgumentError,
    argument: 'data',
    message: /expected a typed array, an array of numbers, or a length/,
  },
  {
    id: 'tensor.length.huge',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "length 2^40, 'f32'",
    call: (c) => c.mgr.tensor(2 ** 40, 'f32'),
    error: SizeError,
    argument: 'length',
    message: /exceeds this device's limit/,
  },
  {
    id: 'tensor.length.over-binding-size',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "maxStorageBufferBindingSize / 4 + 1 elements, 'f32'",
    call: (c) => c.mgr.tensor(MAX_BINDING(c.mgr) / 4 + 1, 'f32'),
    error: SizeError,
    argument: 'length',
    message: /maxStorageBufferBindingSize/,
  },
  {
    id: 'tensor.length.over-binding-size-i32',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "maxStorageBufferBindingSize / 4 + 1 elements, 'i32'",
    call: (c) => c.mgr.tensor(MAX_BINDING(c.mgr) / 4 + 1, 'i32'),
    error: SizeError,
    argument: 'length',
    message: /maxStorageBufferBindingSize/,
  },
  {
    id: 'tensor.length.over-binding-size-bare',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "maxStorageBufferBindingSize / 4 + 1 elements, 'u32', on a device with default limits",
    call: (c) => c.bare.tensor(MAX_BINDING(c.bare) / 4 + 1, 'u32'),
    error: SizeError,
    argument: 'length',
    message: /maxStorageBufferBindingSize/,
  },
  {
    id: 'tensor.data.over-binding-size',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: 'a Float32Array of maxStorageBufferBindingSize / 4 + 1 elements',
    call: (c) => c.mgr.tensor(new Float32Array(MAX_BINDING(c.mgr) / 4 + 1)),
    error: SizeError,
    argument: 'data',
    message: /maxStorageBufferBindingSize/,
  },
  {
    id: 'tensor.dtype.f64',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "length 4, dtype 'f64'",
    call: (c) => c.mgr.tensor(4, 'f64' as never),
    error: DTypeError,
    argument: 'dtype',
    message: /f64 is not supported/,
  },
  {
    id: 'tensor.dtype.unknown',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "length 4, dtype 'float'",
    call: (c) => c.mgr.tensor(4, 'float' as never),
    error: DTypeError,
    argument: 'dtype',
    message: /unknown data type "float"/,
  },
  {
    id: 'tensor.dtype.missing',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: 'length 4 and no dtype',
    call: (c) => c.mgr.tensor(4 as never),
    error: DTypeError,
    argument: 'dtype',
    message: /unknown data type undefined/,
  },
  {
    id: 'tensor.data.float64array',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: 'a Float64Array',
    call: (c) => c.mgr.tensor(new Float64Array(3) as never),
    error: DTypeError,
    argument: 'data',
    message: /Float64Array is not a supported tensor data type/,
  },
  {
    id: 'tensor.data.uint8array',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: 'a Uint8Array',
    call: (c) => c.mgr.tensor(new Uint8Array(8) as never),
    error: DTypeError,
    argument: 'data',
    message: /Uint8Array/,
  },
  {
    id: 'tensor.data.bigint64array',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: 'a BigInt64Array',
    call: (c) => c.mgr.tensor(new BigInt64Array(2) as never),
    error: DTypeError,
    argument: 'data',
    message: /BigInt64Array/,
  },
  {
    id: 'tensor.data.dtype-mismatch',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "a Float32Array with { dtype: 'i32' }",
    call: (c) => c.mgr.tensor(new Float32Array(2), { dtype: 'i32' }),
    error: DTypeError,
    argument: 'options.dtype',
    message: /i32.*Float32Array/,
  },
  {
    id: 'tensor.data.non-number',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "[1, 'a'] (an element is not a number)",
    call: (c) => c.mgr.tensor([1, 'a'] as never),
    error: DTypeError,
    argument: 'data',
    message: /element 1 is string/,
  },
  {
    id: 'tensor.data.fractional-for-i32',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "[1, 2.5] with { dtype: 'i32' } (not an integer)",
    call: (c) => c.mgr.tensor([1, 2.5], { dtype: 'i32' }),
    error: DTypeError,
    argument: 'data',
    message: /element 1 .*2\.5/,
  },
  {
    id: 'tensor.data.negative-for-u32',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "[1, -1] with { dtype: 'u32' } (out of range)",
    call: (c) => c.mgr.tensor([1, -1], { dtype: 'u32' }),
    error: DTypeError,
    argument: 'data',
    message: /element 1 .*-1/,
  },
  { id: 'tensor.data.empty-array', area: 'Tensor', api: 'mgr.tensor', input: '[] (no elements)', call: (c) => c.mgr.tensor([]), error: ArgumentError, argument: 'data.length', message: /got 0/ },
  {
    id: 'tensor.data.empty-typed-array',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: 'new Float32Array(0)',
    call: (c) => c.mgr.tensor(new Float32Array(0)),
    error: ArgumentError,
    argument: 'data.length',
    message: /got 0/,
  },
  {
    id: 'tensor.data.string',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "'abc' (not data)",
    call: (c) => c.mgr.tensor('abc' as never),
    error: ArgumentError,
    argument: 'data',
    message: /expected a typed array/,
  },
  { id: 'tensor.data.null', area: 'Tensor', api: 'mgr.tensor', input: 'null', call: (c) => c.mgr.tensor(null as never), error: ArgumentError, argument: 'data', message: /expected a typed array/ },
  {
    id: 'tensor.options.memory-type',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "[1, 2] with { type: 'Vram' }",
    call: (c) => c.mgr.tensor([1, 2], { type: 'Vram' as never }),
    error: ArgumentError,
    argument: 'options.type',
    message: /unknown memory type "Vram"/,
  },
  {
    id: 'tensor.options.dtype',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "[1, 2] with { dtype: 'f64' }",
    call: (c) => c.mgr.tensor([1, 2], { dtype: 'f64' as never }),
    error: DTypeError,
    argument: 'options.dtype',
    message: /f64 is not supported/,
  },
  {
    id: 'tensor.options.not-object',
    area: 'Tensor',
    api: 'mgr.tensor',
    input: "[1, 2] with 'f32' as options (a dtype without a length)",
    call: (c) => c.mgr.tensor([1, 2], 'f32' as never),
    error: ArgumentError,
    argument: 'options',
    message: /expected an options object/,
  },
  {
    id: 'tensor.set-data.short',
    area: 'Tensor',
    api: 'tensor.setData',
    input: '1 value for a tensor of 2',
    call: (c) => c.f32([1, 2]).setData([1]),
    error: SizeError,
    argument: 'values',
    message: /got 1 values for a tensor of 2/,
  },
  {
    id: 'tensor.set-data.long',
    area: 'Tensor',
    api: 'tensor.setData',
    input: '3 values for a tensor of 2',
    call: (c) => c.f32([1, 2]).setData([1, 2, 3]),
    error: SizeError,
    argument: 'values',
    message: /got 3 values for a tensor of 2/,
  },
  {
    id: 'tensor.set-data.wrong-type',
    area: 'Tensor',
    api: 'tensor.setData',
    input: 'an Int32Array for an f32 tensor',
    call: (c) => c.f32([1, 2]).setData(new Int32Array(2) as never),
    error: DTypeError,
    argument: 'values',
    message: /Int32Array \(i32\) for a f32 tensor/,
  },
  {
    id: 'tensor.set-data.not-array',
    area: 'Tensor',
    api: 'tensor.setData',
    input: '5 (a number, not values)',
    call: (c) => c.f32([1, 2]).setData(5 as never),
    error: DTypeError,
    argument: 'values',
    message: /expected a typed array or an array of numbers/,
  },
  {
    id: 'tensor.set-data.non-number',
    area: 'Tensor',
    api: 'tensor.setData',
    input: '[1, null]',
    call: (c) => c.f32([1, 2]).setData([1, null] as never),
    error: DTypeError,
    argument: 'values',
    message: /element 1 is object/,
  },
  {
    id: 'tensor.set-data.storage',
    area: 'Tensor',
    api: 'tensor.setData',
    input: 'a Storage tensor (no host copy)',
    call: (c) => c.f32([1, 2], { type: MemoryType.Storage }).setData([3, 4]),
    error: StateError,
    message: /Storage tensors have no host copy/,
  },
  {
    id: 'tensor.data.storage',
    area: 'Tensor',
    api: 'tensor.data',
    input: 'a Storage tensor (no host copy)',
    call: (c) => c.f32([1, 2], { type: MemoryType.Storage }).data(),
    error: StateError,
    message: /Storage tensors have no host copy/,
  },
  { id: 'tensor.rebuild.zero', area: 'Tensor', api: 'tensor.rebuild', input: 'length 0', call: (c) => c.f32([1, 2]).rebuild(0), error: ArgumentError, argument: 'dataOrLength', message: /got 0/ },
  { id: 'tensor.rebuild.nan', area: 'Tensor', api: 'tensor.rebuild', input: 'length NaN', call: (c) => c.f32([1, 2]).rebuild(NaN), error: ArgumentError, argument: 'dataOrLength', message: /got NaN/ },
  {
    id: 'tensor.rebuild.empty',
    area: 'Tensor',
    api: 'tensor.rebuild',
    input: '[] (no values)',
    call: (c) => c.f32([1, 2]).rebuild([]),
    error: ArgumentError,
    argument: 'dataOrLength',
    message: /got 0/,
  },
  {
    id: 'tensor.rebuild.wrong-type',
    area: 'Tensor',
    api: 'tensor.rebuild',
    input: 'a Uint32Array for an f32 tensor',
    call: (c) => c.f32([1, 2]).rebuild(new Uint32Array(3) as never),
    error: DTypeError,
    argument: 'dataOrLength',
    message: /Uint32Array/,
  },
  {
    id: 'tensor.rebuild.over-binding-size',
    area: 'Tensor',
    api: 'tensor.rebuild',
    input: 'length maxStorageBufferBindingSize / 4 + 1',
    call: (c) => c.f32([1, 2]).rebuild(MAX_BINDING(c.mgr) / 4 + 1),
    error: SizeError,
    argument: 'dataOrLength',
    message: /maxStorageBufferBindingSize/,
  },

  // ---------------------------------------------------------------- tensorFromBuffer
  {
    id: 'from-buffer.too-small',
    area: 'tensorFromBuffer',
    api: 'mgr.tensorFromBuffer',
    input: "a 16-byte buffer for 8 'f32' elements",
    call: (c) => c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST), 'f32', 8),
    error: SizeError,
    argument: 'length',
    message: /need 32 bytes but the buffer has 16/,
  },
  {
    id: 'from-buffer.no-storage-usage',
    area: 'tensorFromBuffer',
    api: 'mgr.tensorFromBuffer',
    input: 'a buffer without STORAGE usage',
    call: (c) => c.mgr.tensorFromBuffer(c.buffer(16, Usage.COPY_SRC | Usage.COPY_DST), 'f32', 4),
    error: ArgumentError,
    argument: 'buffer',
    message: /lacks STORAGE/,
  },
  {
    id: 'from-buffer.no-copy-usage',
    area: 'tensorFromBuffer',
    api: 'mgr.tensorFromBuffer',
    input: 'a STORAGE-only buffer wrapped as a Device tensor',
    call: (c) => c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE), 'f32', 4),
    error: ArgumentError,
    argument: 'buffer',
    message: /COPY_SRC \| COPY_DST/,
  },
  {
    id: 'from-buffer.not-buffer',
    area: 'tensorFromBuffer',
    api: 'mgr.tensorFromBuffer',
    input: '{} (not a GPUBuffer)',
    call: (c) => c.mgr.tensorFromBuffer({} as never, 'f32', 4),
    error: ArgumentError,
    argument: 'buffer',
    message: /expected a GPUBuffer/,
  },
  {
    id: 'from-buffer.dtype',
    area: 'tensorFromBuffer',
    api: 'mgr.tensorFromBuffer',
    input: "dtype 'u8'",
    call: (c) => c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST), 'u8' as never, 4),
    error: DTypeError,
    argument: 'dtype',
    message: /unknown data type "u8"/,
  },
  {
    id: 'from-buffer.length',
    area: 'tensorFromBuffer',
    api: 'mgr.tensorFromBuffer',
    input: 'length -1',
    call: (c) => c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST), 'f32', -1),
    error: ArgumentError,
    argument: 'length',
    message: /got -1/,
  },
  {
    id: 'from-buffer.memory-type',
    area: 'tensorFromBuffer',
    api: 'mgr.tensorFromBuffer',
    input: "{ type: 'Shared' }",
    call: (c) => c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST), 'f32', 4, { type: 'Shared' as never }),
    error: ArgumentError,
    argument: 'options.type',
    message: /unknown memory type "Shared"/,
  },
  {
    id: 'from-buffer.rebuild',
    area: 'tensorFromBuffer',
    api: 'tensor.rebuild',
    input: 'rebuild(8) of a tensor that wraps an external buffer',
    call: (c) => c.keep(c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST), 'f32', 4)).rebuild(8),
    error: StateError,
    message: /wraps an external buffer and cannot be rebuilt/,
  },
  {
    id: 'from-buffer.destroyed-by-owner',
    area: 'tensorFromBuffer',
    api: 'seq.eval',
    input: 'an algorithm on a wrapped buffer that its owner destroyed',
    call: async (c) => {
      const buffer = c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST);
      const t = c.keep(c.mgr.tensorFromBuffer(buffer, 'f32', 4));
      const s = c.seq().record(new OpAlgoDispatch(c.algo([t], INCREMENT_SHADER)));
      await s.eval();
      buffer.destroy();
      return s.eval();
    },
    error: ValidationError,
    message: /destroyed/,
  },
  {
    id: 'from-buffer.other-device',
    area: 'tensorFromBuffer',
    api: 'seq.eval',
    input: "a wrapped buffer of another manager's device",
    call: (c) => c.seq().eval(new OpSyncLocal([c.keep(c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST, c.other), 'f32', 4))])),
    error: ValidationError,
    message: /cannot be used with/,
  },
  {
    id: 'from-buffer.mapped',
    area: 'tensorFromBuffer',
    api: 'seq.eval',
    input: 'a wrapped buffer still mapped (mappedAtCreation, never unmapped)',
    call: (c) => {
      const buffer = c.mgr.device.createBuffer({ size: 16, usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST, mappedAtCreation: true });
      c.later(() => buffer.destroy());
      return c.seq().eval(new OpSyncLocal([c.keep(c.mgr.tensorFromBuffer(buffer, 'f32', 4))]));
    },
    error: ValidationError,
    message: /mapped/,
  },
  {
    id: 'from-buffer.copy-into-storage-only',
    area: 'tensorFromBuffer',
    api: 'seq.record(new OpCopy)',
    input: 'an OpCopy into a STORAGE-only buffer wrapped as a Storage tensor',
    call: (c) => c.seq().eval(new OpCopy([c.f32(4), c.keep(c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE), 'f32', 4, { type: MemoryType.Storage }))])),
    error: ArgumentError,
    argument: 'tensors[1]',
    message: /COPY_DST/,
  },

  // ---------------------------------------------------------------- Image
  {
    id: 'image.channels.three',
    area: 'Image',
    api: 'mgr.image',
    input: 'null, 2, 2, channels 3 (no RGB formats in WebGPU)',
    call: (c) => c.mgr.image(null, 2, 2, 3 as never),
    error: ArgumentError,
    argument: 'channels',
    message: /got 3/,
  },
  {
    id: 'image.channels.zero',
    area: 'Image',
    api: 'mgr.image',
    input: 'null, 2, 2, channels 0',
    call: (c) => c.mgr.image(null, 2, 2, 0 as never),
    error: ArgumentError,
    argument: 'channels',
    message: /got 0/,
  },
  {
    id: 'image.width.zero',
    area: 'Image',
    api: 'mgr.image',
    input: 'null, width 0, 2, 1',
    call: (c) => c.mgr.image(null, 0, 2, 1),
    error: ArgumentError,
    argument: 'width',
    message: /positive integer, got 0/,
  },
  {
    id: 'image.height.over-limit',
    area: 'Image',
    api: 'mgr.image',
    input: 'null, 1, height maxTextureDimension2D + 1, 1',
    call: (c) => c.mgr.image(null, 1, c.mgr.deviceInfo().limits.maxTextureDimension2D! + 1, 1),
    error: SizeError,
    argument: 'height',
    message: /maxTextureDimension2D/,
  },
  {
    id: 'image.data.too-short',
    area: 'Image',
    api: 'mgr.image',
    input: '[1, 2, 3] for 2×2 texels of 1 channel',
    call: (c) => c.mgr.image([1, 2, 3], 2, 2, 1),
    error: SizeError,
    argument: 'data',
    message: /too short: 3 values for an image of 4/,
  },
  {
    id: 'image.dtype.f16',
    area: 'Image',
    api: 'mgr.image',
    input: "null, 2, 2, 1, { dtype: 'f16' }",
    call: (c) => c.mgr.image(null, 2, 2, 1, { dtype: 'f16' as never }),
    error: DTypeError,
    argument: 'options.dtype',
    message: /not an image data type/,
  },
  {
    id: 'image.dtype.contradicts-data',
    area: 'Image',
    api: 'mgr.image',
    input: "a Float32Array with { dtype: 'u8' }",
    call: (c) => c.mgr.image(new Float32Array(4), 2, 2, 1, { dtype: 'u8' }),
    error: DTypeError,
    argument: 'options.dtype',
    message: /Float32Array \(f32\)/,
  },
  {
    id: 'image.format.unsupported',
    area: 'Image',
    api: 'mgr.image',
    input: "null, 2, 2, 1, { dtype: 'u8' } on a device without texture-formats-tier1",
    call: (c) => c.bare.image(null, 2, 2, 1, { dtype: 'u8' }),
    error: UnsupportedError,
    message: /r8uint .*texture-formats-tier1/,
  },
  {
    id: 'image.staging.over-buffer-size',
    area: 'Image',
    api: 'mgr.image',
    input: 'null, 8192, 8192, 4 (f32, Device: 1 GiB of staging) on a device with the default maxBufferSize (256 MiB)',
    call: (c) => c.bare.image(null, 8192, 8192, 4),
    error: SizeError,
    argument: 'width',
    message: /maxBufferSize/,
  },
  {
    id: 'image.set-data.wrong-length',
    area: 'Image',
    api: 'image.setData',
    input: '3 values for a 2×2 image of 1 channel',
    call: (c) => c.keep(c.mgr.image(null, 2, 2, 1)).setData([1, 2, 3]),
    error: SizeError,
    argument: 'values',
    message: /got 3 values/,
  },
  {
    id: 'image.data.storage',
    area: 'Image',
    api: 'image.data',
    input: 'a Storage image (no host copy)',
    call: (c) => c.keep(c.mgr.image(null, 2, 2, 1, { type: MemoryType.Storage })).data(),
    error: StateError,
    message: /Storage images have no host copy/,
  },
  {
    id: 'image.copy.shape-mismatch',
    area: 'Image',
    api: 'seq.record(new OpCopy)',
    input: 'a 16×1 image to a 1×16 image (same element count)',
    call: (c) => c.seq().record(new OpCopy([c.keep(c.mgr.image(null, 16, 1, 1)), c.keep(c.mgr.image(null, 1, 16, 1))])),
    error: SizeError,
    argument: 'tensors[1]',
    message: /16×1 to 1×16/,
  },
  {
    id: 'image.copy.dtype-mismatch',
    area: 'Image',
    api: 'seq.record(new OpCopy)',
    input: 'an f32 image to an i32 tensor of the same element count',
    call: (c) => c.seq().record(new OpCopy([c.keep(c.mgr.image(null, 2, 2, 1)), c.keep(c.mgr.tensor(4, 'i32'))])),
    error: DTypeError,
    argument: 'tensors[1]',
    message: /f32 to i32/,
  },
  {
    id: 'image.binding.buffer',
    area: 'Image',
    api: 'mgr.algorithm',
    input: 'an image bound to a `var<storage>` binding',
    call: (c) => c.mgr.algorithm([c.keep(c.mgr.image(null, 2, 1, 1))], INCREMENT_SHADER),
    error: AlgorithmBindingError,
    argument: 'tensors[0]',
    message: /var<storage> .* is an image/,
  },
  {
    id: 'image.binding.format',
    area: 'Image',
    api: 'mgr.algorithm',
    input: 'an r32float image bound to `texture_storage_2d<rgba32float, write>`',
    call: (c) => c.mgr.algorithm([c.keep(c.mgr.image(null, 2, 1, 1))], shader('@group(0) @binding(0) var img: texture_storage_2d<rgba32float, write>;', 'textureStore(img, id.xy, vec4f(1.0));')),
    error: AlgorithmBindingError,
    argument: 'tensors[0]',
    message: /rgba32float.* is r32float/,
  },
  {
    id: 'image.destroyed.data',
    area: 'Image',
    api: 'image.data',
    input: 'a destroyed image',
    call: destroyed(
      (c) => c.mgr.image(null, 2, 2, 1),
      (i) => i.data(),
    ),
    error: DestroyedError,
    message: /Image#\d+ was destroyed/,
  },
  {
    id: 'image.op-mult',
    area: 'Image',
    api: 'new OpMult',
    input: '[tensor, image, tensor]',
    call: (c) => new OpMult([c.f32(4), c.keep(c.mgr.image(null, 2, 2, 1)) as never, c.f32(4)]),
    error: ArgumentError,
    argument: 'tensors[1]',
    message: /is an image/,
  },
  // ---------------------------------------------------------------- Algorithm
  {
    id: 'algorithm.tensors.not-array',
    area: 'Algorithm',
    api: 'mgr.algorithm',
    input: 'a tensor instead of an array of tensors',
    call: (c) => c.mgr.algorithm(c.f32(2) as never, INCREMENT_SHADER),
    error: ArgumentError,
    argument: 'tensors',
    message: /expected an array of tensors/,
  },
  {
    id: 'algorithm.tensors.non-tensor',
    area: 'Algorithm',
    api: 'mgr.algorithm',
    input: '[{}] (not a tensor)',
    call: (c) => c.mgr.algorithm([{}] as never, INCREMENT_SHADER),
    error: ArgumentError,
    argument: 'tensors[0]',
    message: /is not a Tensor/,
  },
  {
    id: 'algorithm.tensors.other-manager',
    area: 'Algorithm',
    api: 'mgr.algorithm',
    input: 'a tensor of another manager',
    call: (c) => c.mgr.algorithm([c.f32(2, {}, c.other)], INCREMENT_SHADER),
    error: ArgumentError,
    argument: 'tensors[0]',
    message: /belongs to another manager/,
  },
  {
    id: 'algorithm.tensors.too-many',
    area: 'Algorithm',
    api: 'mgr.algorithm',
    input: '9 tensors on a device with maxStorageBuffersPerShaderStage 8',
    call: (c) =>
      c.bare.algorithm(
        Array.from({ length: 9 }, () => c.f32(1, {}, c.bare)),
        INCREMENT_SHADER,
      ),
    error: SizeError,
    argument: 'tensors',
    message: /9 tensors exceed this device's maxStorageBuffersPerShaderStage \(8\)/,
  },
  {
    id: 'algorithm.wgsl.empty',
    area: 'Algorithm',
    api: 'mgr.algorithm',
    input: "wgsl '  ' (blank)",
    call: (c) => c.mgr.algorithm([c.f32(2)], '  '),
    error: ArgumentError,
    argument: 'wgsl',
    message: /expected WGSL source text/,
  },
  {
    id: 'algorithm.wgsl.not-string',
    area: 'Algorithm',
    api: 'mgr.algorithm',
    input: 'wgsl 42 (not a string)',
    call: (c) => c.mgr.algorithm([c.f32(2)], 42 as never),
    error: ArgumentError,
    argument: 'wgsl',
    message: /expected WGSL source text/,
  },
  {
    id: 'algorithm.options.not-object',
    area: 'Algorithm',
    api: 'mgr.algorithm',
    input: 'options 5 (not an object)',
    call: (c) => c.mgr.algorithm([c.f32(2)], INCREMENT_SHADER, 5 as never),
    error: ArgumentError,
    argument: 'options',
    message: /object/,
  },
  {
    id: 'algorithm.constants.not-number',
    area: 'Algorithm',
    api: 'mgr.algorithm',
    input: "constants: ['2']",
    call: (c) => c.mgr.algorithm([c.f32(2)], OVERRIDE_SHADER, { constants: ['2'] as never }),
    error: ArgumentError,
    argument: 'constants',
    message: /finite numbers/,
  },
  {
    id: 'algorithm.constants.nan',
    area: 'Algorithm',
    api: 'mgr.algorithm',
    input: 'constants: [NaN]',
    call: (c) => c.mgr.algorithm([c.f32(2)], OVERRIDE_SHADER, { constants: [NaN] }),
    error: ArgumentError,
    argument: 'constants',
    message: /finite numbers/,
  },
  {
    id: 'algorithm.constants.not-array',
    area: 'Algorithm',
    api: 'mgr.algorithm',
    input: 'constants: 2 (not an array)',
    call: (c) => c.mgr.algorithm([c.f32(2)], OVERRIDE_SHADER, { constants: 2 as never }),
    error: ArgumentError,
    argument: 'constants',
    message: /array/,
  },
  {
    id: 'algorithm.constants.unknown-id',
    area: 'Algorithm',
    api: 'mgr.algorithm',
    input: 'constants: [2, 3] for a shader with only @id(0)',
    call: (c) => c.algo([c.f32(2)], OVERRIDE_SHADER, { constants: [2, 3] }).compiled(),
    error: AlgorithmBindingError,
    argument: 'constants[1]',
    message: /no 'override' declared with @id\(1\)/,
  },
  {
    id: 'algorithm.constants.not-representable',
    area: 'Algorithm',
    api: 'algorithm.compiled',
    input: 'constants: [-1] for an override of type u32',
    call: (c) => c.algo([c.f32(2)], shader(`@id(0) override s: u32 = 1;\n${T0}`, 't[id.x] = f32(s);'), { constants: [-1] }).compiled(),
    error: ValidationError,
    message: /not representable in type \(u32\)/,
  },
  {
    id: 'algorithm.entry-point.unknown',
    area: 'Algorithm',
    api: 'mgr.algorithm',
    input: "entryPoint: 'run' (no such @compute function)",
    call: (c) => c.mgr.algorithm([c.f32(2)], INCREMENT_SHADER, { entryPoint: 'run' }),
    error: ArgumentError,
    argument: 'entryPoint',
    message: /no @compute function 'run'/,
  },
  {
    id: 'algorithm.entry-point.ambiguous',
    area: 'Algorithm',
    api: 'mgr.algorithm',
    input: 'two @compute functions, neither named main, and no entryPoint',
    call: (c) => c.mgr.algorithm([c.f32(2)], `${T0}\n@compute @workgroup_size(1) fn a() { t[0] = 1.0; }\n@compute @workgroup_size(1) fn b() { t[0] = 2.0; }`),
    error: ArgumentError,
    argument: 'entryPoint',
    message: /several @compute functions \(a, b\)/,
  },
  {
    id: 'algorithm.entry-point.not-compute',
    area: 'Algorithm',
    api: 'mgr.algorithm',
    input: "entryPoint: 'vs', a @vertex function",
    call: (c) => c.mgr.algorithm([c.f32(2)], `${INCREMENT_SHADER}\n@vertex fn vs() -> @builtin(position) vec4f { return vec4f(); }`, { entryPoint: 'vs' }),
    error: ArgumentError,
    argument: 'entryPoint',
    message: /no @compute function 'vs'/,
  },
  {
    id: 'algorithm.rebuild.bad-wgsl',
    area: 'Algorithm',
    api: 'algorithm.rebuild',
    input: "wgsl '' on a working algorithm",
    call: (c) => c.algo([c.f32(2)], INCREMENT_SHADER).rebuild([c.f32(2)], ''),
    error: ArgumentError,
    argument: 'wgsl',
    message: /expected WGSL source text/,
  },

  // ---------------------------------------------------------------- WGSL
  {
    id: 'wgsl.syntax-error',
    area: 'WGSL',
    api: 'algorithm.compiled',
    input: 'a statement with a missing expression',
    call: (c) => c.algo([c.f32(2)], shader(T0, 't[0] = ;')).compiled(),
    error: ShaderCompileError,
    message: /WGSL compilation failed\n\s+\d+:\d+ error/,
  },
  {
    id: 'wgsl.type-error',
    area: 'WGSL',
    api: 'algorithm.compiled',
    input: 'a u32 stored into an `array<f32>`',
    call: (c) => c.algo([c.f32(2)], shader(T0, 't[id.x] = 1u;')).compiled(),
    error: ShaderCompileError,
    message: /error/,
  },
  {
    id: 'wgsl.undeclared',
    area: 'WGSL',
    api: 'seq.eval',
    input: 'an undeclared identifier, found at evaluation',
    call: (c) => c.seq().eval(new OpAlgoDispatch(c.algo([c.f32(2)], shader(T0, 't[id.x] = nope;')))),
    error: ShaderCompileError,
    message: /nope/,
  },
  {
    id: 'wgsl.no-entry-point',
    area: 'WGSL',
    api: 'mgr.algorithm',
    input: 'no @compute function',
    call: (c) => c.mgr.algorithm([c.f32(2)], `${T0}\nfn helper() {}`),
    error: ArgumentError,
    argument: 'wgsl',
    message: /declares no @compute entry point/,
  },
  {
    id: 'wgsl.workgroup-size-over-limit',
    area: 'WGSL',
    api: 'algorithm.compiled',
    input: '@workgroup_size(2048), over maxComputeInvocationsPerWorkgroup',
    call: (c) => c.algo([c.f32(2)], `${T0}\n@compute @workgroup_size(2048) fn main(@builtin(global_invocation_id) id: vec3u) { t[0] = 1.0; }`).compiled(),
    error: ValidationError,
    message: /workgroup_size\(2048/,
  },
  {
    id: 'wgsl.workgroup-size-override-over-limit',
    area: 'WGSL',
    api: 'algorithm.compiled',
    input: '@workgroup_size(wg) with the constant wg = 4096',
    call: (c) => c.algo([c.f32(2)], `@id(0) override wg: u32 = 1;\n${T0}\n@compute @workgroup_size(wg) fn main() { t[0] = 1.0; }`, { constants: [4096] }).compiled(),
    error: ValidationError,
    message: /workgroup_size\(4096/,
  },
  {
    id: 'wgsl.workgroup-storage-over-limit',
    area: 'WGSL',
    api: 'algorithm.compiled',
    input: '64 KiB of `var<workgroup>`, over maxComputeWorkgroupStorageSize',
    call: (c) => c.algo([c.f32(2)], shader(`var<workgroup> big: array<f32, 16384>;\n${T0}`, 'big[id.x] = 1.0; t[id.x] = big[0];')).compiled(),
    error: ValidationError,
    message: /workgroup storage/,
  },
  {
    id: 'wgsl.binding.missing-tensor',
    area: 'WGSL',
    api: 'mgr.algorithm',
    input: '1 tensor for a shader with bindings 0 and 1',
    call: (c) => c.mgr.algorithm([c.f32(2)], DOUBLE_SHADER),
    error: AlgorithmBindingError,
    argument: 'tensors',
    message: /@binding\(1\) 'out' has no tensor/,
  },
  {
    id: 'wgsl.binding.element-type',
    area: 'WGSL',
    api: 'mgr.algorithm',
    input: 'an i32 tensor bound to `array<f32>`',
    call: (c) => c.mgr.algorithm([c.keep(c.mgr.tensor(2, 'i32'))], INCREMENT_SHADER),
    error: AlgorithmBindingError,
    argument: 'tensors[0]',
    message: /is array<f32> but .* is i32/,
  },
  {
    id: 'wgsl.binding.element-type-atomic',
    area: 'WGSL',
    api: 'mgr.algorithm',
    input: 'an i32 tensor bound to `array<atomic<u32>>`',
    call: (c) => c.mgr.algorithm([c.keep(c.mgr.tensor(2, 'i32'))], shader('@group(0) @binding(0) var<storage, read_write> t: array<atomic<u32>>;', 'atomicAdd(&t[0], 1u);')),
    error: AlgorithmBindingError,
    argument: 'tensors[0]',
    message: /is i32/,
  },
  {
    id: 'wgsl.binding.uniform-in-group-0',
    area: 'WGSL',
    api: 'mgr.algorithm',
    input: '`var<uniform>` at `@group(0) @binding(0)`',
    call: (c) => c.mgr.algorithm([c.f32(4)], shader('@group(0) @binding(0) var<uniform> u: vec4f;', 'let x = u.x;')),
    error: AlgorithmBindingError,
    argument: 'wgsl',
    message: /must be var<storage>/,
  },
  {
    id: 'wgsl.binding.group-2',
    area: 'WGSL',
    api: 'mgr.algorithm',
    input: 'a storage buffer at @group(2)',
    call: (c) => c.mgr.algorithm([c.f32(2)], shader('@group(2) @binding(0) var<storage, read_write> t: array<f32>;', 't[0] = 1.0;')),
    error: AlgorithmBindingError,
    argument: 'wgsl',
    message: /@group\(2\) @binding\(0\) 't' is not a binding kompute-ts provides/,
  },
  {
    id: 'wgsl.binding.group-1-binding-1',
    area: 'WGSL',
    api: 'mgr.algorithm',
    input: 'a uniform at @group(1) @binding(1)',
    call: (c) => c.mgr.algorithm([c.f32(2)], shader(`${T0}\n@group(1) @binding(1) var<uniform> k: f32;`, 't[0] = k;'), { pushConstants: [1] }),
    error: AlgorithmBindingError,
    argument: 'wgsl',
    message: /@group\(1\) @binding\(1\)/,
  },
  {
    id: 'wgsl.binding.group-1-storage',
    area: 'WGSL',
    api: 'mgr.algorithm',
    input: '`var<storage>` at `@group(1) @binding(0)` (push constants are uniform)',
    call: (c) => c.mgr.algorithm([c.f32(2)], shader(`${T0}\n@group(1) @binding(0) var<storage, read> k: array<f32>;`, 't[0] = k[0];')),
    error: AlgorithmBindingError,
    argument: 'wgsl',
    message: /not a binding kompute-ts provides/,
  },
  {
    id: 'wgsl.binding.texture',
    area: 'WGSL',
    api: 'mgr.algorithm',
    input: 'a texture at @group(0) @binding(1)',
    call: (c) => c.mgr.algorithm([c.f32(2), c.f32(2)], shader(`${T0}\n@group(0) @binding(1) var tex: texture_2d<f32>;`, 't[0] = textureLoad(tex, vec2i(0, 0), 0).x;')),
    error: AlgorithmBindingError,
    argument: 'wgsl',
    message: /must be var<storage>/,
  },
  {
    id: 'wgsl.binding.aliased-writable',
    area: 'WGSL',
    api: 'mgr.algorithm',
    input: 'one tensor bound to a read binding and a read_write binding',
    call: (c) => {
      const t = c.f32([1, 2]);
      return c.seq().eval(new OpAlgoDispatch(c.algo([t, t], DOUBLE_SHADER)));
    },
    error: AlgorithmBindingError,
    argument: 'tensors[1]',
    message: /Tensor#\d+/,
  },

  // ---------------------------------------------------------------- Push constants
  {
    id: 'push.declared-not-given',
    area: 'Push constants',
    api: 'mgr.algorithm',
    input: 'a shader with push constants and no pushConstants option',
    call: (c) => c.mgr.algorithm([c.f32(2)], ADD_PUSH_SHADER),
    error: AlgorithmBindingError,
    argument: 'pushConstants',
    message: /declares push constants but none were given/,
  },
  {
    id: 'push.given-not-declared',
    area: 'Push constants',
    api: 'mgr.algorithm',
    input: 'pushConstants: [1] for a shader without them',
    call: (c) => c.mgr.algorithm([c.f32(2)], INCREMENT_SHADER, { pushConstants: [1] }),
    error: AlgorithmBindingError,
    argument: 'pushConstants',
    message: /declares no @group\(1\) @binding\(0\)/,
  },
  {
    id: 'push.too-few',
    area: 'Push constants',
    api: 'mgr.algorithm',
    input: 'pushConstants: [1] for a struct of two f32',
    call: (c) => c.mgr.algorithm([c.f32(2)], PUSH2_SHADER, { pushConstants: [1] }),
    error: AlgorithmBindingError,
    argument: 'pushConstants',
    message: /is 8 bytes but 4 bytes/,
  },
  {
    id: 'push.struct-padding',
    area: 'Push constants',
    api: 'mgr.algorithm',
    input: '4 values for struct { a: f32, v: vec3f } (32 bytes with its alignment)',
    call: (c) => c.mgr.algorithm([c.f32(2)], shader(`struct P { a: f32, v: vec3f }\n${T0}\n@group(1) @binding(0) var<uniform> p: P;`, 't[id.x] = p.a + p.v.x;'), { pushConstants: [1, 2, 3, 4] }),
    error: AlgorithmBindingError,
    argument: 'pushConstants',
    message: /is 32 bytes but 16 bytes/,
  },
  {
    id: 'push.wrong-element-type',
    area: 'Push constants',
    api: 'mgr.algorithm',
    input: 'an Int32Array for a struct of f32',
    call: (c) => c.mgr.algorithm([c.f32(2)], ADD_PUSH_SHADER, { pushConstants: new Int32Array([3]) }),
    error: AlgorithmBindingError,
    argument: 'pushConstants',
    message: /f32/,
  },
  {
    id: 'push.over-256-bytes',
    area: 'Push constants',
    api: 'mgr.algorithm',
    input: '65 f32 values (260 bytes)',
    call: (c) => c.mgr.algorithm([c.f32(2)], ADD_PUSH_SHADER, { pushConstants: new Float32Array(65) }),
    error: SizeError,
    argument: 'pushConstants',
    message: /260 bytes of push constants exceed the maximum of 256/,
  },
  {
    id: 'push.not-numbers',
    area: 'Push constants',
    api: 'mgr.algorithm',
    input: "pushConstants: ['1']",
    call: (c) => c.mgr.algorithm([c.f32(2)], ADD_PUSH_SHADER, { pushConstants: ['1'] as never }),
    error: DTypeError,
    argument: 'pushConstants',
    message: /must be numbers/,
  },
  {
    id: 'push.float64array',
    area: 'Push constants',
    api: 'mgr.algorithm',
    input: 'pushConstants: a Float64Array',
    call: (c) => c.mgr.algorithm([c.f32(2)], ADD_PUSH_SHADER, { pushConstants: new Float64Array(1) as never }),
    error: DTypeError,
    argument: 'pushConstants',
    message: /Float32Array, Int32Array, Uint32Array/,
  },
  {
    id: 'push.set-wrong-size',
    area: 'Push constants',
    api: 'algorithm.setPushConstants',
    input: '2 values for an algorithm created with 1',
    call: (c) => c.algo([c.f32(2)], ADD_PUSH_SHADER, { pushConstants: [1] }).setPushConstants([1, 2]),
    error: SizeError,
    argument: 'values',
    message: /expects 4 bytes of push constants, got 8/,
  },
  {
    id: 'push.set-wrong-type',
    area: 'Push constants',
    api: 'algorithm.setPushConstants',
    input: "'x' (not numbers)",
    call: (c) => c.algo([c.f32(2)], ADD_PUSH_SHADER, { pushConstants: [1] }).setPushConstants('x' as never),
    error: DTypeError,
    argument: 'values',
    message: /push constants must be/,
  },
  {
    id: 'push.set-without-push',
    area: 'Push constants',
    api: 'algorithm.setPushConstants',
    input: '[1] on an algorithm created without push constants',
    call: (c) => c.algo([c.f32(2)], INCREMENT_SHADER).setPushConstants([1]),
    error: SizeError,
    argument: 'values',
    message: /expects 0 bytes of push constants, got 4/,
  },
  {
    id: 'push.dispatch-wrong-size',
    area: 'Push constants',
    api: 'new OpAlgoDispatch',
    input: '3 values for an algorithm of 1',
    call: (c) => new OpAlgoDispatch(c.algo([c.f32(2)], ADD_PUSH_SHADER, { pushConstants: [1] }), [1, 2, 3]),
    error: SizeError,
    argument: 'pushConstants',
    message: /expects 4 bytes of push constants, got 12/,
  },
  {
    id: 'push.dispatch-without-push',
    area: 'Push constants',
    api: 'new OpAlgoDispatch',
    input: '[1] for an algorithm without push constants',
    call: (c) => new OpAlgoDispatch(c.algo([c.f32(2)], INCREMENT_SHADER), [1]),
    error: SizeError,
    argument: 'pushConstants',
    message: /expects 0 bytes/,
  },
  {
    id: 'push.dispatch-wrong-type',
    area: 'Push constants',
    api: 'new OpAlgoDispatch',
    input: "'fast' (not numbers)",
    call: (c) => new OpAlgoDispatch(c.algo([c.f32(2)], ADD_PUSH_SHADER, { pushConstants: [1] }), 'fast' as never),
    error: DTypeError,
    argument: 'pushConstants',
    message: /push constants must be/,
  },

  // ---------------------------------------------------------------- Workgroup
  {
    id: 'workgroup.zero',
    area: 'Workgroup',
    api: 'mgr.algorithm',
    input: 'workgroup: [0]',
    call: (c) => c.mgr.algorithm([c.f32(2)], INCREMENT_SHADER, { workgroup: [0] }),
    error: ArgumentError,
    argument: 'workgroup',
    message: /dimension x must be a positive integer, got 0/,
  },
  {
    id: 'workgroup.negative',
    area: 'Workgroup',
    api: 'mgr.algorithm',
    input: 'workgroup: [2, -1]',
    call: (c) => c.mgr.algorithm([c.f32(2)], INCREMENT_SHADER, { workgroup: [2, -1] }),
    error: ArgumentError,
    argument: 'workgroup',
    message: /dimension y .* got -1/,
  },
  {
    id: 'workgroup.fractional',
    area: 'Workgroup',
    api: 'mgr.algorithm',
    input: 'workgroup: [1.5]',
    call: (c) => c.mgr.algorithm([c.f32(2)], INCREMENT_SHADER, { workgroup: [1.5] }),
    error: ArgumentError,
    argument: 'workgroup',
    message: /got 1\.5/,
  },
  {
    id: 'workgroup.nan',
    area: 'Workgroup',
    api: 'mgr.algorithm',
    input: 'workgroup: [1, 1, NaN]',
    call: (c) => c.mgr.algorithm([c.f32(2)], INCREMENT_SHADER, { workgroup: [1, 1, NaN] }),
    error: ArgumentError,
    argument: 'workgroup',
    message: /dimension z .* got NaN/,
  },
  {
    id: 'workgroup.infinity',
    area: 'Workgroup',
    api: 'mgr.algorithm',
    input: 'workgroup: [Infinity]',
    call: (c) => c.mgr.algorithm([c.f32(2)], INCREMENT_SHADER, { workgroup: [Infinity] }),
    error: ArgumentError,
    argument: 'workgroup',
    message: /got Infinity/,
  },
  {
    id: 'workgroup.string',
    area: 'Workgroup',
    api: 'mgr.algorithm',
    input: "workgroup: ['4']",
    call: (c) => c.mgr.algorithm([c.f32(2)], INCREMENT_SHADER, { workgroup: ['4'] as never }),
    error: ArgumentError,
    argument: 'workgroup',
    message: /got 4/,
  },
  {
    id: 'workgroup.empty',
    area: 'Workgroup',
    api: 'mgr.algorithm',
    input: 'workgroup: []',
    call: (c) => c.mgr.algorithm([c.f32(2)], INCREMENT_SHADER, { workgroup: [] }),
    error: ArgumentError,
    argument: 'workgroup',
    message: /expected \[x\], \[x, y\] or \[x, y, z\]/,
  },
  {
    id: 'workgroup.four-dimensions',
    area: 'Workgroup',
    api: 'mgr.algorithm',
    input: 'workgroup: [1, 1, 1, 1]',
    call: (c) => c.mgr.algorithm([c.f32(2)], INCREMENT_SHADER, { workgroup: [1, 1, 1, 1] }),
    error: ArgumentError,
    argument: 'workgroup',
    message: /expected \[x\], \[x, y\] or \[x, y, z\]/,
  },
  {
    id: 'workgroup.not-array',
    area: 'Workgroup',
    api: 'mgr.algorithm',
    input: 'workgroup: 4 (not an array)',
    call: (c) => c.mgr.algorithm([c.f32(2)], INCREMENT_SHADER, { workgroup: 4 as never }),
    error: ArgumentError,
    argument: 'workgroup',
    message: /expected \[x\]/,
  },
  {
    id: 'workgroup.x-over-limit',
    area: 'Workgroup',
    api: 'mgr.algorithm',
    input: 'workgroup: [maxComputeWorkgroupsPerDimension + 1]',
    call: (c) => c.mgr.algorithm([c.f32(2)], INCREMENT_SHADER, { workgroup: [MAX_WORKGROUPS(c.mgr) + 1] }),
    error: SizeError,
    argument: 'workgroup',
    message: /dimension x is \d+, over this device's maxComputeWorkgroupsPerDimension/,
  },
  {
    id: 'workgroup.z-over-limit',
    area: 'Workgroup',
    api: 'mgr.algorithm',
    input: 'workgroup: [1, 1, maxComputeWorkgroupsPerDimension + 1]',
    call: (c) => c.mgr.algorithm([c.f32(2)], INCREMENT_SHADER, { workgroup: [1, 1, MAX_WORKGROUPS(c.mgr) + 1] }),
    error: SizeError,
    argument: 'workgroup',
    message: /dimension z/,
  },
  {
    id: 'workgroup.default-over-limit',
    area: 'Workgroup',
    api: 'mgr.algorithm',
    input: 'no workgroup, tensors[0] of maxComputeWorkgroupsPerDimension + 1 elements (the default [size, 1, 1])',
    call: (c) => c.mgr.algorithm([c.f32(MAX_WORKGROUPS(c.mgr) + 1)], INCREMENT_SHADER),
    error: SizeError,
    argument: 'workgroup',
    message: /dimension x is \d+, over/,
  },

  // ---------------------------------------------------------------- Sequence
  {
    id: 'sequence.record.not-op',
    area: 'Sequence',
    api: 'seq.record',
    input: '{} (not an operation)',
    call: (c) => c.seq().record({} as never),
    error: ArgumentError,
    argument: 'op',
    message: /expected an operation/,
  },
  {
    id: 'sequence.record.undefined',
    area: 'Sequence',
    api: 'seq.record',
    input: 'undefined',
    call: (c) => c.seq().record(undefined as never),
    error: ArgumentError,
    argument: 'op',
    message: /expected an operation/,
  },
  {
    id: 'sequence.eval.not-op',
    area: 'Sequence',
    api: 'seq.eval',
    input: "an op and 'sync' (not an operation)",
    call: (c) => c.seq().eval(new OpSyncDevice([c.f32(2)]), 'sync' as never),
    error: ArgumentError,
    argument: 'op',
    message: /expected an operation/,
  },
  {
    id: 'sequence.record.other-manager',
    area: 'Sequence',
    api: 'seq.record',
    input: "an OpSyncDevice of another manager's tensor",
    call: (c) => c.seq().record(new OpSyncDevice([c.f32(2, {}, c.other)])),
    error: ArgumentError,
    argument: 'op',
    message: /belongs to another manager/,
  },
  {
    id: 'sequence.eval.other-manager-algorithm',
    area: 'Sequence',
    api: 'seq.eval',
    input: "an OpAlgoDispatch of another manager's algorithm",
    call: (c) => c.seq().eval(new OpAlgoDispatch(c.algo([c.f32(2, {}, c.other)], INCREMENT_SHADER, {}, c.other))),
    error: ArgumentError,
    argument: 'op',
    message: /belongs to another manager/,
  },
  {
    id: 'sequence.eval.while-running',
    area: 'Sequence',
    api: 'seq.eval',
    input: 'eval() while an evaluation of the sequence is in flight',
    call: (c) =>
      c
        .seq()
        .evalAsync(new OpSyncLocal([c.f32(2)]))
        .eval(),
    error: StateError,
    message: /eval.*while an evaluation is running/,
  },
  {
    id: 'sequence.eval-async.while-running',
    area: 'Sequence',
    api: 'seq.evalAsync',
    input: 'evalAsync() while an evaluation is in flight',
    call: (c) =>
      c
        .seq()
        .evalAsync(new OpSyncLocal([c.f32(2)]))
        .evalAsync(),
    error: StateError,
    message: /evalAsync\(\) while an evaluation is running/,
  },
  {
    id: 'sequence.record.while-running',
    area: 'Sequence',
    api: 'seq.record',
    input: 'record() while an evaluation is in flight',
    call: (c) =>
      c
        .seq()
        .evalAsync(new OpSyncLocal([c.f32(2)]))
        .record(new OpSyncDevice([c.f32(2)])),
    error: StateError,
    message: /record\(\) while an evaluation is running/,
  },
  {
    id: 'sequence.rerecord.while-running',
    area: 'Sequence',
    api: 'seq.rerecord',
    input: 'rerecord() while an evaluation is in flight',
    call: (c) =>
      c
        .seq()
        .evalAsync(new OpSyncLocal([c.f32(2)]))
        .rerecord(),
    error: StateError,
    message: /rerecord\(\) while an evaluation is running/,
  },
  {
    id: 'sequence.eval-await.negative',
    area: 'Sequence',
    api: 'seq.evalAwait',
    input: 'timeoutMs -1',
    call: (c) => c.seq().evalAwait(-1),
    error: ArgumentError,
    argument: 'timeoutMs',
    message: /from 0 to 2147483647, got -1/,
  },
  {
    id: 'sequence.eval-await.nan',
    area: 'Sequence',
    api: 'seq.evalAwait',
    input: 'timeoutMs NaN',
    call: (c) => c.seq().evalAwait(NaN),
    error: ArgumentError,
    argument: 'timeoutMs',
    message: /got NaN/,
  },
  {
    id: 'sequence.eval-await.string',
    area: 'Sequence',
    api: 'seq.evalAwait',
    input: "timeoutMs '10'",
    call: (c) => c.seq().evalAwait('10' as never),
    error: ArgumentError,
    argument: 'timeoutMs',
    message: /got 10/,
  },
  {
    id: 'sequence.eval-await.infinity',
    area: 'Sequence',
    api: 'seq.evalAwait',
    input: 'timeoutMs Infinity while running (setTimeout cannot wait that long)',
    call: (c) =>
      c
        .seq()
        .evalAsync(new OpSyncLocal([c.f32(2)]))
        .evalAwait(Infinity),
    error: ArgumentError,
    argument: 'timeoutMs',
    message: /Infinity/,
  },
  {
    id: 'sequence.eval-await.over-timer-max',
    area: 'Sequence',
    api: 'seq.evalAwait',
    input: 'timeoutMs 2^31 while running (over the largest timer delay)',
    call: (c) =>
      c
        .seq()
        .evalAsync(new OpSyncLocal([c.f32(2)]))
        .evalAwait(2 ** 31),
    error: ArgumentError,
    argument: 'timeoutMs',
    message: /2147483648/,
  },
  {
    id: 'sequence.timestamps.not-enabled',
    area: 'Sequence',
    api: 'seq.getTimestamps',
    input: 'a sequence created without { timestamps: true }',
    call: (c) => c.seq().getTimestamps(),
    error: StateError,
    message: /was created without timestamps/,
  },
  {
    id: 'sequence.timestamps.too-many-dispatches',
    area: 'Sequence',
    api: 'seq.eval',
    input: '2049 timed dispatches in one batch',
    call: (c) => {
      const s = c.keep(c.mgr.sequence({ timestamps: true }));
      const op = new OpAlgoDispatch(c.algo([c.f32(1)], INCREMENT_SHADER));
      for (let i = 0; i < 2049; i++) s.record(op);
      return s.eval();
    },
    error: SizeError,
    argument: 'batch',
    message: /2049 timed dispatches exceed 2048/,
  },

  // ---------------------------------------------------------------- Operations
  {
    id: 'op.sync-device.empty',
    area: 'Operations',
    api: 'new OpSyncDevice',
    input: '[] (no tensors)',
    call: () => new OpSyncDevice([]),
    error: ArgumentError,
    argument: 'tensors',
    message: /needs at least 1 tensor, got 0/,
  },
  {
    id: 'op.sync-local.empty',
    area: 'Operations',
    api: 'new OpSyncLocal',
    input: '[] (no tensors)',
    call: () => new OpSyncLocal([]),
    error: ArgumentError,
    argument: 'tensors',
    message: /needs at least 1 tensor, got 0/,
  },
  {
    id: 'op.barrier.empty',
    area: 'Operations',
    api: 'new OpMemoryBarrier',
    input: '[] (no tensors)',
    call: () => new OpMemoryBarrier([]),
    error: ArgumentError,
    argument: 'tensors',
    message: /needs at least 1 tensor, got 0/,
  },
  {
    id: 'op.sync-device.not-array',
    area: 'Operations',
    api: 'new OpSyncDevice',
    input: 'a tensor instead of an array',
    call: (c) => new OpSyncDevice(c.f32(2) as never),
    error: ArgumentError,
    argument: 'tensors',
    message: /expects an array of tensors/,
  },
  {
    id: 'op.sync-local.non-tensor',
    area: 'Operations',
    api: 'new OpSyncLocal',
    input: '[tensor, {}]',
    call: (c) => new OpSyncLocal([c.f32(2), {} as never]),
    error: ArgumentError,
    argument: 'tensors[1]',
    message: /not a Tensor/,
  },
  {
    id: 'op.sync-device.two-managers',
    area: 'Operations',
    api: 'new OpSyncDevice',
    input: 'tensors of two managers',
    call: (c) => new OpSyncDevice([c.f32(2), c.f32(2, {}, c.other)]),
    error: ArgumentError,
    argument: 'tensors[1]',
    message: /belongs to another manager/,
  },
  {
    id: 'op.copy.one-tensor',
    area: 'Operations',
    api: 'new OpCopy',
    input: '[tensor] (no destination)',
    call: (c) => new OpCopy([c.f32(2)]),
    error: ArgumentError,
    argument: 'tensors',
    message: /needs at least 2 tensors, got 1/,
  },
  {
    id: 'op.copy.size-mismatch',
    area: 'Operations',
    api: 'seq.record(new OpCopy)',
    input: 'a 2-element source and a 3-element destination',
    call: (c) => c.seq().record(new OpCopy([c.f32(2), c.f32(3)])),
    error: SizeError,
    argument: 'tensors[1]',
    message: /2 elements.*3 elements/,
  },
  {
    id: 'op.copy.dtype-mismatch',
    area: 'Operations',
    api: 'seq.record(new OpCopy)',
    input: 'an f32 source and a u32 destination',
    call: (c) => c.seq().record(new OpCopy([c.f32(2), c.keep(c.mgr.tensor(2, 'u32'))])),
    error: DTypeError,
    argument: 'tensors[1]',
    message: /\(f32\) to .*\(u32\)/,
  },
  {
    id: 'op.copy.size-mismatch-after-rebuild',
    area: 'Operations',
    api: 'seq.eval',
    input: 'a recorded OpCopy whose destination was rebuilt to another size',
    call: async (c) => {
      const [a, b] = [c.f32([1, 2]), c.f32(2)];
      const s = c.seq().record(new OpCopy([a, b]));
      await s.eval();
      b.rebuild(5);
      return s.eval();
    },
    error: SizeError,
    argument: 'tensors[1]',
    message: /2 elements.*5 elements/,
  },
  {
    id: 'op.copy.same-tensor',
    area: 'Operations',
    api: 'seq.record(new OpCopy)',
    input: '[a, a] (source and destination are one tensor)',
    call: (c) => {
      const a = c.f32(2);
      return c.seq().eval(new OpCopy([a, a]));
    },
    error: ArgumentError,
    argument: 'tensors[1]',
    message: /to itself/,
  },
  {
    id: 'op.copy.two-managers',
    area: 'Operations',
    api: 'new OpCopy',
    input: 'tensors of two managers',
    call: (c) => new OpCopy([c.f32(2), c.f32(2, {}, c.other)]),
    error: ArgumentError,
    argument: 'tensors[1]',
    message: /belongs to another manager/,
  },
  { id: 'op.mult.two-tensors', area: 'Operations', api: 'new OpMult', input: '2 tensors', call: (c) => new OpMult([c.f32(2), c.f32(2)]), error: SizeError, argument: 'tensors', message: /3 tensors/ },
  {
    id: 'op.mult.four-tensors',
    area: 'Operations',
    api: 'new OpMult',
    input: '4 tensors',
    call: (c) => new OpMult([c.f32(2), c.f32(2), c.f32(2), c.f32(2)]),
    error: SizeError,
    argument: 'tensors',
    message: /exactly 3 tensors \[lhs, rhs, out\], got 4/,
  },
  { id: 'op.mult.empty', area: 'Operations', api: 'new OpMult', input: '[] (no tensors)', call: () => new OpMult([]), error: SizeError, argument: 'tensors', message: /3 tensors/ },
  {
    id: 'op.mult.non-tensor',
    area: 'Operations',
    api: 'new OpMult',
    input: '[tensor, 1, tensor]',
    call: (c) => new OpMult([c.f32(2), 1 as never, c.f32(2)]),
    error: ArgumentError,
    argument: 'tensors[1]',
    message: /not a Tensor/,
  },
  {
    id: 'op.mult.dtype-mismatch',
    area: 'Operations',
    api: 'new OpMult',
    input: 'f32, f32 and i32 tensors',
    call: (c) => new OpMult([c.f32(2), c.f32(2), c.keep(c.mgr.tensor(2, 'i32'))]),
    error: DTypeError,
    argument: 'tensors',
    message: /one dtype/,
  },
  {
    id: 'op.mult.size-mismatch',
    area: 'Operations',
    api: 'new OpMult',
    input: 'tensors of 2, 2 and 3 elements',
    call: (c) => new OpMult([c.f32(2), c.f32(2), c.f32(3)]),
    error: SizeError,
    argument: 'tensors',
    message: /one size/,
  },
  {
    id: 'op.mult.two-managers',
    area: 'Operations',
    api: 'new OpMult',
    input: 'tensors of two managers',
    call: (c) => new OpMult([c.f32(2), c.f32(2, {}, c.other), c.f32(2)]),
    error: ArgumentError,
    argument: 'tensors[1]',
    message: /belongs to another manager/,
  },
  {
    id: 'op.mult.aliased-output',
    area: 'Operations',
    api: 'new OpMult',
    input: '[a, b, a] (the output is also an input)',
    call: (c) => {
      const a = c.f32([1, 2]);
      const op = new OpMult([a, c.f32([3, 4]), a]);
      c.keep(op.algorithm);
      return c.seq().eval(op);
    },
    error: AlgorithmBindingError,
    argument: 'tensors[2]',
    message: /Tensor#\d+/,
  },
  {
    id: 'op.algo-dispatch.not-algorithm',
    area: 'Operations',
    api: 'new OpAlgoDispatch',
    input: '{} (not an algorithm)',
    call: () => new OpAlgoDispatch({} as never),
    error: ArgumentError,
    argument: 'algorithm',
    message: /expects an Algorithm/,
  },

  // ---------------------------------------------------------------- Destroyed
  {
    id: 'destroyed.tensor.data',
    area: 'Destroyed',
    api: 'tensor.data',
    input: 'a destroyed tensor',
    call: destroyed(
      (c) => c.f32(2),
      (t) => t.data(),
    ),
    error: DestroyedError,
    message: /Tensor#\d+ was destroyed and cannot be used \(data\(\)\)/,
  },
  {
    id: 'destroyed.tensor.set-data',
    area: 'Destroyed',
    api: 'tensor.setData',
    input: 'a destroyed tensor',
    call: destroyed(
      (c) => c.f32(2),
      (t) => t.setData([1, 2]),
    ),
    error: DestroyedError,
    message: /setData/,
  },
  {
    id: 'destroyed.tensor.rebuild',
    area: 'Destroyed',
    api: 'tensor.rebuild',
    input: 'a destroyed tensor',
    call: destroyed(
      (c) => c.f32(2),
      (t) => t.rebuild(4),
    ),
    error: DestroyedError,
    message: /rebuild/,
  },
  {
    id: 'destroyed.tensor.buffer',
    area: 'Destroyed',
    api: 'tensor.buffer',
    input: 'a destroyed tensor',
    call: destroyed(
      (c) => c.f32(2),
      (t) => t.buffer,
    ),
    error: DestroyedError,
    message: /buffer/,
  },
  {
    id: 'destroyed.tensor.in-algorithm',
    area: 'Destroyed',
    api: 'mgr.algorithm',
    input: 'a destroyed tensor bound to a new algorithm',
    call: destroyed(
      (c) => c.f32(2),
      (t, c) => c.mgr.algorithm([t], INCREMENT_SHADER),
    ),
    error: DestroyedError,
    message: /binding to Algorithm/,
  },
  {
    id: 'destroyed.tensor.in-op-mult',
    area: 'Destroyed',
    api: 'new OpMult',
    input: 'a destroyed tensor as OpMult output',
    call: destroyed(
      (c) => c.f32(2),
      (t, c) => new OpMult([c.f32(2), c.f32(2), t]),
    ),
    error: DestroyedError,
    message: /Tensor#\d+ was destroyed/,
  },
  {
    id: 'destroyed.tensor.record',
    area: 'Destroyed',
    api: 'seq.record',
    input: 'an OpSyncDevice of a destroyed tensor',
    call: destroyed(
      (c) => c.f32(2),
      (t, c) => c.seq().record(new OpSyncDevice([t])),
    ),
    error: DestroyedError,
    message: /recording OpSyncDevice/,
  },
  {
    id: 'destroyed.tensor.recorded',
    area: 'Destroyed',
    api: 'seq.eval',
    input: 'a recorded sequence whose tensor was destroyed since',
    call: (c) => {
      const t = c.f32(2);
      const s = c.seq().record(new OpSyncLocal([t]));
      t.destroy();
      return s.eval();
    },
    error: DestroyedError,
    message: /evaluating OpSyncLocal/,
  },
  {
    id: 'destroyed.tensor.through-algorithm',
    area: 'Destroyed',
    api: 'seq.eval',
    input: "a recorded dispatch whose algorithm's tensor was destroyed",
    call: async (c) => {
      const t = c.f32(2);
      const s = c.seq().record(new OpAlgoDispatch(c.algo([t], INCREMENT_SHADER)));
      await s.eval();
      t.destroy();
      return s.eval();
    },
    error: DestroyedError,
    message: /through Algorithm#\d+/,
  },
  {
    id: 'destroyed.tensor.rerecord',
    area: 'Destroyed',
    api: 'seq.rerecord',
    input: 'rerecord() after a recorded tensor was destroyed',
    call: (c) => {
      const t = c.f32(2);
      const s = c.seq().record(new OpSyncDevice([t]));
      t.destroy();
      return s.rerecord();
    },
    error: DestroyedError,
    message: /re-recording OpSyncDevice/,
  },
  {
    id: 'destroyed.algorithm.compiled',
    area: 'Destroyed',
    api: 'algorithm.compiled',
    input: 'a destroyed algorithm',
    call: destroyed(
      (c) => c.algo([c.f32(2)], INCREMENT_SHADER),
      (a) => a.compiled(),
    ),
    error: DestroyedError,
    message: /Algorithm#\d+ was destroyed/,
  },
  {
    id: 'destroyed.algorithm.rebuild',
    area: 'Destroyed',
    api: 'algorithm.rebuild',
    input: 'a destroyed algorithm',
    call: destroyed(
      (c) => c.algo([c.f32(2)], INCREMENT_SHADER),
      (a, c) => a.rebuild([c.f32(2)], INCREMENT_SHADER),
    ),
    error: DestroyedError,
    message: /rebuild/,
  },
  {
    id: 'destroyed.algorithm.set-push',
    area: 'Destroyed',
    api: 'algorithm.setPushConstants',
    input: 'a destroyed algorithm',
    call: destroyed(
      (c) => c.algo([c.f32(2)], ADD_PUSH_SHADER, { pushConstants: [1] }),
      (a) => a.setPushConstants([2]),
    ),
    error: DestroyedError,
    message: /setPushConstants/,
  },
  {
    id: 'destroyed.algorithm.get-tensors',
    area: 'Destroyed',
    api: 'algorithm.getTensors',
    input: 'a destroyed algorithm',
    call: destroyed(
      (c) => c.algo([c.f32(2)], INCREMENT_SHADER),
      (a) => a.getTensors(),
    ),
    error: DestroyedError,
    message: /getTensors/,
  },
  {
    id: 'destroyed.algorithm.record',
    area: 'Destroyed',
    api: 'seq.record',
    input: 'an OpAlgoDispatch of a destroyed algorithm',
    call: destroyed(
      (c) => c.algo([c.f32(2)], INCREMENT_SHADER),
      (a, c) => c.seq().record(new OpAlgoDispatch(a)),
    ),
    error: DestroyedError,
    message: /Algorithm#\d+ was destroyed/,
  },
  {
    id: 'destroyed.algorithm.recorded',
    area: 'Destroyed',
    api: 'seq.eval',
    input: 'a recorded sequence whose algorithm was destroyed since',
    call: async (c) => {
      const a = c.algo([c.f32(2)], INCREMENT_SHADER);
      const s = c.seq().record(new OpAlgoDispatch(a));
      await s.eval();
      a.destroy();
      return s.eval();
    },
    error: DestroyedError,
    message: /Algorithm#\d+ was destroyed/,
  },
  {
    id: 'destroyed.sequence.record',
    area: 'Destroyed',
    api: 'seq.record',
    input: 'a destroyed sequence',
    call: destroyed(
      (c) => c.seq(),
      (s, c) => s.record(new OpSyncDevice([c.f32(2)])),
    ),
    error: DestroyedError,
    message: /Sequence#\d+ was destroyed.*record/,
  },
  {
    id: 'destroyed.sequence.eval',
    area: 'Destroyed',
    api: 'seq.eval',
    input: 'a destroyed sequence',
    call: destroyed(
      (c) => c.seq(),
      (s) => s.eval(),
    ),
    error: DestroyedError,
    message: /Sequence#\d+ was destroyed/,
  },
  {
    id: 'destroyed.sequence.eval-await',
    area: 'Destroyed',
    api: 'seq.evalAwait',
    input: 'a destroyed sequence',
    call: destroyed(
      (c) => c.seq(),
      (s) => s.evalAwait(),
    ),
    error: DestroyedError,
    message: /evalAwait/,
  },
  {
    id: 'destroyed.sequence.rerecord',
    area: 'Destroyed',
    api: 'seq.rerecord',
    input: 'a destroyed sequence',
    call: destroyed(
      (c) => c.seq(),
      (s) => s.rerecord(),
    ),
    error: DestroyedError,
    message: /rerecord/,
  },
  {
    id: 'destroyed.sequence.clear',
    area: 'Destroyed',
    api: 'seq.clear',
    input: 'a destroyed sequence',
    call: destroyed(
      (c) => c.seq(),
      (s) => s.clear(),
    ),
    error: DestroyedError,
    message: /clear/,
  },
  {
    id: 'destroyed.sequence.get-timestamps',
    area: 'Destroyed',
    api: 'seq.getTimestamps',
    input: 'a destroyed timed sequence',
    call: destroyed(
      (c) => c.keep(c.mgr.sequence({ timestamps: true })),
      (s) => s.getTimestamps(),
    ),
    error: DestroyedError,
    message: /getTimestamps/,
  },
  {
    id: 'destroyed.sequence.while-running',
    area: 'Destroyed',
    api: 'seq.eval',
    input: 'the sequence destroyed while its evaluation is in flight',
    call: (c) => {
      const s = c.seq();
      const p = s.eval(new OpSyncLocal([c.f32(2)]));
      s.destroy();
      return p;
    },
    error: DestroyedError,
    message: /evaluation in flight was cancelled/,
  },
  {
    id: 'destroyed.manager.tensor',
    area: 'Destroyed',
    api: 'mgr.tensor',
    input: 'a destroyed manager',
    call: afterManagerDestroy((m) => m.tensor([1])),
    error: DestroyedError,
    message: /Manager was destroyed.*tensor\(\)/,
  },
  {
    id: 'destroyed.manager.algorithm',
    area: 'Destroyed',
    api: 'mgr.algorithm',
    input: 'a destroyed manager',
    call: afterManagerDestroy((m) => m.algorithm([], INCREMENT_SHADER)),
    error: DestroyedError,
    message: /algorithm\(\)/,
  },
  {
    id: 'destroyed.manager.sequence',
    area: 'Destroyed',
    api: 'mgr.sequence',
    input: 'a destroyed manager',
    call: afterManagerDestroy((m) => m.sequence()),
    error: DestroyedError,
    message: /sequence\(\)/,
  },
  {
    id: 'destroyed.manager.from-buffer',
    area: 'Destroyed',
    api: 'mgr.tensorFromBuffer',
    input: 'a destroyed manager',
    call: afterManagerDestroyWith(
      (m, c) => c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST, m),
      (m, buffer) => m.tensorFromBuffer(buffer, 'f32', 1),
    ),
    error: DestroyedError,
    message: /tensorFromBuffer\(\)/,
  },
  { id: 'destroyed.manager.device', area: 'Destroyed', api: 'mgr.device', input: 'a destroyed manager', call: afterManagerDestroy((m) => m.device), error: DestroyedError, message: /device/ },
  {
    id: 'destroyed.manager.device-info',
    area: 'Destroyed',
    api: 'mgr.deviceInfo',
    input: 'a destroyed manager',
    call: afterManagerDestroy((m) => m.deviceInfo()),
    error: DestroyedError,
    message: /deviceInfo\(\)/,
  },
  {
    id: 'destroyed.manager.tensor-data',
    area: 'Destroyed',
    api: 'tensor.data',
    input: 'a tensor of a destroyed manager',
    call: afterManagerDestroyWith(
      (m) => m.tensor([1, 2]),
      (_m, t) => t.data(),
    ),
    error: DestroyedError,
    message: /Tensor#\d+ was destroyed/,
  },
  {
    id: 'destroyed.manager.sequence-eval',
    area: 'Destroyed',
    api: 'seq.eval',
    input: 'a recorded sequence of a destroyed manager',
    call: afterManagerDestroyWith(
      (m) => m.sequence().record(new OpSyncDevice([m.tensor([1])])),
      (_m, s) => s.eval(),
    ),
    error: DestroyedError,
    message: /Sequence#\d+ was destroyed/,
  },
  {
    id: 'destroyed.manager.while-running',
    area: 'Destroyed',
    api: 'seq.eval',
    input: 'the manager destroyed while an evaluation is in flight',
    call: async (c) => {
      const m = await c.fresh();
      const p = m.sequence().eval(new OpSyncLocal([m.tensor([1, 2])]));
      m.destroy();
      return p;
    },
    error: DestroyedError,
    message: /cancelled/,
  },

  // ---------------------------------------------------------------- Concurrency
  {
    id: 'busy.data',
    area: 'Concurrency',
    api: 'tensor.data',
    input: 'data() while an evaluation transfers the tensor',
    call: async (c) => {
      const t = c.f32([1, 2]);
      await transferring(c, t);
      return t.data();
    },
    error: StateError,
    message: /being transferred by a running evaluation/,
  },
  {
    id: 'busy.data-large',
    area: 'Concurrency',
    api: 'tensor.data',
    input: 'data() while an evaluation transfers a tensor over 64 KiB (mapped host copy)',
    call: async (c) => {
      const t = c.f32(LARGE);
      await transferring(c, t);
      return t.data();
    },
    error: StateError,
    message: /being transferred by a running evaluation/,
  },
  {
    id: 'busy.data-first-eval',
    area: 'Concurrency',
    api: 'tensor.data',
    input: 'data() right after evalAsync() of a sequence never evaluated before',
    call: (c) => {
      const t = c.f32([1, 2]);
      c.seq().evalAsync(new OpSyncLocal([t]));
      return t.data();
    },
    error: StateError,
    message: /being transferred by a running evaluation/,
  },
  {
    id: 'busy.set-data',
    area: 'Concurrency',
    api: 'tensor.setData',
    input: 'setData() while an evaluation transfers the tensor',
    call: async (c) => {
      const t = c.f32(LARGE);
      await transferring(c, t);
      return t.setData(new Float32Array(LARGE));
    },
    error: StateError,
    message: /being transferred/,
  },
  {
    id: 'busy.rebuild',
    area: 'Concurrency',
    api: 'tensor.rebuild',
    input: 'rebuild() while an evaluation transfers the tensor',
    call: async (c) => {
      const t = c.f32([1, 2]);
      await transferring(c, t);
      return t.rebuild(4);
    },
    error: StateError,
    message: /a running evaluation is transferring this tensor/,
  },
  {
    id: 'busy.two-sequences',
    area: 'Concurrency',
    api: 'seq.eval',
    input: 'a second sequence transferring a tensor the first one is transferring',
    call: async (c) => {
      const t = c.f32([1, 2]);
      await transferring(c, t);
      return c.seq().eval(new OpSyncLocal([t]));
    },
    error: StateError,
    message: /being transferred by another running evaluation/,
  },
];

/** The markdown table row of docs/errors.md for `row`. */
function docLine(row: Row): string {
  return `| \`${row.id}\` | \`${row.api}\` | ${row.input} | \`${row.error.name}\` | ${row.argument === undefined ? '—' : `\`${row.argument}\``} |`;
}

/** Runs `p` with a time bound, so a hanging call fails the row instead of the file. */
async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `out = a * b` with OpMult, then `out += k` with push constants, compared with the CPU. */
async function assertComputes(m: Manager, seed: number): Promise<void> {
  const n = 37;
  const av = randomValues(n, seed);
  const bv = randomValues(n, seed + 1);
  const k = (seed % 7) + 0.5;
  const a = m.tensor(av);
  const b = m.tensor(bv);
  const out = m.tensor(n, 'f32');
  const mult = new OpMult([a, b, out]);
  const add = m.algorithm([out], ADD_PUSH_SHADER, { pushConstants: [0] });
  const s = m.sequence();
  try {
    await s.eval(new OpSyncDevice([a, b]), mult, new OpAlgoDispatch(add, [k]), new OpSyncLocal([out]));
    assertClose(
      out.data(),
      Float32Array.from(av, (x, i) => Math.fround(Math.fround(x * bv[i]!) + k)),
      0,
      `${m.deviceInfo().description} still computes`,
    );
  } finally {
    for (const r of [s, add, mult.algorithm, out, b, a]) r.destroy();
  }
}

/** Live resources and bytes of `m`, for leak checks (released staging may wait in the pool). */
function usage(m: Manager): string {
  return JSON.stringify(liveMemory(m.memory()));
}

describe('bad-input catalogue', () => {
  let mgr: Manager;
  let other: Manager;
  let bare: Manager;
  let bareDevice: GPUDevice;
  const uncaptured: string[] = [];
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(`${w.name}: ${w.message}`);
  };

  /** Records every uncaptured WebGPU error of `m`'s device. */
  function watch(m: Manager, name: string): Manager {
    m.device.addEventListener('uncapturederror', (event) => {
      uncaptured.push(`${name}: ${(event as GPUUncapturedErrorEvent).error.message}`);
    });
    return m;
  }

  before(async () => {
    mgr = watch(await Manager.create(), 'mgr');
    other = watch(await Manager.create(), 'other');
    ({ device: bareDevice } = await rawDevice());
    bare = watch(Manager.fromDevice(bareDevice), 'bare');
    process.on('warning', onWarning);
  });
  after(() => {
    process.off('warning', onWarning);
    for (const m of [mgr, other, bare]) m?.destroy();
    bareDevice?.destroy();
  });

  test('the catalogue has at least 70 rows with unique ids, and each names an argument exactly when its class is an ArgumentError', () => {
    assert.ok(ROWS.length >= 70, `${ROWS.length} rows`);
    assert.equal(new Set(ROWS.map((r) => r.id)).size, ROWS.length, 'ids are unique');
    for (const row of ROWS) {
      const isArgument = row.error === ArgumentError || row.error.prototype instanceof ArgumentError;
      assert.equal(row.argument !== undefined, isArgument, `${row.id}: argument given iff ${row.error.name} is an ArgumentError`);
      for (const text of [row.api, row.input]) {
        const outsideCode = text.replace(/`[^`]*`/g, '');
        assert.ok(!text.includes('|') && !/[<>]/.test(outsideCode), `${row.id}: documentation fields have no '|', and '<' or '>' only inside backticks`);
      }
    }
  });

  test('the uncaptured-error watch works: an invalid call outside any error scope is reported', async () => {
    const m = await Manager.create();
    try {
      const seen: string[] = [];
      m.device.addEventListener('uncapturederror', (event) => seen.push((event as GPUUncapturedErrorEvent).error.message));
      m.device.createBuffer({ size: 4, usage: Usage.MAP_READ | Usage.MAP_WRITE }); // MAP_READ | MAP_WRITE is invalid
      await m.device.queue.onSubmittedWorkDone();
      for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 2));
      assert.equal(seen.length, 1, 'the listener saw the error');
    } finally {
      m.destroy();
    }
  });

  let seed = 1;
  for (const row of ROWS) {
    test(`${row.id}: ${row.api}(${row.input}) -> ${row.error.name}${row.argument ? ` naming ${row.argument}` : ''}`, async () => {
      const resources: { destroy(): void }[] = [];
      const laters: (() => unknown)[] = [];
      const freshManagers: Manager[] = [];
      const touched = new Set<Manager>([mgr]);
      const touch = (m: Manager): Manager => {
        if (!freshManagers.includes(m)) touched.add(m);
        return m;
      };
      const ctx: Ctx = {
        mgr,
        get other() {
          return touch(other);
        },
        get bare() {
          return touch(bare);
        },
        async fresh(device) {
          const m = watch(device ? Manager.fromDevice(device) : await Manager.create(), 'fresh');
          freshManagers.push(m);
          return m;
        },
        keep(resource) {
          resources.push(resource);
          return resource;
        },
        later(fn) {
          laters.push(fn);
        },
        f32(valuesOrLength, options = {}, m = mgr) {
          touch(m);
          return ctx.keep(typeof valuesOrLength === 'number' ? m.tensor(valuesOrLength, 'f32', options) : (m.tensor(valuesOrLength, { ...options, dtype: 'f32' }) as Tensor<'f32'>));
        },
        algo(tensors, wgsl, options = {}, m = mgr) {
          touch(m);
          return ctx.keep(m.algorithm(tensors, wgsl, options));
        },
        seq(m = mgr) {
          touch(m);
          return ctx.keep(m.sequence());
        },
        buffer(size, usageFlags, m = mgr) {
          const buffer = touch(m).device.createBuffer({ size, usage: usageFlags });
          laters.push(() => buffer.destroy());
          return buffer;
        },
      };
      const before = { mgr: usage(mgr), other: usage(other), bare: usage(bare) };
      const problems: string[] = [];

      // 1. The bad call.
      let thrown: unknown;
      let returned: unknown;
      try {
        returned = await bounded(
          Promise.resolve().then(() => row.call(ctx)),
          10_000,
          row.id,
        );
      } catch (e) {
        thrown = e;
      }

      // 2. Clean up: evaluations in flight finish, then everything the row made is destroyed.
      if (returned && typeof (returned as { destroy?: unknown }).destroy === 'function') resources.push(returned as { destroy(): void });
      for (const r of resources) {
        const s = r as Partial<Sequence>;
        if (typeof s.evalAwait === 'function' && typeof s.isRunning === 'function' && s.isInit?.() && s.isRunning()) {
          await bounded(
            s.evalAwait().catch(() => {}),
            10_000,
            `${row.id}: cleanup evalAwait`,
          );
        }
      }
      for (const fn of laters) await fn();
      for (const r of resources.reverse()) r.destroy();

      // 3. The error: exactly the documented class, a KomputeError with a code, a hint, the argument and the message.
      if (thrown === undefined) {
        problems.push(`expected ${row.error.name}, but the call succeeded (returned ${String(returned?.constructor?.name ?? returned)})`);
      } else if (!(thrown instanceof KomputeError)) {
        problems.push(`expected ${row.error.name}, got a non-KomputeError ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}`);
      } else {
        const e = thrown;
        const described = `${e.name}${e instanceof ArgumentError ? `(${e.argument})` : ''}: ${e.message.split('\n')[0]}`;
        if (e.constructor !== row.error || e.name !== row.error.name) problems.push(`expected exactly ${row.error.name}, got ${described}`);
        if (!(e instanceof row.error)) problems.push(`not an instance of ${row.error.name}`);
        if (!/^KP_[A-Z_]+$/.test(e.code)) problems.push(`code ${JSON.stringify(e.code)} is not KP_...`);
        if (typeof e.hint !== 'string' || e.hint.trim() === '') problems.push(`no hint (${described})`);
        if (row.argument !== undefined) {
          if (!(e instanceof ArgumentError)) problems.push(`expected an ArgumentError naming ${row.argument}`);
          else if (e.argument !== row.argument) problems.push(`argument is ${JSON.stringify(e.argument)}, expected ${JSON.stringify(row.argument)} (${described})`);
        }
        if (!row.message.test(e.message)) problems.push(`message ${JSON.stringify(e.message)} does not match ${row.message}`);
      }

      // 4. Every manager the row touched still computes correctly, and nothing the row made is left.
      for (const m of new Set([...touched, ...freshManagers].filter((f) => f.isInit()))) {
        try {
          await bounded(assertComputes(m, seed++), 10_000, `${row.id}: computation afterwards`);
        } catch (e) {
          problems.push(`the manager no longer computes correctly: ${(e as Error).message}`);
        }
      }
      for (const m of freshManagers) m.destroy();
      const afterwards = { mgr: usage(mgr), other: usage(other), bare: usage(bare) };
      for (const name of ['mgr', 'other', 'bare'] as const) {
        if (afterwards[name] !== before[name]) problems.push(`${name}.memory() changed: ${before[name]} -> ${afterwards[name]}`);
      }

      // 5. WebGPU reported no uncaptured error, and Node no warning.
      if (uncaptured.length > 0) problems.push(`uncaptured WebGPU error(s): ${uncaptured.splice(0).join(' / ')}`);
      if (warnings.length > 0) problems.push(`process warning(s): ${warnings.splice(0).join(' / ')}`);

      assert.deepEqual(problems, [], `${row.id}:\n  ${problems.join('\n  ')}`);
    });
  }

  test('docs/errors.md lists every row of the catalogue, and no other', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const expected = ROWS.map(docLine);
    const missing = expected.filter((line) => !doc.includes(line));
    const documentedIds = [...doc.matchAll(/^\| `([a-z0-9.-]+)` \|/gm)].map((m) => m[1]);
    const extra = documentedIds.filter((id) => !ROWS.some((r) => r.id === id));
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `docs/errors.md is out of date with the catalogue; its table rows should be:\n${expected.join('\n')}`);
  });
});
