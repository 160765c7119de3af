import { anyValue, booleanValue, checkOptions, withArticle } from '../core/options.js';
import { DTypeError } from '../errors.js';
import { wgslType } from '../memory/dtype.js';
import type { Tensor } from '../memory/tensor.js';
import { checkDTypeIn, contextOf, enables, KernelOp, kernelAlgorithm } from './kernel-op.js';
import { flatGroup, grid, WORKGROUP } from './grid.js';
import { combineHeader, identity, useSubgroups, workgroupCombine } from './reduce-ops.js';
import { checkShape2D } from './shape.js';

/** Options of {@link OpSoftmax}. */
export interface SoftmaxOptions {
  /** `[rows, cols]`, row-major: softmax runs along each row. Default one row of the whole tensor. */
  readonly shape?: readonly [number, number];
  /** Use subgroup operations (default: when the device has the `subgroups` feature); `false` forces the portable path. */
  readonly subgroups?: boolean;
}

/** Most values of a row each invocation keeps in registers; longer rows take the three-pass kernel. */
const MAX_HELD = 16;

/**
 * {@link heldRowsShader} moving `vec4`s (rows of 32-bit values whose length is a multiple of 4):
 * each invocation holds `ceil(cols / 4 / perRow)` vectors, 16-byte loads and stores.
 */
function heldRowsShader4(type: string, rows: number, cols: number, columns: number, perRow: number, inPlace: boolean, subgroups: boolean): string {
  const header = combineHeader(subgroups);
  const cols4 = cols / 4;
  const held = Math.ceil(cols4 / perRow);
  const source = inPlace ? 'out' : 'x';
  const lowest = identity('max', type);
  const vec = `vec4<${type}>`;
  const each = (line: (k: number) => string) => Array.from({ length: held }, (_, k) => line(k)).join('\n');
  return `${header.enable}${enables(type)}${inPlace ? '' : `@group(0) @binding(1) var<storage, read> x: array<${vec}>;\n`}@group(0) @binding(0) var<storage, read_write> out: array<${vec}>;
var<workgroup> scratch: array<${type}, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32${header.params}) {
  let row = ${flatGroup(columns)} * ${WORKGROUP / perRow}u + lid / ${perRow}u;
  let lane = lid % ${perRow}u;
  let width = select(0u, ${cols4}u, ${rows}u > row);
  let base = select(0u, row * ${cols4}u, ${rows}u > row);
  var largest = ${lowest};
${each((k) => `  let c${k} = lane + ${k * perRow}u;\n  var v${k} = ${vec}(${lowest});\n  if (c${k} < width) { v${k} = ${source}[base + c${k}]; }\n  largest = max(largest, max(max(v${k}.x, v${k}.y), max(v${k}.z, v${k}.w)));`)}
  var rowMax: ${type};
  {
    let partial = largest;
${workgroupCombine('max', type, perRow, subgroups)}
    rowMax = total;
  }
  var own = ${type}(0);
${each((k) => `  if (c${k} < width) { v${k} = exp(v${k} - ${vec}(rowMax)); own += (v${k}.x + v${k}.y) + (v${k}.z + v${k}.w); }`)}
  var sum: ${type};
  {
    let partial = own;
${workgroupCombine('sum', type, perRow, subgroups)}
    sum = total;
  }
  let inverse = ${type}(1) / sum;
${each((k) => `  if (c${k} < width) { out[base + c${k}] = v${k} * inverse; }`)}
}
`;
}

/**
 * Softmax of rows up to `perRow * MAX_HELD` long: `perRow` invocations per row (several rows per
 * workgroup), each reading its share of the row once into registers; the maximum and the sum are
 * combined across the row's invocations, and each value is written once. 2n of memory traffic.
 */
