import { adapterInfoOf } from '../core/adapter-info.js';
import type { DeviceContext } from '../core/device-context.js';
import { enables } from './kernel-op.js';
import { WORKGROUP } from './grid.js';
import { packedStateWgsl } from './packed-state.js';
import { combine, combineHeader, identity, type ReduceOp } from './reduce-ops.js';

/**
 * Whether the device's GPU keeps a workgroup that has started running while others wait on it,
 * which the look-back needs (WebGPU does not promise it): the desktop vendors' GPUs and the CPU
 * drivers we test on. Mobile and Apple GPUs, and adapters that do not say, get three passes.
 */
export function keepsWorkgroupsRunning(context: DeviceContext): boolean {
  const info = adapterInfoOf(context.device);
  if (!info) return false;
  const vendor = info.vendor.toLowerCase();
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return vendor === 'nvidia' || vendor === 'amd' || vendor === 'intel' || /llvmpipe|lavapipe|swiftshader/.test(text);
}

/**
 * Elements each invocation of the single-pass scan owns; a tile is WORKGROUP of them. Striped
 * (vectors): 32, blocked (scalars): 16, the best of 8, 16 and 32 each way on an H100
 * (bench/probes/scan-variants.ts, 256 MB of f32: striped 1,897-2,003 GB/s at 32, 1,686-1,812 at
 * 16, about 1,050 at 8; blocked 926-1,576 at 16, less at 8 and 32).
 */
export function lookBackItems(striped: boolean): number {
  return striped ? 32 : 16;
}
/** Tiles one round of the look-back reads at once. */
const WINDOW = 32;

/**
 * The tiles of a single-pass scan of `n` elements, the workgroups its dispatch has (the power of
 * two at or above the tiles: see {@link lookBackScanShader}), and the words of its state buffer:
 * two per tile, then the ticket counter.
 */
export function lookBackTiles(n: number, items: number): { tiles: number; groups: number; stateWords: number } {
  const tiles = Math.ceil(n / (WORKGROUP * items));
  return { tiles, groups: 2 ** Math.ceil(Math.log2(tiles)), stateWords: 2 * tiles + 1 };
}

/** Workgroup counts over x and y for `groups` (a power of two) workgroups. */
export function lookBackGrid(groups: number, maxPerDimension: number): [number, number] {
  let columns = groups;
  while (columns > maxPerDimension) columns /= 2;
  return [columns, groups / columns];
}

/** What a single-pass scan shader is generated for. */
export interface LookBackShape {
  /** The WGSL element type. */
  type: string;
  /** Elements scanned. */
  n: number;
  op: ReduceOp;
  exclusive: boolean;
  /** `out` for a scan in place: each invocation loads all its elements before it writes. */
  source: 'x' | 'out';
  /** Elements travel as `vec4` (n a multiple of 4, 32-bit type). */
  vec4: boolean;
  subgroups: boolean;
  /**
   * Whether an invocation's elements lie a workgroup's width apart (striped: each load of the
   * workgroup reads consecutive memory) rather than side by side (blocked: one load instruction of
   * a subgroup spans all its invocations' runs). Default: striped for vectors; scalars are always
   * blocked (striped keeps every element's offset in workgroup memory: 16 KB for 16 scalars an
   * invocation, too much beside the rest).
   */
  striped?: boolean;
  /** Elements an invocation owns (a multiple of 4 with vectors); default {@link lookBackItems}. */
  items?: number;
}

/**
 * A prefix scan in one pass, by decoupled look-back: each workgroup takes a ticket from an atomic
 * counter, whose order gives its tile (so every earlier tile belongs to a workgroup already
 * running), scans the tile, publishes its total, then reads what the tiles before it published,
 * {@link WINDOW} at a time, combining totals until one tile shows its inclusive prefix; it
 * publishes its own inclusive prefix and writes its outputs. It reads x once and writes out once
 * (the three-pass scan reads x twice).
 *
 * Nothing is cleared between scans: the dispatch has a power-of-two count of workgroups (those
 * past the last tile return at once), so each scan takes exactly that many tickets and a ticket
 * tells both its tile (the low bits) and which scan it belongs to (the high bits, counted modulo
 * 2^14, which the 32-bit counter's wrap keeps in step). A tile's state travels as
 * {@link packedStateWgsl} writes it, its flag that scan number beside the kind (1: the tile's
 * total, 2: its inclusive prefix); a state from the scan before reads as not yet published. The
 * state buffer starts zeroed, as every new buffer does.
 */
