/**
 * A large matrix product with OpMatMul, reported in GFLOP/s, and checked against the CPU on a
 * sample of entries. `node dist/examples/matmul-gflops.js [N] [repetitions]` (default 2048, 10).
 */
import { Manager, MemoryType, OpMatMul, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { isMain } from './is-main.js';

export interface MatMulReport {
  readonly n: number;
  readonly gflops: number;
  readonly seconds: number;
  /** Largest difference from the CPU over the sampled entries. */
  readonly maxError: number;
}

function random(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** Multiplies two random n × n matrices `repetitions` times in one sequence and times it. */
export async function matmulGflops(mgr: Manager, n: number, repetitions = 10): Promise<MatMulReport> {
  const av = random(n * n, 1);
  const bv = random(n * n, 2);
  const a = mgr.tensor(av);
  const b = mgr.tensor(bv);
  const c = mgr.tensor(n * n, 'f32', { type: MemoryType.Device });
  const product = await new OpMatMul(a, b, c, { m: n, n }).compiled();
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
    let maxError = 0;
    for (let s = 0; s < 64; s++) {
      const i = (s * 7919) % n;
      const j = (s * 104729) % n;
      let sum = 0;
      for (let k = 0; k < n; k++) sum += av[i * n + k]! * bv[k * n + j]!;
      maxError = Math.max(maxError, Math.abs(sum - cv[i * n + j]!));
    }
    return { n, seconds, gflops: (repetitions * 2 * n ** 3) / seconds / 1e9, maxError };
  } finally {
    for (const r of [timed, io, a, b, c]) r.destroy();
    product.destroyResources();
  }
}

if (isMain(import.meta.url)) {
  const n = Number(process.argv[2] ?? 2048);
  const reps = Number(process.argv[3] ?? 10);
  await using mgr = await Manager.create();
  const r = await matmulGflops(mgr, n, reps);
  console.log(
    `${reps} × C = A·B, ${n} × ${n} f32, on ${mgr.deviceInfo().description || mgr.deviceInfo().vendor}: ${r.seconds.toFixed(3)} s, ${r.gflops.toFixed(1)} GFLOP/s (max error on 64 sampled entries ${r.maxError.toExponential(2)})`,
  );
}