function heldRowsShader(type: string, rows: number, cols: number, columns: number, perRow: number, inPlace: boolean, subgroups: boolean): string {
  const header = combineHeader(subgroups);
  const held = Math.ceil(cols / perRow);
  const source = inPlace ? 'out' : 'x';
  const lowest = identity('max', type);
  // Unrolled into scalars, so that the held values live in registers whatever the compiler does with arrays.
  const each = (line: (k: number) => string) => Array.from({ length: held }, (_, k) => line(k)).join('\n');
  return `${header.enable}${enables(type)}${inPlace ? '' : `@group(0) @binding(1) var<storage, read> x: array<${type}>;\n`}@group(0) @binding(0) var<storage, read_write> out: array<${type}>;
var<workgroup> scratch: array<${type}, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32${header.params}) {
  let row = ${flatGroup(columns)} * ${WORKGROUP / perRow}u + lid / ${perRow}u;
  let lane = lid % ${perRow}u;
  let width = select(0u, ${cols}u, ${rows}u > row);
  let base = select(0u, row * ${cols}u, ${rows}u > row);
  var largest = ${lowest};
${each((k) => `  let c${k} = lane + ${k * perRow}u;\n  var v${k} = ${lowest};\n  if (c${k} < width) { v${k} = ${source}[base + c${k}]; }\n  largest = max(largest, v${k});`)}
  var rowMax: ${type};
  {
    let partial = largest;
${workgroupCombine('max', type, perRow, subgroups)}
    rowMax = total;
  }
  var own = ${type}(0);
${each((k) => `  if (c${k} < width) { v${k} = exp(v${k} - rowMax); own += v${k}; }`)}
  var sum: ${type};
  {
    let partial = own;
${workgroupCombine('sum', type, perRow, subgroups)}
    sum = total;
  }
  let inverse = ${type}(1) / sum;
${each((k) => `  if (c${k} < width) { out[base + c${k}] = v${k} * inverse; }`)}
}
`;
}

/**
 * Softmax along the rows of a row-major `[rows, cols]` matrix:
 * `out[r, c] = exp(x[r, c] - max_r) / Σ_c' exp(x[r, c'] - max_r)`. Subtracting the row maximum
 * keeps `exp` from overflowing, so large logits give the right answer instead of NaN. Rows of
 * up to 4,096 values are read once into registers (64 or 256 invocations per row) and written
 * once; longer rows take three passes in one workgroup per row. `out` may be `x` (in place).
 */
export class OpSoftmax extends KernelOp {
  constructor(x: Tensor, out: Tensor, options: SoftmaxOptions = {}) {
    const context = contextOf('OpSoftmax', { x, out });
    checkOptions('options', options, { shape: anyValue, subgroups: booleanValue });
    checkDTypeIn('OpSoftmax', 'x', x, ['f32', 'f16']);
    if (out.dtype !== x.dtype) throw new DTypeError('out', `OpSoftmax writes ${x.dtype} values but out (${out.label}) is ${out.dtype}`, `pass ${withArticle(x.dtype)} tensor`);
    const [rows, cols] = options.shape === undefined ? [1, x.size] : checkShape2D('OpSoftmax', 'options.shape', options.shape, x);
    if (out.size !== x.size) checkShape2D('OpSoftmax', 'out', [rows, cols], out);
    const type = wgslType(x.dtype);
    const inPlace = out === x;
    const bound = inPlace ? [out] : [out, x];
    const label = `OpSoftmax(${x.label})`;
    // Rows short enough to hold in registers: one read and one write per value.
    const perRow = cols > 64 * MAX_HELD ? WORKGROUP : 64;
    if (cols <= perRow * MAX_HELD) {
      const subgroups = useSubgroups(context.features, type, options.subgroups);
      const { workgroup, columns } = grid(context, Math.ceil(rows / (WORKGROUP / perRow)));
      const shader = type === 'f32' && cols % 4 === 0 ? heldRowsShader4 : heldRowsShader;
      super([{ algorithm: kernelAlgorithm(context, bound, shader(type, rows, cols, columns, perRow, inPlace, subgroups), workgroup, label) }]);
      return;
    }
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
    super([{ algorithm: kernelAlgorithm(context, bound, wgsl, workgroup, label) }]);
  }

  get name(): string {
    return 'OpSoftmax';
  }
}
