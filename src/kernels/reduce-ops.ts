import { ArgumentError } from '../errors.js';
import { literal } from './grid.js';

/** The associative operations reductions and scans combine values with. */
export type ReduceOp = 'sum' | 'max' | 'min';

/** Reductions: the associative operations plus `mean` (a sum divided by the count). */
export type Reduction = ReduceOp | 'mean';

/** Throws unless `op` is one of `allowed`. */
export function checkOp<T extends string>(kernel: string, op: unknown, allowed: readonly T[]): asserts op is T {
  if (!allowed.includes(op as T)) throw new ArgumentError('op', `${kernel} does not know the operation ${JSON.stringify(op)}`, `use one of ${allowed.join(', ')}`);
}

/** WGSL combining `x` and `y` with `op`. */
export function combine(op: ReduceOp, x: string, y: string): string {
  return op === 'sum' ? `(${x} + ${y})` : `${op}(${x}, ${y})`;
}

/** The identity of `op` in WGSL type `type` (0 for sum, the lowest value for max, ...). */
export function identity(op: ReduceOp, type: string): string {
  if (op === 'sum') return literal(0, type);
  const lowest = type === 'u32' ? 0 : type === 'i32' ? -2147483648 : -Infinity;
  const highest = type === 'u32' ? 4294967295 : type === 'i32' ? 2147483647 : Infinity;
  return literal(op === 'max' ? lowest : highest, type);
}

/** The WGSL subgroup builtin that combines one value per invocation with `op`. */
function subgroupCall(op: ReduceOp): string {
  return op === 'sum' ? 'subgroupAdd' : op === 'max' ? 'subgroupMax' : 'subgroupMin';
}

/** Whether a kernel over `type` values may use subgroup operations on this device. */
export function useSubgroups(features: ReadonlySet<string>, type: string, requested: boolean | undefined): boolean {
  // f16 subgroup operations need a further feature; f16 kernels take the portable path.
  return requested !== false && type !== 'f16' && features.has('subgroups');
}

/** The `enable` directive and entry-point parameters a workgroup combination needs. */
export function combineHeader(subgroups: boolean): { enable: string; params: string } {
  return subgroups ? { enable: 'enable subgroups;\n', params: ', @builtin(subgroup_invocation_id) sgid: u32, @builtin(subgroup_size) sgsize: u32' } : { enable: '', params: '' };
}

/**
 * WGSL that combines the `partial` of every invocation within segments of `size` consecutive
 * invocations (`size` divides the workgroup; the whole workgroup when equal) into `total`, valid in
 * every invocation of the segment, through `scratch: array<T, workgroup size>`. With subgroups,
 * each subgroup combines in registers and one barrier joins them (this takes subgroups to be
 * consecutive ranges of local_invocation_index no larger than `size`, as on every driver we know:
 * 8 to 64 invocations); without, a tree of log2(size) barrier steps. Ends with a barrier, so
 * `scratch` can be reused.
 */
export function workgroupCombine(op: ReduceOp, type: string, size: number, subgroups: boolean): string {
  if (subgroups) {
    return `  let sgValue = ${subgroupCall(op)}(partial);
  if (sgid == 0u) { scratch[lid / sgsize] = sgValue; }
  workgroupBarrier();
  var total = ${identity(op, type)};
  let first = (lid - lid % ${size}u) / sgsize;
  for (var j = 0u; j < ${size}u / sgsize; j++) { total = ${combine(op, 'total', 'scratch[first + j]')}; }
  workgroupBarrier();`;
  }
  return `  scratch[lid] = partial;
  workgroupBarrier();
  for (var s = ${size / 2}u; s > 0u; s >>= 1u) {
    if (lid % ${size}u < s) { scratch[lid] = ${combine(op, 'scratch[lid]', 'scratch[lid + s]')}; }
    workgroupBarrier();
  }
  let total = scratch[lid - lid % ${size}u];
  workgroupBarrier();`;
}
