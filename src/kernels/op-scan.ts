import { anyValue, booleanValue, checkOptions, withArticle } from '../core/options.js';
import { ArgumentError, DTypeError } from '../errors.js';
import type { DeviceContext } from '../core/device-context.js';
import { wgslType } from '../memory/dtype.js';
import type { Tensor } from '../memory/tensor.js';
import { checkDTypeIn, contextOf, enables, KernelOp, kernelAlgorithm, scratchTensor, type KernelStep } from './kernel-op.js';
import { flatGroup, grid, vec4Eligible, WORKGROUP } from './grid.js';
import { checkOp, combine, combineHeader, identity, type ReduceOp, useSubgroups, workgroupCombine } from './reduce-ops.js';
import { checkSize } from './shape.js';
import { keepsWorkgroupsRunning, lookBackGrid, lookBackItems, lookBackScanShader, lookBackTiles } from './scan-look-back.js';

/** Options of {@link OpScan}. */
export interface ScanOptions {
  /** `sum` (default), `max` or `min`. */
  readonly op?: ReduceOp;
  /** Exclusive: `out[i]` combines `x[0..i)` (out[0] is the identity); default inclusive, `x[0..i]`. */
  readonly exclusive?: boolean;
  /** Use subgroup operations (default: when the device has the `subgroups` feature); `false` forces the portable path. */
  readonly subgroups?: boolean;
  /**
   * Blocks of 2,048 elements each workgroup scans in turn, carrying the running total (for tuning;
   * default 1). More blocks per workgroup mean fewer workgroups and block totals; whether that is
   * faster is measured by the bench's optional `scan-tiles4` and `scan-tiles16` workloads.
   */
  readonly blockTiles?: number;
  /**
   * Scan in one pass by decoupled look-back (reads x once; the three-pass reduce-then-scan reads
   * it twice). Its workgroups wait on the ones before them, which needs a GPU that keeps running
   * workgroups that have started; default: on NVIDIA, AMD and Intel GPUs and on CPU drivers
   * (lavapipe, SwiftShader), three passes elsewhere. `false` forces three passes.
   */
  readonly lookBack?: boolean;
}

/** Elements each thread scans; a workgroup scans a block of WORKGROUP × ITEMS elements. */
const ITEMS = 8;
const BLOCK = WORKGROUP * ITEMS;

/** Shared-memory index with one pad word every 32, so the per-thread runs hit distinct banks. */
const pad = (p: string) => `((${p}) + ((${p}) >> 5u))`;

/** Reduces each block of `x` into `sums[blockId]` (the first pass of reduce-then-scan). */
function blockSumsShader(type: string, n: number, blocks: number, columns: number, op: ReduceOp, source: 'x' | 'out', subgroups: boolean, tiles: number, vec4: boolean): string {
  const header = combineHeader(subgroups);
  const element = vec4 ? `vec4<${type}>` : type;
  // With vec4s: each thread reads ITEMS / 4 vectors per block, WORKGROUP apart (16-byte loads).
  const loop = vec4
    ? `  for (var k = 0u; k < ${(ITEMS / 4) * tiles}u; k++) {
    let q = base / 4u + k * ${WORKGROUP}u + lid;
    if (valid && q < ${n / 4}u) {
      let v = ${source}[q];
      partial = ${combine(op, 'partial', combine(op, combine(op, 'v.x', 'v.y'), combine(op, 'v.z', 'v.w')))};
    }
  }`
    : `  for (var k = 0u; k < ${ITEMS * tiles}u; k++) {
    let i = base + k * ${WORKGROUP}u + lid;
    if (valid && i < ${n}u) { partial = ${combine(op, 'partial', `${source}[i]`)}; }
  }`;
  return `${header.enable}${enables(type)}@group(0) @binding(0) var<storage, read_write> out: array<${element}>;
@group(0) @binding(1) var<storage, read_write> sums: array<${type}>;
${source === 'x' ? `@group(0) @binding(2) var<storage, read> x: array<${element}>;\n` : ''}var<workgroup> scratch: array<${type}, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32${header.params}) {
  let blockId = ${flatGroup(columns)};
  let valid = ${blocks}u > blockId;
  let base = blockId * ${BLOCK * tiles}u;
  var partial = ${identity(op, type)};
${loop}
${workgroupCombine(op, type, WORKGROUP, subgroups)}
  if (lid == 0u && valid) { sums[blockId] = total; }
}
`;
}