export function lookBackScanShader(shape: LookBackShape): string {
  const { type, n, op, exclusive, source, vec4, subgroups } = shape;
  const striped = vec4 && (shape.striped ?? true);
  const items = shape.items ?? lookBackItems(striped);
  const { tiles, groups } = lookBackTiles(n, items);
  const groupBits = Math.log2(groups);
  const id = identity(op, type);
  const c = (x: string, y: string) => combine(op, x, y);
  const count = vec4 ? n / 4 : n;
  const per = vec4 ? items / 4 : items;
  // WGSL has subgroup scans for addition only.
  const header = combineHeader(subgroups && op === 'sum');
  const element = vec4 ? `vec4<${type}>` : type;
  const fill = vec4 ? `vec4<${type}>(${id})` : id;
  const k = Array.from({ length: per }, (_, i) => i);
  const at = (i: number) => (striped ? `first + ${i * WORKGROUP}u` : `first + ${i}u`);
  const loads = k.map((i) => `  var v${i} = ${fill};\n  if (${at(i)} < ${count}u) { v${i} = ${source}[${at(i)}]; }`).join('\n');
  const lastOf = (i: number) => (vec4 ? `v${i}.w` : `v${i}`);
  const inner = (i: number) => (vec4 ? `  v${i}.y = ${c(`v${i}.x`, `v${i}.y`)}; v${i}.z = ${c(`v${i}.y`, `v${i}.z`)}; v${i}.w = ${c(`v${i}.z`, `v${i}.w`)};\n` : '');
  // Blocked: inclusive along the invocation's run, within each vector, then each vector from the
  // one before. Striped: within each vector; the vectors' totals go through workgroup memory,
  // where each invocation scans a run of consecutive ones (exclusive, in place).
  const scans = striped
    ? `${k.map((i) => `${inner(i)}  runs[${i * WORKGROUP}u + lid] = ${lastOf(i)};\n`).join('')}  workgroupBarrier();
  var mine = ${id};
  for (var j = 0u; j < ${per}u; j++) {
    let total = runs[lid * ${per}u + j];
    runs[lid * ${per}u + j] = mine;
    mine = ${c('mine', 'total')};
  }
`
    : `${k.map((i) => inner(i) + (i === 0 ? '' : vec4 ? `  v${i} = ${c(`vec4<${type}>(${lastOf(i - 1)})`, `v${i}`)};\n` : `  v${i} = ${c(lastOf(i - 1), `v${i}`)};\n`)).join('')}  let mine = ${lastOf(per - 1)};
`;
  // Striped: every vector's offset within the tile, read back by the invocation that owns the vector.
  const offsets = striped
    ? `  for (var j = 0u; j < ${per}u; j++) { runs[lid * ${per}u + j] = ${c('before', `runs[lid * ${per}u + j]`)}; }
  workgroupBarrier();
`
    : '';
  // Outputs: inclusive `offset ⊕ v`, exclusive `offset ⊕ (the element before)`.
  const stores = k
    .map((i) => {
      const offset = striped ? `${c('prefix', `runs[${i * WORKGROUP}u + lid]`)}` : 'before';
      const previous = striped || i === 0 ? id : lastOf(i - 1);
      // Scalars are always blocked.
      const value = vec4
        ? exclusive
          ? `${c(`vec4<${type}>(${offset})`, `vec4<${type}>(${previous}, v${i}.x, v${i}.y, v${i}.z)`)}`
          : c(`vec4<${type}>(${offset})`, `v${i}`)
        : exclusive
          ? c('before', previous)
          : c('before', `v${i}`);
      return `  if (${at(i)} < ${count}u) { out[${at(i)}] = ${value}; }`;
    })
    .join('\n');
  const bindings = [`@group(0) @binding(0) var<storage, read_write> out: array<${element}>;`, '@group(0) @binding(1) var<storage, read_write> state: array<atomic<u32>>;'];
  if (source === 'x') bindings.push(`@group(0) @binding(2) var<storage, read> x: array<${element}>;`);
  return `${header.enable}${enables(type)}${bindings.join('\n')}
var<workgroup> tileOf: u32;
var<workgroup> totals: array<${type}, ${WORKGROUP}>;
var<workgroup> seenFlag: array<u32, ${WINDOW}>;
var<workgroup> seenValue: array<${type}, ${WINDOW}>;
var<workgroup> nextEnd: u32;
var<workgroup> prefixShared: ${type};
${striped ? `var<workgroup> runs: array<${type}, ${per * WORKGROUP}>;\n` : ''}const DONE = 0xffffffffu;

${packedStateWgsl(type)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_index) lid: u32${header.params}) {
  if (lid == 0u) { tileOf = atomicAdd(&state[${2 * tiles}u], 1u); }
  let ticket = workgroupUniformLoad(&tileOf);
  let t = ticket & ${groups - 1}u;
  // The flags of this scan's states: its number beside the kind (in the low 2 bits).
  let scan = ((ticket >> ${groupBits}u) & 0x3fffu) << 2u;
  // Workgroups the grid adds past the last tile take the highest numbers: nothing waits for them.
  if (t >= ${tiles}u) { return; }
  let first = ${striped ? `t * ${per * WORKGROUP}u + lid` : `(t * ${WORKGROUP}u + lid) * ${per}u`};
${loads}
${scans}${header.enable ? subgroupTotals(type) : portableTotals(op, type)}${offsets}  if (lid == 0u) {
    publishState(t, scan | select(1u, 2u, t == 0u), aggregate);
    nextEnd = t;
    prefixShared = ${id};
  }
  // Look back: tiles [end - ${WINDOW}, end) are read at once, nearest first.
  loop {
    let end = workgroupUniformLoad(&nextEnd);
    if (end == DONE || end == 0u) { break; }
    if (lid < ${WINDOW}u) {
      var flag = 0u;
      var value = ${id};
      if (lid < end) {
        let seen = readState(end - 1u - lid);
        flag = select(0u, seen.flag & 3u, (seen.flag & ~3u) == scan);
        value = seen.value;
      }
      seenFlag[lid] = flag;
      seenValue[lid] = value;
    }
    workgroupBarrier();
    if (lid == 0u) {
      // Combine nearest first up to a tile not yet published (read again next round) or an inclusive prefix (done).
      var p = prefixShared;
      var next = end;
      for (var k = 0u; k < ${WINDOW}u && k < end; k++) {
        let f = seenFlag[k];
        if (f == 0u) { break; }
        p = ${c('seenValue[k]', 'p')};
        next = end - k - 1u;
        if (f == 2u) { next = DONE; break; }
      }
      prefixShared = p;
      nextEnd = next;
    }
  }
  let prefix = workgroupUniformLoad(&prefixShared);
  if (lid == 0u && t > 0u) { publishState(t, scan | 2u, ${c('prefix', 'aggregate')}); }
${striped ? '' : `  before = ${c('prefix', 'before')};\n`}${stores}
}
`;
}

