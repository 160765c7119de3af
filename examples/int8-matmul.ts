/**
 * An 8-bit integer matrix product on the GPU's matrix units (OpMatMulInt8, subgroup matrices),
 * reported in TOP/s and checked exactly against the CPU on sampled entries. Where the device has no
 * subgroup matrices (lavapipe, most browsers today) it falls back to OpMatMul over i32 tensors, the
 * pattern an application would use. `node dist/examples/int8-matmul.js [N] [repetitions]`
 * (default 4096, 20; N a multiple of 32).
 */
import { EXPERIMENTAL_FEATURES_FLAG, Manager, MemoryType, OpMatMul, OpMatMulInt8, OpSyncDevice, OpSyncLocal, packInt8, type Tensor, UnsupportedError } from '../src/index.js';
import { isMain } from './is-main.js';

export interface Int8Report {
  readonly n: number;
  /** Which kernel ran: the subgroup-matrix product, or the i32 fallback. */
  readonly path: 'OpMatMulInt8' | 'OpMatMul i32 fallback';
  readonly tops: number;
  readonly seconds: number;
  /** Sampled entries that differ from the CPU product (the product is exact: 0 expected). */
  readonly mismatches: number;
}

/** `n` pseudo-random int8 values from `seed` (a linear congruential generator: the same on every run). */
export function randomInt8(n: number, seed: number): Int8Array {
  const out = new Int8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** Multiplies two random n × n int8 matrices `repetitions` times in one sequence and times it. */
export async function int8MatMul(mgr: Manager, n: number, repetitions = 20): Promise<Int8Report> {
  const av = randomInt8(n * n, 1);
  const bv = randomInt8(n * n, 2);
  const c = mgr.tensor(n * n, 'i32', { type: MemoryType.Device });
  let a: Tensor;
  let b: Tensor;
  let product: OpMatMulInt8 | OpMatMul;
  let path: Int8Report['path'] = 'OpMatMulInt8';
  try {
    a = mgr.tensor(packInt8(av)); // four int8 values per i32 word
    b = mgr.tensor(packInt8(bv));
    product = new OpMatMulInt8(a, b, c, { m: n, n });
  } catch (error) {
    if (!(error instanceof UnsupportedError)) throw error;
    // No matrix units here: the same product over i32 tensors holding one value each.
    path = 'OpMatMul i32 fallback';
    a = mgr.tensor(Int32Array.from(av));
    b = mgr.tensor(Int32Array.from(bv));
    product = new OpMatMul(a, b, c, { m: n, n });
  }
  await product.compiled();
  const timed = mgr.sequence();
  for (let i = 0; i < repetitions; i++) timed.record(product);
  const io = mgr.sequence();
  try {
    await io.eval(new OpSyncDevice([a, b]), product); // upload, and a first run to warm up
    const t0 = performance.now();
    await timed.eval();
    const seconds = (performance.now() - t0) / 1000;
    await io.eval(new OpSyncLocal([c]));
    const cv = c.data();
    let mismatches = 0;
    for (let s = 0; s < 64; s++) {
      const i = (s * 7919) % n;
      const j = (s * 104729) % n;
      let sum = 0;
      for (let k = 0; k < n; k++) sum += av[i * n + k]! * bv[k * n + j]!;
      if (cv[i * n + j] !== sum) mismatches++;
    }
    return { n, path, seconds, tops: (repetitions * 2 * n ** 3) / seconds / 1e12, mismatches };
  } finally {
    for (const r of [timed, io, a, b, c]) r.destroy();
    product.destroyResources();
  }
}

if (isMain(import.meta.url)) {
  const n = Number(process.argv[2] ?? 4096);
  const reps = Number(process.argv[3] ?? 20);
  // Dawn offers its experimental subgroup matrices only under this flag.
  await using mgr = await Manager.create({ dawnFlags: [EXPERIMENTAL_FEATURES_FLAG] });
  const r = await int8MatMul(mgr, n, reps);
  const device = mgr.deviceInfo().description || mgr.deviceInfo().vendor;
  console.log(
    `${reps} × C = A·B, ${n} × ${n} int8 → i32 through ${r.path}, on ${device}: ${r.seconds.toFixed(3)} s, ${r.tops.toFixed(1)} TOP/s (${r.mismatches} of 64 sampled entries differ from the CPU)`,
  );
}