/**
 * Scans each block of `source` into `out`, starting from `offsets[blockId]` (the combined value of
 * every earlier block) when there are several blocks.
 */
function blockScanShader(
  type: string,
  n: number,
  blocks: number,
  columns: number,
  op: ReduceOp,
  exclusive: boolean,
  source: 'x' | 'out',
  withOffsets: boolean,
  subgroups: boolean,
  tiles: number,
  vec4: boolean,
): string {
  const id = identity(op, type);
  const element = vec4 ? `vec4<${type}>` : type;
  // WGSL has subgroup inclusive scans for addition only; max and min take the portable path.
  const header = combineHeader(subgroups && op === 'sum');
  const bindings = [`@group(0) @binding(0) var<storage, read_write> out: array<${element}>;`];
  let next = 1;
  if (withOffsets) bindings.push(`@group(0) @binding(${next++}) var<storage, read> offsets: array<${type}>;`);
  if (source === 'x') bindings.push(`@group(0) @binding(${next++}) var<storage, read> x: array<${element}>;`);
  // Loads into and stores out of the tile: one element per access, or (vec4) four, WORKGROUP vectors apart.
  const load = vec4
    ? `  for (var k = 0u; k < ${ITEMS / 4}u; k++) {
    let q = k * ${WORKGROUP}u + lid;
    let i = base / 4u + q;
    var v = vec4<${type}>(${id});
    if (valid && i < ${n / 4}u) { v = ${source}[i]; }
    let p = 4u * q;
    tile[${pad('p')}] = v.x;
    tile[${pad('p + 1u')}] = v.y;
    tile[${pad('p + 2u')}] = v.z;
    tile[${pad('p + 3u')}] = v.w;
  }`
    : `  for (var k = 0u; k < ${ITEMS}u; k++) {
    let p = k * ${WORKGROUP}u + lid;
    let i = base + p;
    var v = ${id};
    if (valid && i < ${n}u) { v = ${source}[i]; }
    tile[${pad('p')}] = v;
  }`;
  const store = vec4
    ? `  for (var k = 0u; k < ${ITEMS / 4}u; k++) {
    let q = k * ${WORKGROUP}u + lid;
    let i = base / 4u + q;
    if (valid && i < ${n / 4}u) {
      let p = 4u * q;
${
  exclusive
    ? `      var first = offset;
      if (p > 0u) { first = tile[${pad('p - 1u')}]; }
      out[i] = vec4<${type}>(first, tile[${pad('p')}], tile[${pad('p + 1u')}], tile[${pad('p + 2u')}]);`
    : `      out[i] = vec4<${type}>(tile[${pad('p')}], tile[${pad('p + 1u')}], tile[${pad('p + 2u')}], tile[${pad('p + 3u')}]);`
}
    }
  }`
    : `  for (var k = 0u; k < ${ITEMS}u; k++) {
    let p = k * ${WORKGROUP}u + lid;
    let i = base + p;
    if (valid && i < ${n}u) {
${exclusive ? `      var v = offset;\n      if (p > 0u) { v = tile[${pad('p - 1u')}]; }\n      out[i] = v;` : `      out[i] = tile[${pad('p')}];`}
    }
  }`;
  const threadScan = header.enable
    ? `  // Subgroup scans of the per-thread totals, then the subgroups' totals in turn.
  let inclusive = subgroupInclusiveAdd(run);
  if (sgid == sgsize - 1u) { totals[lid / sgsize] = inclusive; }
  workgroupBarrier();
  var before = ${id};
  for (var j = 0u; j < lid / sgsize; j++) { before += totals[j]; }
  let prefix = offset + before + inclusive - run;
  var tileTotal = ${id};
  for (var j = 0u; j < ${WORKGROUP}u / sgsize; j++) { tileTotal += totals[j]; }`
    : `  totals[lid] = run;
  workgroupBarrier();
  // Inclusive scan of the per-thread totals (Hillis–Steele).
  for (var s = 1u; s < ${WORKGROUP}u; s <<= 1u) {
    var v = ${id};
    if (lid >= s) { v = totals[lid - s]; }
    workgroupBarrier();
    totals[lid] = ${combine(op, 'v', 'totals[lid]')};
    workgroupBarrier();
  }
  var prefix = offset;
  if (lid > 0u) { prefix = ${combine(op, 'offset', 'totals[lid - 1u]')}; }
  let tileTotal = totals[${WORKGROUP - 1}u];`;
  return `${header.enable}${enables(type)}${bindings.join('\n')}
var<workgroup> tile: array<${type}, ${BLOCK + BLOCK / 32}>;
var<workgroup> totals: array<${type}, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32${header.params}) {
  let blockId = ${flatGroup(columns)};
  let valid = ${blocks}u > blockId;
  // The running total before the current block: the earlier workgroups' total, then this one's blocks.
  var offset = ${withOffsets ? `select(${id}, offsets[blockId], valid)` : id};
  for (var t = 0u; t < ${tiles}u; t++) {
  let base = (blockId * ${tiles}u + t) * ${BLOCK}u;
  // Coalesced loads into scratch memory.
${load}
  workgroupBarrier();
  // Each thread scans its ${ITEMS} consecutive elements.
  var run = ${id};
  for (var k = 0u; k < ${ITEMS}u; k++) {
    let p = lid * ${ITEMS}u + k;
    run = ${combine(op, 'run', `tile[${pad('p')}]`)};
    tile[${pad('p')}] = run;
  }
${threadScan}
  for (var k = 0u; k < ${ITEMS}u; k++) {
    let p = lid * ${ITEMS}u + k;
    tile[${pad('p')}] = ${combine(op, 'prefix', `tile[${pad('p')}]`)};
  }
  workgroupBarrier();
${store}
  offset = ${combine(op, 'offset', 'tileTotal')};
  // The next block reuses tile and totals.
  workgroupBarrier();
  }
}
`;
}

