import { checkOptions, numberValue, withArticle } from '../core/options.js';
import { ArgumentError, DTypeError } from '../errors.js';
import { wgslType } from '../memory/dtype.js';
import type { Tensor } from '../memory/tensor.js';
import { contextOf, enables, KernelOp, kernelAlgorithm } from './kernel-op.js';
import { ELEMENTS_PER_THREAD, elementLoop, grid, literal, vec4Eligible, vec4Loop, WORKGROUP } from './grid.js';

/**
 * A kernel writing `out[i] = scalar` (WGSL of `i`) for every element; four at a time as
 * `out[q_] = vector` (WGSL of `i = 4q`) where {@link vec4Eligible}.
 */
function elementKernel(context: ReturnType<typeof contextOf>, out: Tensor, type: string, scalar: string, vector: (scalar: string) => string): { code: string; workgroup: [number, number] } {
  const vec4 = vec4Eligible(out.size, [out.dtype]);
  const units = vec4 ? out.size / 4 : out.size;
  const { workgroup, columns } = grid(context, Math.ceil(units / (WORKGROUP * ELEMENTS_PER_THREAD)));
  const element = vec4 ? `vec4<${type}>` : type;
  const loop = vec4 ? vec4Loop(columns, units, `    out[q_] = ${vector(scalar)};`) : elementLoop(columns, out.size, `    out[i] = ${scalar};`);
  const code = `${enables(out.dtype)}@group(0) @binding(0) var<storage, read_write> out: array<${element}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
${loop}
}
`;
  return { code, workgroup };
}

/** Sets every element of a tensor to one value on the GPU: `out[i] = value`. */
export class OpFill extends KernelOp {
  /**
   * @param out - the tensor to fill (any dtype)
   * @param value - the value, converted to the tensor's dtype
   */
  constructor(out: Tensor, value: number) {
    const context = contextOf('OpFill', { out });
    if (typeof value !== 'number' || Number.isNaN(value)) throw new ArgumentError('value', `OpFill expects a number, got ${String(value)}`, 'pass the value to write to every element');
    checkRepresentable('OpFill', 'value', value, out);
    const type = wgslType(out.dtype);
    const wgsl = elementKernel(context, out, type, literal(value, type), (first) => `vec4<${type}>(${first})`);
    super([{ algorithm: kernelAlgorithm(context, [out], wgsl.code, wgsl.workgroup, `OpFill(${out.label})`) }]);
  }

  get name(): string {
    return 'OpFill';
  }
}

/** Options of {@link OpIota}. */
export interface IotaOptions {
  /** The first value (default 0). */
  readonly start?: number;
  /** The difference between neighbours (default 1). */
  readonly step?: number;
}

/** Writes an arithmetic sequence: `out[i] = start + i * step` (computed in the tensor's dtype). */
export class OpIota extends KernelOp {
  constructor(out: Tensor, options: IotaOptions = {}) {
    const context = contextOf('OpIota', { out });
    checkOptions('options', options, { start: numberValue, step: numberValue });
    const start = options.start ?? 0;
    const step = options.step ?? 1;
    for (const [name, v] of [
      ['start', start],
      ['step', step],
    ] as const) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(`options.${name}`, `OpIota expects a finite number, got ${String(v)}`, `pass a number as ${name}`);
    }
    checkRepresentable('OpIota', 'options.start', start, out);
    checkRepresentable('OpIota', 'options.step', step, out);
    checkRepresentable('OpIota', 'options.step', start + (out.size - 1) * step, out, `the last value (start + ${out.size - 1} × step =`);
    const type = wgslType(out.dtype);
    const wgsl = elementKernel(
      context,
      out,
      type,
      `${literal(start, type)} + ${type}(i) * ${literal(step, type)}`,
      () => `vec4<${type}>(${literal(start, type)}) + vec4<${type}>(${type}(i), ${type}(i + 1u), ${type}(i + 2u), ${type}(i + 3u)) * ${literal(step, type)}`,
    );
    super([{ algorithm: kernelAlgorithm(context, [out], wgsl.code, wgsl.workgroup, `OpIota(${out.label})`) }]);
  }

  get name(): string {
    return 'OpIota';
  }
}

/** Throws a DTypeError when an integer tensor cannot hold `value` exactly (it would wrap or be truncated). */
function checkRepresentable(kernel: string, argument: string, value: number, out: Tensor, what = `${value}`): void {
  if (out.dtype !== 'i32' && out.dtype !== 'u32') return;
  const [low, high] = out.dtype === 'i32' ? [-(2 ** 31), 2 ** 31 - 1] : [0, 2 ** 32 - 1];
  if (!Number.isInteger(value) || value < low || value > high) {
    throw new DTypeError(
      argument,
      `${kernel}: ${what === `${value}` ? value : `${what} ${value})`} is not ${withArticle(out.dtype)} value (an integer from ${low} to ${high})`,
      `pass values ${out.label} can hold, or use an f32 tensor`,
    );
  }
}
