/**
 * The bad-input catalogue's shared parts: the row format, what a row's call gets, and the helpers
 * several areas use. The rows live one file per area beside this one; index.ts lists the areas.
 */
import assert from 'node:assert/strict';
import { KomputeError, Manager, OpSyncLocal, type Algorithm, type AlgorithmOptions, type Sequence, Tensor, type TensorOptions } from '../../src/index.js';

export type ErrorClass = abstract new (...args: never[]) => KomputeError;

/** What a row's call gets: managers, and helpers whose resources are cleaned up after the row. */
export interface Ctx {
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
export interface Row {
  /** Stable identifier, also used in docs/errors.md. */
  readonly id: string;
  /** The part of the API. */
  readonly area:
    | 'Manager'
    | 'Tensor'
    | 'tensorFromBuffer'
    | 'Views'
    | 'Structs'
    | 'Image'
    | 'Algorithm'
    | 'WGSL'
    | 'Push constants'
    | 'Bindings'
    | 'Workgroup'
    | 'Sequence'
    | 'Operations'
    | 'Destroyed'
    | 'Concurrency';
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
export function shader(decl: string, body = ''): string {
  return `${decl}
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  ${body}
}
`;
}
export const T0 = '@group(0) @binding(0) var<storage, read_write> t: array<f32>;';
export const PUSH2_SHADER = shader(`struct P { a: f32, b: f32 }\n${T0}\n@group(1) @binding(0) var<uniform> p: P;`, 't[id.x] = p.a + p.b;');
export const OVERRIDE_SHADER = shader(`@id(0) override s: f32 = 1.0;\n${T0}`, 't[id.x] = t[id.x] * s;');
export const MAX_BINDING = (m: Manager): number => m.deviceInfo().limits.maxStorageBufferBindingSize!;
export const MAX_WORKGROUPS = (m: Manager): number => m.deviceInfo().limits.maxComputeWorkgroupsPerDimension!;
/** Elements of a tensor over 64 KiB: its host copy is mapped staging memory. */
export const LARGE = 20_000;

/** Makes a resource with `make`, destroys it, then calls `use` with it. */
export function destroyed<T extends { destroy(): void }>(make: (c: Ctx) => T, use: (x: T, c: Ctx) => unknown): (c: Ctx) => unknown {
  return (c) => {
    const x = make(c);
    x.destroy();
    return use(x, c);
  };
}

/** A fresh manager, destroyed, then `use`d. */
export function afterManagerDestroy(use: (m: Manager) => unknown): (c: Ctx) => Promise<unknown> {
  return afterManagerDestroyWith(() => undefined, use);
}

/** A fresh manager on which `prepare` makes something, then the manager is destroyed and `use`d with it. */
export function afterManagerDestroyWith<P>(prepare: (m: Manager, c: Ctx) => P, use: (m: Manager, prepared: P) => unknown): (c: Ctx) => Promise<unknown> {
  return async (c) => {
    const m = await c.fresh();
    const prepared = prepare(m, c);
    m.destroy();
    return use(m, prepared);
  };
}

/** A sequence with an evaluation in flight that transfers `t` (after a first evaluation, so the transfer is already encoded). */
export async function transferring(c: Ctx, t: Tensor): Promise<Sequence> {
  const s = c.seq();
  await s.eval(new OpSyncLocal([t]));
  s.evalAsync();
  assert.ok(s.isRunning(), 'setup: the evaluation is in flight');
  return s;
}
