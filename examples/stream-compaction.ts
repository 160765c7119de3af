/**
 * Stream compaction, the classic use of a prefix scan: keep the values above a threshold, in
 * order, packed at the front of the output. A shader marks each kept value with 1, an exclusive
 * `OpScan` of the marks gives each kept value its place, a second shader scatters it there, and
 * an `OpReduce` of the marks counts them. Long scans run in one pass (decoupled look-back) where
 * the GPU allows it; `lookBack: false` gives the three-pass scan, with the same result.
 * Run: `node dist/examples/stream-compaction.js [n]`
 */
import { Manager, OpAlgoDispatch, OpReduce, OpScan, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { isMain } from './is-main.js';

const MARK = /* wgsl */ `
@group(0) @binding(0) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read_write> marks: array<u32>;
@group(0) @binding(2) var<uniform> threshold: vec4f;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&values)) { marks[id.x] = select(0u, 1u, values[id.x] > threshold.x); }
}
`;

const SCATTER = /* wgsl */ `
@group(0) @binding(0) var<storage, read> values: array<f32>;
@group(0) @binding(1) var<storage, read> marks: array<u32>;
@group(0) @binding(2) var<storage, read> places: array<u32>;
@group(0) @binding(3) var<storage, read_write> kept: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&values) && marks[id.x] == 1u) { kept[places[id.x]] = values[id.x]; }
}
`;

/** Keeps the values of `input` above `threshold` on the GPU of `mgr`; returns them and their count. */
export async function compact(mgr: Manager, input: Float32Array, threshold: number, options: { lookBack?: boolean } = {}): Promise<{ kept: Float32Array; count: number }> {
  const n = input.length;
  const groups = Math.ceil(n / 256);
  using values = mgr.tensor(input);
  using marks = mgr.tensor(n, 'u32');
  using places = mgr.tensor(n, 'u32');
  using kept = mgr.tensor(n, 'f32');
  using count = mgr.tensor(1, 'u32');
  using limit = mgr.tensor([threshold, 0, 0, 0]);
  using mark = mgr.algorithm([values, marks, limit], MARK, { workgroup: [groups] });
  using scatter = mgr.algorithm([values, marks, places, kept], SCATTER, { workgroup: [groups] });
  using sequence = mgr.sequence();
  const scan = new OpScan(marks, places, { exclusive: true, ...options });
  const total = new OpReduce(marks, count);
  try {
    await sequence.eval(new OpSyncDevice([values, limit]), new OpAlgoDispatch(mark), scan, total, new OpAlgoDispatch(scatter), new OpSyncLocal([kept, count]));
    const found = count.data()[0]!;
    return { kept: kept.data().slice(0, found), count: found };
  } finally {
    scan.destroyResources();
    total.destroyResources();
  }
}

if (isMain(import.meta.url)) {
  const n = Number((globalThis as { process?: { argv?: string[] } }).process?.argv?.[2] ?? 1_000_000);
  await using mgr = await Manager.create();
  const input = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  const expected = input.filter((v) => v > 0.25);
  for (const lookBack of [undefined, false]) {
    const { kept, count } = await compact(mgr, input, 0.25, lookBack === undefined ? {} : { lookBack });
    const same = count === expected.length && kept.every((v, i) => v === expected[i]);
    console.log(`${lookBack === undefined ? 'default scan' : 'three-pass scan'}: kept ${count} of ${n} values above 0.25, ${same ? 'as on the CPU' : 'NOT as on the CPU'}`);
    if (!same) throw new Error('stream compaction disagrees with the CPU');
  }
}