/** The dispatch of a single-pass scan, with the tiles' states as its scratch. */
function lookBackSteps(context: DeviceContext, x: Tensor, out: Tensor, op: ReduceOp, exclusive: boolean, label: string, vec4: boolean, subgroups: boolean): KernelStep[] {
  const { groups, stateWords } = lookBackTiles(x.size, lookBackItems(vec4));
  const state = scratchTensor(context, 'u32', stateWords, `${label} tile states`);
  const source = x === out ? 'out' : 'x';
  return [
    {
      algorithm: kernelAlgorithm(
        context,
        [out, state, ...(source === 'x' ? [x] : [])],
        lookBackScanShader({ type: wgslType(x.dtype), n: x.size, op, exclusive, source, vec4, subgroups }),
        lookBackGrid(groups, context.limits.maxComputeWorkgroupsPerDimension),
        label,
      ),
      scratch: [state],
    },
  ];
}

/** The dispatches of a scan of `x` (or of `out` in place) into `out`. */
function scanSteps(context: DeviceContext, x: Tensor, out: Tensor, op: ReduceOp, exclusive: boolean, label: string, subgroups: boolean, requestedTiles?: number, lookBack = false): KernelStep[] {
  const type = wgslType(x.dtype);
  const n = x.size;
  const source = x === out ? 'out' : 'x';
  const inputs = source === 'x' ? [x] : [];
  const tiles = Math.min(requestedTiles ?? 1, Math.ceil(n / BLOCK));
  const blocks = Math.ceil(n / (BLOCK * tiles));
  // 16-byte accesses where every element is 32-bit and the length a multiple of 4 (block bases are multiples of 4).
  const vec4 = vec4Eligible(n, [x.dtype]);
  if (blocks === 1) {
    return [{ algorithm: kernelAlgorithm(context, [out, ...inputs], blockScanShader(type, n, 1, 1, op, exclusive, source, false, subgroups, tiles, vec4), [1], label) }];
  }
  if (lookBack) return lookBackSteps(context, x, out, op, exclusive, label, vec4, subgroups);
  // Reduce, then scan: the totals of each workgroup's blocks, an exclusive scan of the totals
  // (recursively), then each workgroup scans its blocks again from its offset. Reads x twice and
  // writes out once.
  const sums = scratchTensor(context, x.dtype, blocks, `${label} block sums`);
  const { workgroup, columns } = grid(context, blocks);
  return [
    { algorithm: kernelAlgorithm(context, [out, sums, ...inputs], blockSumsShader(type, n, blocks, columns, op, source, subgroups, tiles, vec4), workgroup, `${label} block sums`), scratch: [sums] },
    ...scanSteps(context, sums, sums, op, true, `${label} offsets`, subgroups),
    { algorithm: kernelAlgorithm(context, [out, sums, ...inputs], blockScanShader(type, n, blocks, columns, op, exclusive, source, true, subgroups, tiles, vec4), workgroup, `${label} blocks`) },
  ];
}

