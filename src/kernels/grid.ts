import type { DeviceContext } from '../core/device-context.js';

/** Threads per workgroup of the one-dimensional kernels. */
export const WORKGROUP = 256;

/**
 * Workgroup counts for `groups` workgroups laid out over x and y (a dimension holds at most
 * maxComputeWorkgroupsPerDimension), with the WGSL that turns a workgroup id back into a flat index.
 */
export function grid(context: DeviceContext, groups: number): { workgroup: [number, number]; columns: number } {
  const max = context.limits.maxComputeWorkgroupsPerDimension;
  const columns = Math.max(1, Math.min(groups, max));
  return { workgroup: [columns, Math.max(1, Math.ceil(groups / columns))], columns };
}

/** WGSL for the flat workgroup index of a dispatch laid out by {@link grid}. */
export function flatGroup(columns: number): string {
  return `(wg.x + wg.y * ${columns}u)`;
}

/**
 * Elements each thread of the element-wise kernels (fill, iota, map) handles, `WORKGROUP` apart so
 * that a workgroup's accesses stay contiguous: a quarter of the workgroups of one element per
 * thread, whose launch cost bounded those kernels (measured on the H100, docs/BENCHMARKS.md).
 */
export const ELEMENTS_PER_THREAD = 4;

/**
 * The body of an element-wise kernel's `main` over `n` elements laid out by {@link grid} for
 * `ceil(n / (WORKGROUP * ELEMENTS_PER_THREAD))` workgroups: runs `body` (WGSL statements that use
 * `i` and `n`) for each element index this thread owns.
 */
export function elementLoop(columns: number, n: number, body: string): string {
  return `  let first = ${flatGroup(columns)} * ${WORKGROUP * ELEMENTS_PER_THREAD}u + lid;
  let n = ${n}u;
  for (var k = 0u; k < ${ELEMENTS_PER_THREAD}u; k++) {
    let i = first + k * ${WORKGROUP}u;
    if (i >= n) { return; }
${body}
  }`;
}

/**
 * Whether the element-wise kernels may move `n` elements of these dtypes four at a time, as
 * `vec4`s (16-byte accesses, which is what reaches memory speed): 32-bit types and `n` a multiple of 4.
 */
export function vec4Eligible(n: number, dtypes: readonly string[]): boolean {
  return n % 4 === 0 && dtypes.every((d) => d === 'f32' || d === 'i32' || d === 'u32');
}

/**
 * The vec4 form of {@link elementLoop}: the thread owns `ELEMENTS_PER_THREAD` vec4 indices `q`
 * `q_` (`WORKGROUP` apart) of `n4` vec4s, laid out by {@link grid} for
 * `ceil(n4 / (WORKGROUP * ELEMENTS_PER_THREAD))` workgroups; `body` uses `q_` and `i = 4 * q_` (names an OpMap input cannot clash with).
 */
export function vec4Loop(columns: number, n4: number, body: string): string {
  return `  let first_ = ${flatGroup(columns)} * ${WORKGROUP * ELEMENTS_PER_THREAD}u + lid;
  for (var k_ = 0u; k_ < ${ELEMENTS_PER_THREAD}u; k_++) {
    let q_ = first_ + k_ * ${WORKGROUP}u;
    if (q_ >= ${n4}u) { return; }
    let i = 4u * q_;
${body}
  }`;
}

/** Formats a number as a WGSL literal of `type`. */
export function literal(value: number, type: string): string {
  if (type === 'u32') return `${value >>> 0}u`;
  if (type === 'i32') return value === -2147483648 ? 'i32(-2147483648)' : `${value | 0}i`;
  if (!Number.isFinite(value)) {
    // WGSL has no infinity literal; the largest finite value stands in for identities of max/min.
    const big = type === 'f16' ? '65504.0h' : '3.40282346638528859812e+38f';
    return value > 0 ? big : `-${big}`;
  }
  const text = Number.isInteger(value) ? `${value}.0` : String(value);
  return `${type}(${text})`;
}
