import type { DeviceContext } from '../manager/device-context.js';

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