/**
 * A prefix scan on the GPU, of any length: inclusive `out[i] = x[0] ⊕ … ⊕ x[i]` or exclusive
 * `out[i] = x[0] ⊕ … ⊕ x[i-1]`, with ⊕ one of sum, max, min. Tensors over one block (2,048
 * elements) scan in one pass by decoupled look-back where the GPU allows it (see
 * {@link ScanOptions.lookBack}), else in three (reduce, scan the block totals, scan again), through
 * scratch tensors that the manager owns (they show in `mgr.memory()`). `out` may be `x` (in place).
 *
 * ```ts
 * new OpScan(x, prefix);                        // inclusive prefix sum
 * new OpScan(x, offsets, { exclusive: true });  // exclusive: offsets[0] = 0
 * ```
 */
export class OpScan extends KernelOp {
  constructor(x: Tensor, out: Tensor, options: ScanOptions = {}) {
    const context = contextOf('OpScan', { x, out });
    checkOptions('options', options, { op: anyValue, exclusive: booleanValue, subgroups: booleanValue, blockTiles: anyValue, lookBack: booleanValue });
    const op = options.op ?? 'sum';
    checkOp('OpScan', op, ['sum', 'max', 'min'] as const);
    checkDTypeIn('OpScan', 'x', x, ['f32', 'i32', 'u32', 'f16']);
    if (out.dtype !== x.dtype) throw new DTypeError('out', `OpScan writes ${x.dtype} values but out (${out.label}) is ${out.dtype}`, `pass ${withArticle(x.dtype)} tensor`);
    checkSize('OpScan', 'out', out, x.size, 'one value per input element');
    const tiles = options.blockTiles;
    if (tiles !== undefined && (!Number.isInteger(tiles) || tiles < 1 || tiles > 64)) {
      throw new ArgumentError('options.blockTiles', `OpScan expects blockTiles to be an integer in [1, 64], got ${String(tiles)}`, 'leave it out for the default');
    }
    // blockTiles tunes the three-pass scan, so asking for it asks for that scan.
    const lookBack = options.lookBack ?? (tiles === undefined && keepsWorkgroupsRunning(context));
    super(scanSteps(context, x, out, op, options.exclusive === true, `OpScan(${op}, ${x.label})`, useSubgroups(context.features, wgslType(x.dtype), options.subgroups), tiles, lookBack));
  }

  get name(): string {
    return 'OpScan';
  }
}
