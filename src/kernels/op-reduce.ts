import { anyValue, booleanValue, checkOptions, withArticle } from '../core/options.js';
import { ArgumentError, DTypeError } from '../errors.js';
import type { DeviceContext } from '../core/device-context.js';
import { wgslType } from '../memory/dtype.js';
import type { Tensor } from '../memory/tensor.js';
import { checkDTypeIn, contextOf, enables, KernelOp, kernelAlgorithm, scratchTensor, type KernelStep } from './kernel-op.js';
import { flatGroup, grid, WORKGROUP } from './grid.js';
import { checkOp, combine, combineHeader, identity, type ReduceOp, type Reduction, useSubgroups, workgroupCombine } from './reduce-ops.js';
import { packedStateWgsl } from './packed-state.js';
import { checkShape2D, checkSize } from './shape.js';

/** Options of {@link OpReduce}. */
export interface ReduceOptions {
  /** `sum` (default), `max`, `min` or `mean` (f32/f16 only). */
  readonly op?: Reduction;
  /** Reduce along this axis of `shape` (0: down the columns, 1: along each row); default the whole tensor. */
  readonly axis?: 0 | 1;
  /** `[rows, cols]`, row-major; needed with `axis`. */
  readonly shape?: readonly [number, number];
  /** Use subgroup operations (default: when the device has the `subgroups` feature); `false` forces the portable path. */
  readonly subgroups?: boolean;
  /**
   * A whole-tensor reduction in one dispatch (default): the last workgroup to finish combines the
   * others' totals. `false`: two dispatches, the second combining the first's partial results.
   */
  readonly onePass?: boolean;
}

/** Most workgroups of the first pass of a whole-tensor reduction: enough to fill a large GPU twice. */
const MAX_GROUPS = 2048;
/** Elements (or vec4s) each thread reads before the first pass adds another workgroup. */
const PER_THREAD = 16;

/**
 * One pass of a whole-tensor reduction: `groups` workgroups each reduce a grid-strided share of
 * `x` into `partials[group]`; with one workgroup, `partials` is the result (scaled by `scale`).
 * With `vec4`, `x` is read as vec4s (its size is a multiple of 4), which is what saturates memory.
 */
function reduceAllShader(type: string, n: number, groups: number, columns: number, vec4: boolean, op: ReduceOp, scale: string | null, subgroups: boolean, onePass = false): string {
  const header = combineHeader(subgroups);
  const element = vec4 ? `vec4<${type}>` : type;
  const count = vec4 ? n / 4 : n;
  const threads = groups * WORKGROUP;
  const id = identity(op, type);
  const start = vec4 ? `vec4<${type}>(${id})` : id;
  const lanes = vec4 ? combine(op, combine(op, 'acc.x', 'acc.y'), combine(op, 'acc.z', 'acc.w')) : 'acc';
  const result = scale ? `total * ${scale}` : 'total';
  const output = onePass
    ? `@group(0) @binding(1) var<storage, read_write> out: array<${type}>;
@group(0) @binding(2) var<storage, read_write> state: array<atomic<u32>>;
var<workgroup> last: u32;
${packedStateWgsl(type)}`
    : `@group(0) @binding(1) var<storage, read_write> partials: array<${type}>;`;
  return `${header.enable}${enables(type)}@group(0) @binding(0) var<storage, read> x: array<${element}>;
${output}
var<workgroup> scratch: array<${type}, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32${header.params}) {
  let g = ${flatGroup(columns)};
  let stride = ${threads}u;
  var i = g * ${WORKGROUP}u + lid;
  var acc0 = ${start};
  var acc1 = ${start};
  var acc2 = ${start};
  var acc3 = ${start};
  // Four independent loads in flight per thread, then the remainder one at a time.
  while (i + 3u * stride < ${count}u) {
    acc0 = ${combine(op, 'acc0', 'x[i]')};
    acc1 = ${combine(op, 'acc1', 'x[i + stride]')};
    acc2 = ${combine(op, 'acc2', 'x[i + 2u * stride]')};
    acc3 = ${combine(op, 'acc3', 'x[i + 3u * stride]')};
    i += 4u * stride;
  }
  while (i < ${count}u) {
    acc0 = ${combine(op, 'acc0', 'x[i]')};
    i += stride;
  }
  let acc = ${combine(op, combine(op, 'acc0', 'acc1'), combine(op, 'acc2', 'acc3'))};
  let partial = ${lanes};
${workgroupCombine(op, type, WORKGROUP, subgroups)}
${onePass ? lastGroupCombines(type, groups, op, result, subgroups) : `  if (lid == 0u) { partials[g] = ${result}; }`}
}
`;
}

/**
 * The end of a one-pass reduction: each workgroup publishes its total and counts itself in; the
 * one that counts last combines every total (waiting for each to arrive: the count proves no
 * ordering under WGSL's relaxed atomics, the packed words do), writes the result and zeroes the
 * states and the count for the next dispatch.
 */
