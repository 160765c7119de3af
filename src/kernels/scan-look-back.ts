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

/** Elements each invocation of the single-pass scan owns (consecutive); a tile is WORKGROUP of them. */
export const LOOK_BACK_ITEMS = 16;
/** Tiles one round of the look-back reads at once. */
const WINDOW = 32;

/**
 * The tiles of a single-pass scan of `n` elements, and the words of its state buffer: two per
 * tile, then the tile counter.
 */
export function lookBackTiles(n: number, items = LOOK_BACK_ITEMS): { tiles: number; stateWords: number } {
  const tiles = Math.ceil(n / (WORKGROUP * items));
  return { tiles, stateWords: 2 * tiles + 1 };
}

/** Zeroes the first `words` words of `state` (before each single-pass scan: no tile is published, the counter is 0). */
export function clearStateShader(words: number, columns: number): string {
  return `@group(0) @binding(0) var<storage, read_write> state: array<u32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.x + wg.y * ${columns}u) * ${WORKGROUP}u + lid;
  if (i < ${words}u) { state[i] = 0u; }
}
`;
}

/**
 * A prefix scan in one pass, by decoupled look-back: each workgroup takes the next tile from an
 * atomic counter (so every earlier tile belongs to a workgroup already running), scans it,
 * publishes the tile's total, then reads what the tiles before it published, {@link WINDOW} at a
 * time, combining totals until one tile shows its inclusive prefix; it publishes its own
 * inclusive prefix and writes its outputs. It reads x once and writes out once (the three-pass
 * scan reads x twice).
 *
 * A tile's state travels as {@link packedStateWgsl} writes it: flag 1 for the tile's total, 2 for
 * its inclusive prefix.
 *
 * `source` is `out` for a scan in place: each invocation loads all its elements before it writes.
 */
export function lookBackScanShader(type: string, n: number, op: ReduceOp, exclusive: boolean, source: 'x' | 'out', vec4: boolean, subgroups: boolean, items = LOOK_BACK_ITEMS): string {
  const { tiles } = lookBackTiles(n, items);
  const id = identity(op, type);
  const c = (x: string, y: string) => combine(op, x, y);
  const count = vec4 ? n / 4 : n;
  const per = vec4 ? items / 4 : items;
  // WGSL has subgroup scans for addition only.
  const header = combineHeader(subgroups && op === 'sum');
  const element = vec4 ? `vec4<${type}>` : type;
  const fill = vec4 ? `vec4<${type}>(${id})` : id;
  const k = Array.from({ length: per }, (_, i) => i);
  const loads = k.map((i) => `  var v${i} = ${fill};\n  if (first + ${i}u < ${count}u) { v${i} = ${source}[first + ${i}u]; }`).join('\n');
  // Inclusive within the invocation's run: within each vector, then each vector from the one before.
  const scans = k
    .map((i) => {
      const inner = vec4 ? `  v${i}.y = ${c(`v${i}.x`, `v${i}.y`)}; v${i}.z = ${c(`v${i}.y`, `v${i}.z`)}; v${i}.w = ${c(`v${i}.z`, `v${i}.w`)};\n` : '';
      const last = (j: number) => (vec4 ? `v${j}.w` : `v${j}`);
      const carry = i === 0 ? '' : vec4 ? `  v${i} = ${c(`vec4<${type}>(${last(i - 1)})`, `v${i}`)};\n` : `  v${i} = ${c(last(i - 1), `v${i}`)};\n`;
      return inner + carry;
    })
    .join('');
  const lastOf = (i: number) => (vec4 ? `v${i}.w` : `v${i}`);
  // Outputs: inclusive `before ⊕ v`, exclusive `before ⊕ (the element before)`.
  const stores = k
    .map((i) => {
      const previous = i === 0 ? id : lastOf(i - 1);
      const value = vec4
        ? exclusive
          ? `${c(`vec4<${type}>(before)`, `vec4<${type}>(${previous}, v${i}.x, v${i}.y, v${i}.z)`)}`
          : c(`vec4<${type}>(before)`, `v${i}`)
        : exclusive
          ? c('before', previous)
          : c('before', `v${i}`);
      return `  if (first + ${i}u < ${count}u) { out[first + ${i}u] = ${value}; }`;
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
const DONE = 0xffffffffu;

${packedStateWgsl(type)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_index) lid: u32${header.params}) {
  if (lid == 0u) { tileOf = atomicAdd(&state[${2 * tiles}u], 1u); }
  let t = workgroupUniformLoad(&tileOf);
  // Workgroups the grid adds past the last tile take the highest numbers: nothing waits for them.
  if (t >= ${tiles}u) { return; }
  let first = (t * ${WORKGROUP}u + lid) * ${per}u;
${loads}
${scans}  let mine = ${lastOf(per - 1)};
${header.enable ? subgroupTotals(type) : portableTotals(op, type)}  if (lid == 0u) {
    publishState(t, select(1u, 2u, t == 0u), aggregate);
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
        flag = seen.flag;
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
  if (lid == 0u && t > 0u) { publishState(t, 2u, ${c('prefix', 'aggregate')}); }
  before = ${c('prefix', 'before')};
${stores}
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
