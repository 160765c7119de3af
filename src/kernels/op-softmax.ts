import { anyValue, checkOptions, withArticle } from '../core/options.js';
import { DTypeError } from '../errors.js';
import { wgslType } from '../memory/dtype.js';
import type { Tensor } from '../memory/tensor.js';
import { checkDTypeIn, contextOf, enables, KernelOp, kernelAlgorithm } from './kernel-op.js';
import { flatGroup, grid, WORKGROUP } from './grid.js';
import { identity } from './reduce-ops.js';
import { checkShape2D } from './shape.js';

/** Options of {@link OpSoftmax}. */
export interface SoftmaxOptions {
  /** `[rows, cols]`, row-major: softmax runs along each row. Default one row of the whole tensor. */
  readonly shape?: readonly [number, number];
}

/**
 * Softmax along the rows of a row-major `[rows, cols]` matrix:
 * `out[r, c] = exp(x[r, c] - max_r) / Σ_c' exp(x[r, c'] - max_r)`. Subtracting the row maximum
 * keeps `exp` from overflowing, so large logits give the right answer instead of NaN. One
 * workgroup per row; `out` may be `x` (in place).
 */
export class OpSoftmax extends KernelOp {
  constructor(x: Tensor, out: Tensor, options: SoftmaxOptions = {}) {
    const context = contextOf('OpSoftmax', { x, out });
    checkOptions('options', options, { shape: anyValue });
    checkDTypeIn('OpSoftmax', 'x', x, ['f32', 'f16']);
    if (out.dtype !== x.dtype) throw new DTypeError('out', `OpSoftmax writes ${x.dtype} values but out (${out.label}) is ${out.dtype}`, `pass ${withArticle(x.dtype)} tensor`);
    const [rows, cols] = options.shape === undefined ? [1, x.size] : checkShape2D('OpSoftmax', 'options.shape', options.shape, x);
    if (out.size !== x.size) checkShape2D('OpSoftmax', 'out', [rows, cols], out);
    const type = wgslType(x.dtype);
    const inPlace = out === x;
    const source = inPlace ? 'out' : 'x';
    const { workgroup, columns } = grid(context, rows);
    const tree = (op: string) => `  scratch[lid] = partial;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { scratch[lid] = ${op}; }
    workgroupBarrier();
  }
  let total = scratch[0];
  workgroupBarrier();`;
    const wgsl = `${enables(type)}${inPlace ? '' : `@group(0) @binding(1) var<storage, read> x: array<${type}>;\n`}@group(0) @binding(0) var<storage, read_write> out: array<${type}>;
var<workgroup> scratch: array<${type}, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = ${flatGroup(columns)};
  let valid = ${rows}u > row;
  let base = select(0u, row * ${cols}u, valid);
  let width = select(0u, ${cols}u, valid);
  var partial = ${identity('max', type)};
  for (var c = lid; c < width; c += ${WORKGROUP}u) { partial = max(partial, ${source}[base + c]); }
${tree('max(scratch[lid], scratch[lid + s])')}
  let rowMax = total;
  partial = ${type}(0);
  for (var c = lid; c < width; c += ${WORKGROUP}u) { partial += exp(${source}[base + c] - rowMax); }
${tree('scratch[lid] + scratch[lid + s]').replace('let total', 'let sum')}
  let inverse = ${type}(1) / sum;
  for (var c = lid; c < width; c += ${WORKGROUP}u) { out[base + c] = exp(${source}[base + c] - rowMax) * inverse; }
}
`;
    super([{ algorithm: kernelAlgorithm(context, inPlace ? [out] : [out, x], wgsl, workgroup, `OpSoftmax(${x.label})`) }]);
  }

  get name(): string {
    return 'OpSoftmax';
  }
}
