/**
 * Logistic regression on one million samples with the built-in kernels only: every step (forward
 * pass, gradients as means over the samples, parameter updates) runs on the GPU, recorded once in
 * one sequence and evaluated once per iteration, with no data crossing to the host in between.
 * `node dist/examples/logistic-regression-1m.js [samples] [iterations]`.
 */
import { KernelOp, Manager, MemoryType, OpMap, OpReduce, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { isMain } from './is-main.js';

export interface LogisticResult {
  readonly w: [number, number];
  readonly b: number;
  /** Mean cross-entropy before and after training. */
  readonly lossBefore: number;
  readonly lossAfter: number;
  readonly accuracy: number;
  readonly seconds: number;
}

/** Two features per sample; label 1 when 1.5·x1 − 0.8 + noise > 0 (Kompute's example, scaled up). */
function makeData(samples: number): { x0: Float32Array; x1: Float32Array; y: Float32Array } {
  const x0 = new Float32Array(samples);
  const x1 = new Float32Array(samples);
  const y = new Float32Array(samples);
  let s = 12345;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = 0; i < samples; i++) {
    x0[i] = next();
    x1[i] = next();
    y[i] = 1.5 * x1[i]! - 0.8 + (next() - 0.5) * 0.2 > 0 ? 1 : 0;
  }
  return { x0, x1, y };
}

export async function logisticRegression1M(mgr: Manager, samples = 1_000_000, iterations = 200, learningRate = 2): Promise<LogisticResult> {
  const { x0: x0v, x1: x1v, y: yv } = makeData(samples);
  const storage = { type: MemoryType.Storage };
  const x0 = mgr.tensor(x0v);
  const x1 = mgr.tensor(x1v);
  const y = mgr.tensor(yv);
  const w0 = mgr.tensor([0]);
  const w1 = mgr.tensor([0]);
  const b = mgr.tensor([0]);
  const err = mgr.tensor(samples, 'f32', storage);
  const scratch = mgr.tensor(samples, 'f32', storage);
  const g0 = mgr.tensor(1, 'f32', storage);
  const g1 = mgr.tensor(1, 'f32', storage);
  const gb = mgr.tensor(1, 'f32', storage);
  const loss = mgr.tensor(1, 'f32');
  const created: { destroy(): void }[] = [x0, x1, y, w0, w1, b, err, scratch, g0, g1, gb, loss];
  const sigmoid = '1.0 / (1.0 + exp(-(w0 * x0 + w1 * x1 + b)))';
  const lossOps = [
    // Cross-entropy per sample, clamped away from log(0); then its mean.
    new OpMap(`-(y * log(max(${sigmoid}, 1e-7)) + (1.0 - y) * log(max(1.0 - ${sigmoid}, 1e-7)))`, { x0, x1, y, w0, w1, b }, scratch),
    new OpReduce(scratch, loss, { op: 'mean' }),
    new OpSyncLocal([loss]),
  ];
  const step = [
    new OpMap(`${sigmoid} - y`, { x0, x1, y, w0, w1, b }, err), // ∂loss/∂z per sample
    new OpMap('e * x', { e: err, x: x0 }, scratch),
    new OpReduce(scratch, g0, { op: 'mean' }),
    new OpMap('e * x', { e: err, x: x1 }, scratch),
    new OpReduce(scratch, g1, { op: 'mean' }),
    new OpReduce(err, gb, { op: 'mean' }),
    new OpMap(`w - ${learningRate.toFixed(6)} * g`, { w: w0, g: g0 }, w0),
    new OpMap(`w - ${learningRate.toFixed(6)} * g`, { w: w1, g: g1 }, w1),
    new OpMap(`w - ${learningRate.toFixed(6)} * g`, { w: b, g: gb }, b),
  ];
  const measureLoss = mgr.sequence();
  for (const op of lossOps) measureLoss.record(op);
  const train = mgr.sequence();
  for (const op of step) train.record(op);
  const io = mgr.sequence();
  created.push(measureLoss, train, io);
  for (const op of [...lossOps, ...step]) if (op instanceof KernelOp) created.push({ destroy: () => op.destroyResources() });
  try {
    await io.eval(new OpSyncDevice([x0, x1, y, w0, w1, b]));
    await measureLoss.eval();
    const lossBefore = loss.data()[0]!;
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) await train.eval();
    const seconds = (performance.now() - t0) / 1000;
    await measureLoss.eval();
    const lossAfter = loss.data()[0]!;
    await io.eval(new OpSyncLocal([w0, w1, b]));
    const w: [number, number] = [w0.data()[0]!, w1.data()[0]!];
    const bias = b.data()[0]!;
    let correct = 0;
    for (let i = 0; i < samples; i++) correct += (w[0] * x0v[i]! + w[1] * x1v[i]! + bias > 0 ? 1 : 0) === yv[i] ? 1 : 0;
    return { w, b: bias, lossBefore, lossAfter, accuracy: correct / samples, seconds };
  } finally {
    for (const r of created.reverse()) r.destroy();
  }
}

if (isMain(import.meta.url)) {
  const samples = Number(process.argv[2] ?? 1_000_000);
  const iterations = Number(process.argv[3] ?? 200);
  await using mgr = await Manager.create();
  const r = await logisticRegression1M(mgr, samples, iterations);
  console.log(
    `logistic regression, ${samples.toLocaleString('en-US')} samples, ${iterations} iterations in ${r.seconds.toFixed(2)} s (${((r.seconds / iterations) * 1e3).toFixed(2)} ms per iteration)`,
  );
  console.log(`loss ${r.lossBefore.toFixed(4)} → ${r.lossAfter.toFixed(4)}, w = [${r.w.map((v) => v.toFixed(3)).join(', ')}], b = ${r.b.toFixed(3)}, accuracy ${(r.accuracy * 100).toFixed(2)}%`);
}