function lastGroupCombines(type: string, groups: number, op: ReduceOp, result: string, subgroups: boolean): string {
  return `  if (lid == 0u) {
    publishState(g, 1u, total);
    last = select(0u, 1u, atomicAdd(&state[${2 * groups}u], 1u) == ${groups - 1}u);
  }
  if (workgroupUniformLoad(&last) == 0u) { return; }
  {
    var partial = ${identity(op, type)};
    for (var k = lid; k < ${groups}u; k += ${WORKGROUP}u) {
      var seen = readState(k);
      loop {
        if (seen.flag == 1u) { break; }
        seen = readState(k);
      }
      partial = ${combine(op, 'partial', 'seen.value')};
    }
${workgroupCombine(op, type, WORKGROUP, subgroups)}
    if (lid == 0u) { out[0] = ${result}; }
  }
  for (var k = lid; k < ${2 * groups + 1}u; k += ${WORKGROUP}u) { atomicStore(&state[k], 0u); }`;
}

/** Most loads per invocation that {@link reduceRowsShader} unrolls. */
const UNROLL_ROW = 16;

/**
 * Reduces each row of a `[rows, cols]` matrix: `perRow` consecutive invocations per row (several
 * rows per workgroup when rows are short), reading vec4s when `cols` is a multiple of 4.
 */
function reduceRowsShader(type: string, rows: number, cols: number, columns: number, op: ReduceOp, scale: string | null, subgroups: boolean, perRow: number): string {
  const header = combineHeader(subgroups);
  const vec4 = cols % 4 === 0;
  const width = vec4 ? cols / 4 : cols;
  const element = vec4 ? `vec4<${type}>` : type;
  const read = vec4 ? combine(op, combine(op, 'v.x', 'v.y'), combine(op, 'v.z', 'v.w')) : 'v';
  const result = scale ? `total * ${scale}` : 'total';
  // Rows of at most UNROLL_ROW loads per invocation: every load issued before the first combine
  // (a constant trip count, unrolled into scalars); longer rows loop.
  const trips = Math.ceil(width / perRow);
  const fill = vec4 ? `vec4<${type}>(${identity(op, type)})` : identity(op, type);
  const loop =
    trips <= UNROLL_ROW
      ? Array.from({ length: trips }, (_, k) => `  let c${k} = lane + ${k * perRow}u;\n  var v${k} = ${fill};\n  if (c${k} < end) { v${k} = x[base + c${k}]; }`).join('\n') +
        '\n' +
        Array.from({ length: trips }, (_, k) => `  { let v = v${k}; partial = ${combine(op, 'partial', read)}; }`).join('\n')
      : `  for (var c = lane; c < end; c += ${perRow}u) {
    let v = x[base + c];
    partial = ${combine(op, 'partial', read)};
  }`;
  return `${header.enable}${enables(type)}@group(0) @binding(0) var<storage, read> x: array<${element}>;
@group(0) @binding(1) var<storage, read_write> out: array<${type}>;
var<workgroup> scratch: array<${type}, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32${header.params}) {
  let row = ${flatGroup(columns)} * ${WORKGROUP / perRow}u + lid / ${perRow}u;
  let lane = lid % ${perRow}u;
  let valid = ${rows}u > row;
  let base = select(0u, row * ${width}u, valid);
  let end = select(0u, ${width}u, valid);
  var partial = ${identity(op, type)};
${loop}
${workgroupCombine(op, type, perRow, subgroups)}
  if (lane == 0u && valid) { out[row] = ${result}; }
}
`;
}

/** Reduces each column of a `[rows, cols]` matrix: one thread per column, reads coalesced across threads. */
function reduceColumnsShader(type: string, rows: number, cols: number, columns: number, op: ReduceOp, scale: string | null): string {
  return `${enables(type)}@group(0) @binding(0) var<storage, read> x: array<${type}>;
@group(0) @binding(1) var<storage, read_write> out: array<${type}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = ${flatGroup(columns)} * ${WORKGROUP}u + lid;
  if (c >= ${cols}u) { return; }
  var acc = ${identity(op, type)};
  for (var r = 0u; r < ${rows}u; r++) { acc = ${combine(op, 'acc', `x[r * ${cols}u + c]`)}; }
  out[c] = ${scale ? `acc * ${scale}` : 'acc'};
}
`;
}

function scaleLiteral(type: string, count: number): string {
  return `${type}(${1 / count})`;
}

