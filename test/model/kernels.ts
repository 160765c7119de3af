/**
 * The small kernel family of the lifecycle model test, and its CPU semantics.
 *
 * Two WGSL kernels per dtype, each `@workgroup_size(1)` with `a`, `b`, `out` at bindings 0, 1, 2:
 * - `axpb`: `out[i] = a[i] * push.k + b[i]` (push constants `{ k }`)
 * - `add`:  `out[i] = a[i] + b[i]`
 * Reads past the end of `a` or `b` count as 0 and invocations past the end of `out` do nothing,
 * so the kernels stay well defined after a bound tensor is rebuilt to another size. A `broken`
 * variant calls an undefined function: it parses, reflects and binds, but does not compile.
 *
 * Values are integers (f32 ones too) and the f32 multiplier is 0 or a power of two, so every f32
 * result is exactly the CPU's, whether the GPU fuses `a * k + b` into an FMA or not. Results the
 * model cannot predict exactly (f32 overflow, reads out of bounds) are `undefined`: unknown.
 */

/** The dtypes the model exercises. */
export type DT = 'f32' | 'i32' | 'u32';
/** One element of the model: a number, or undefined when the model cannot predict it. */
export type Val = number | undefined;
/** Kernels of the family; `mult` is OpMult's built-in shader. */
export type KernelKind = 'axpb' | 'add' | 'mult' | 'reduce';

export const DTS: readonly DT[] = ['f32', 'i32', 'u32'];

/** WGSL of `kind` over `dtype` elements (never called for `mult`, which the library writes). */
export function kernelSource(kind: 'axpb' | 'add', dtype: DT, broken = false): string {
  const push = kind === 'axpb';
  return `${push ? `struct Push { k: ${dtype} }\n` : ''}@group(0) @binding(0) var<storage, read> a: array<${dtype}>;
@group(0) @binding(1) var<storage, read> b: array<${dtype}>;
@group(0) @binding(2) var<storage, read_write> out: array<${dtype}>;
${push ? '@group(1) @binding(0) var<uniform> push: Push;\n' : ''}
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i >= arrayLength(&out)) { return; }
  var x = ${dtype}(0);
  if (i < arrayLength(&a)) { x = a[i]; }
  var y = ${dtype}(0);
  if (i < arrayLength(&b)) { y = b[i]; }
  out[i] = ${push ? 'x * push.k + y' : 'x + y'}${broken ? ' + undefined_function(x)' : ''};
}
`;
}

/** A number as the tensor element type stores it (what a typed array assignment does). */
export function conv(dtype: DT, v: number): number {
  if (dtype === 'f32') return Math.fround(v);
  if (dtype === 'i32') return v | 0;
  return v >>> 0;
}

const scratch = new DataView(new ArrayBuffer(4));

/** The 32 bits of push-constant value `k` as the algorithm's typed array stores it. */
export function toBits(dtype: DT, k: number): number {
  if (dtype === 'f32') scratch.setFloat32(0, k, true);
  else if (dtype === 'i32') scratch.setInt32(0, k, true);
  else scratch.setUint32(0, k >>> 0, true);
  return scratch.getUint32(0, true);
}

/** The push-constant value a `dtype` shader reads from `bits`. */
export function fromBits(dtype: DT, bits: number): number {
  scratch.setUint32(0, bits, true);
  if (dtype === 'f32') return scratch.getFloat32(0, true);
  if (dtype === 'i32') return scratch.getInt32(0, true);
  return scratch.getUint32(0, true);
}

/** The typed array of push constants for `dtype` holding `k`. */
export function pushArray(dtype: DT, values: readonly number[]): Float32Array | Int32Array | Uint32Array {
  if (dtype === 'f32') return Float32Array.from(values);
  if (dtype === 'i32') return Int32Array.from(values);
  return Uint32Array.from(values.map((v) => v >>> 0));
}

const F32_LIMIT = 2 ** 100;

/** True when an f32 result is exact on any conforming GPU (no overflow, no rounding of a product). */
function safeF32(v: number): boolean {
  return Number.isFinite(v) && Math.abs(v) < F32_LIMIT;
}

/** Is `k` a multiplier whose f32 products are exact (0 or a power of two)? */
function exactMultiplier(k: number): boolean {
  if (k === 0) return true;
  const e = Math.log2(Math.abs(k));
  return Number.isInteger(e) && e >= 0 && e <= 20;
}

/** `x * k + y` as a `dtype` shader computes it. */
export function axpb(dtype: DT, x: Val, k: Val, y: Val): Val {
  if (x === undefined || k === undefined || y === undefined) return undefined;
  if (dtype === 'f32') {
    if (!exactMultiplier(k) || !safeF32(x) || !safeF32(y)) return undefined;
    const r = x * k + y;
    return safeF32(r) ? Math.fround(r) : undefined;
  }
  const r = Math.imul(x, k) + y;
  return dtype === 'i32' ? r | 0 : r >>> 0;
}

/** `x + y` as a `dtype` shader computes it. */
export function add(dtype: DT, x: Val, y: Val): Val {
  if (x === undefined || y === undefined) return undefined;
  if (dtype === 'f32') {
    if (!safeF32(x) || !safeF32(y)) return undefined;
    const r = x + y;
    return safeF32(r) ? Math.fround(r) : undefined;
  }
  return dtype === 'i32' ? (x + y) | 0 : (x + y) >>> 0;
}

/** `x * y` as a `dtype` shader computes it. */
export function mul(dtype: DT, x: Val, y: Val): Val {
  if (x === undefined || y === undefined) return undefined;
  if (dtype === 'f32') {
    if (!safeF32(x) || !safeF32(y)) return undefined;
    const r = x * y;
    return safeF32(r) ? Math.fround(r) : undefined;
  }
  const r = Math.imul(x, y);
  return dtype === 'i32' ? r : r >>> 0;
}

/** Deterministic integer values for a tensor of `size` elements (PRNG seeded by `seed`). */
export function valuesFor(dtype: DT, size: number, seed: number): number[] {
  const out: number[] = new Array(size);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = s >>> 8;
    let v: number;
    if (dtype === 'f32') v = (r % 201) - 100;
    else if (dtype === 'i32') v = r % 97 === 0 ? (r & 1 ? 2147483647 : -2147483648) : (r % 2001) - 1000;
    else v = r % 97 === 0 ? 0xffffffff : r % 1001;
    out[i] = conv(dtype, v);
  }
  return out;
}