/** `before` (the combined totals of the invocations before this one) and `aggregate` (the tile's), by Hillis–Steele over `totals`. */
function portableTotals(op: ReduceOp, type: string): string {
  return `  totals[lid] = mine;
  workgroupBarrier();
  for (var s = 1u; s < ${WORKGROUP}u; s <<= 1u) {
    var other = ${identity(op, type)};
    if (lid >= s) { other = totals[lid - s]; }
    workgroupBarrier();
    totals[lid] = ${combine(op, 'other', 'totals[lid]')};
    workgroupBarrier();
  }
  let aggregate = totals[${WORKGROUP - 1}u];
  var before = ${identity(op, type)};
  if (lid > 0u) { before = totals[lid - 1u]; }
`;
}

/** The same for sums, by subgroup scans and then the subgroups' totals in turn. */
function subgroupTotals(type: string): string {
  return `  let inSubgroup = subgroupExclusiveAdd(mine);
  if (sgid == sgsize - 1u) { totals[lid / sgsize] = inSubgroup + mine; }
  workgroupBarrier();
  var before = inSubgroup;
  for (var j = 0u; j < lid / sgsize; j++) { before += totals[j]; }
  var aggregate = ${type}();
  for (var j = 0u; j < ${WORKGROUP}u / sgsize; j++) { aggregate += totals[j]; }
`;
}