/** The dispatches of a whole-tensor reduction of `x` into the one-element `out`. */
function reduceAllSteps(context: DeviceContext, x: Tensor, out: Tensor, op: ReduceOp, mean: boolean, label: string, subgroups: boolean, onePass: boolean): KernelStep[] {
  const type = wgslType(x.dtype);
  const vec4 = x.dtype !== 'f16' && x.size % 4 === 0;
  const count = vec4 ? x.size / 4 : x.size;
  const groups = Math.max(1, Math.min(MAX_GROUPS, Math.ceil(count / (WORKGROUP * PER_THREAD))));
  const scale = mean ? scaleLiteral(type, x.size) : null;
  if (groups === 1) {
    return [{ algorithm: kernelAlgorithm(context, [x, out], reduceAllShader(type, x.size, 1, 1, vec4, op, scale, subgroups), [1], label) }];
  }
  const { workgroup, columns } = grid(context, groups);
  if (onePass) {
    const state = scratchTensor(context, 'u32', 2 * groups + 1, `${label} totals`);
    return [{ algorithm: kernelAlgorithm(context, [x, out, state], reduceAllShader(type, x.size, groups, columns, vec4, op, scale, subgroups, true), workgroup, label), scratch: [state] }];
  }
  const partials = scratchTensor(context, x.dtype, groups, `${label} partials`);
  return [
    { algorithm: kernelAlgorithm(context, [x, partials], reduceAllShader(type, x.size, groups, columns, vec4, op, null, subgroups), workgroup, `${label} pass 1`), scratch: [partials] },
    { algorithm: kernelAlgorithm(context, [partials, out], reduceAllShader(type, groups, 1, 1, false, op, scale, subgroups), [1], `${label} pass 2`) },
  ];
}

/**
 * A reduction on the GPU: the sum, maximum, minimum or mean of a whole tensor (into a tensor of
 * one element), or along an axis of a row-major `[rows, cols]` shape (axis 1: one value per row;
 * axis 0: one value per column). A whole-tensor reduction is one dispatch: its workgroups each
 * reduce a share, and the last to finish combines their totals, passed through a small scratch
 * tensor that the manager owns like any tensor (it shows in `mgr.memory()`); `onePass: false`
 * gives the two-dispatch form (partial results, then their reduction).
 *
 * ```ts
 * new OpReduce(x, total);                                          // total[0] = Σ x
 * new OpReduce(x, rowMax, { op: 'max', axis: 1, shape: [rows, cols] });
 * ```
 * Sums of f32 are added in a tree, so they differ from a sequential CPU sum by rounding only.
 */
export class OpReduce extends KernelOp {
  readonly op: Reduction;

  constructor(x: Tensor, out: Tensor, options: ReduceOptions = {}) {
    const context = contextOf('OpReduce', { x, out });
    checkOptions('options', options, { op: anyValue, axis: anyValue, shape: anyValue, subgroups: booleanValue, onePass: booleanValue });
    const op = options.op ?? 'sum';
    checkOp('OpReduce', op, ['sum', 'max', 'min', 'mean'] as const);
    checkDTypeIn('OpReduce', 'x', x, ['f32', 'i32', 'u32', 'f16']);
    if (out.dtype !== x.dtype) throw new DTypeError('out', `OpReduce writes ${x.dtype} values but out (${out.label}) is ${out.dtype}`, `pass ${withArticle(x.dtype)} tensor`);
    if (op === 'mean' && x.dtype !== 'f32' && x.dtype !== 'f16')
      throw new DTypeError('options.op', `mean needs floating-point values, ${x.label} is ${x.dtype}`, "use op 'sum' and divide, or convert to f32 with OpMap");
    const base: ReduceOp = op === 'mean' ? 'sum' : op;
    const type = wgslType(x.dtype);
    const label = `OpReduce(${op}, ${x.label})`;
    const subgroups = useSubgroups(context.features, type, options.subgroups);
    let steps: KernelStep[];
    if (options.axis === undefined) {
      if (options.shape !== undefined) checkShape2D('OpReduce', 'options.shape', options.shape, x);
      checkSize('OpReduce', 'out', out, 1, 'a whole-tensor reduction has one result');
      steps = reduceAllSteps(context, x, out, base, op === 'mean', label, subgroups, options.onePass !== false);
    } else {
      if (options.axis !== 0 && options.axis !== 1)
        throw new ArgumentError('options.axis', `OpReduce reduces along axis 0 or 1, got ${String(options.axis)}`, 'pass 0 (columns) or 1 (rows), or leave it out for the whole tensor');
      const [rows, cols] = checkShape2D('OpReduce', 'options.shape', options.shape, x);
      if (options.axis === 1) {
        checkSize('OpReduce', 'out', out, rows, 'one value per row');
        // Short rows share a workgroup (64 invocations each), so that each invocation reads several values.
        const perRow = cols >= 8 * WORKGROUP ? WORKGROUP : 64;
        const { workgroup, columns } = grid(context, Math.ceil(rows / (WORKGROUP / perRow)));
        const scale = op === 'mean' ? scaleLiteral(type, cols) : null;
        steps = [{ algorithm: kernelAlgorithm(context, [x, out], reduceRowsShader(type, rows, cols, columns, base, scale, subgroups, perRow), workgroup, label) }];
      } else {
        checkSize('OpReduce', 'out', out, cols, 'one value per column');
        const { workgroup, columns } = grid(context, Math.ceil(cols / WORKGROUP));
        const scale = op === 'mean' ? scaleLiteral(type, rows) : null;
        steps = [{ algorithm: kernelAlgorithm(context, [x, out], reduceColumnsShader(type, rows, cols, columns, base, scale), workgroup, label) }];
      }
    }
    super(steps);
    this.op = op;
  }

  get name(): string {
    return 'OpReduce';
  }
}
