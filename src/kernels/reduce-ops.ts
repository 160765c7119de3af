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
