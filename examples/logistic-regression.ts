/**
 * Kompute's logistic-regression example: 100 iterations of gradient descent where the GPU
 * computes per-sample gradients and the loss, and the host applies the update.
 * Run: `node dist/examples/logistic-regression.js`
 */
import { Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, type Tensor } from '../src/index.js';
import { isMain } from './is-main.js';

/**
 * Kompute's logistic-regression kernel in WGSL. Binding i is tensor i; `@id(0)` is the sample
 * count, a specialization constant. With a workgroup size above 1, threads past the data return.
 */
export function logisticShader(workgroupSize = 1): string {
  return /* wgsl */ `
@id(0) override m: f32 = 1.0;

@group(0) @binding(0) var<storage, read> xi: array<f32>;
@group(0) @binding(1) var<storage, read> xj: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> wIn: array<f32>;
@group(0) @binding(4) var<storage, read_write> wOutI: array<f32>;
@group(0) @binding(5) var<storage, read_write> wOutJ: array<f32>;
@group(0) @binding(6) var<storage, read> bIn: array<f32>;
@group(0) @binding(7) var<storage, read_write> bOut: array<f32>;
@group(0) @binding(8) var<storage, read_write> lOut: array<f32>;

@compute @workgroup_size(${workgroupSize})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i >= arrayLength(&y)) { return; }
  let x = vec2f(xi[i], xj[i]);
  let z = dot(vec2f(wIn[0], wIn[1]), x) + bIn[0];
  let yHat = 1.0 / (1.0 + exp(-z));
  let dZ = yHat - y[i];
  wOutI[i] = x.x * dZ / m;
  wOutJ[i] = x.y * dZ / m;
  bOut[i] = dZ / m;
  lOut[i] = -(y[i] * log(yHat) + (1.0 - y[i]) * log(1.0 - yHat));
}
`;
}

/** The training data: Kompute's five samples, unless given. */
export interface LogisticRegressionInput {
  readonly xI: readonly number[];
  readonly xJ: readonly number[];
  readonly y: readonly number[];
  readonly iterations: number;
  readonly learningRate: number;
}

export const KOMPUTE_INPUT: LogisticRegressionInput = {
  xI: [0, 1, 1, 1, 1],
  xJ: [0, 0, 0, 1, 1],
  y: [0, 0, 0, 1, 1],
  iterations: 100,
  learningRate: 0.1,
};

/** Trained parameters and the mean loss of each iteration. */
export interface LogisticRegressionResult {
  readonly w: [number, number];
  readonly b: number;
  readonly losses: number[];
}

/** Trains on the GPU of `mgr`; the host applies each gradient step, as in Kompute. */
export async function logisticRegression(mgr: Manager, input: LogisticRegressionInput = KOMPUTE_INPUT): Promise<LogisticRegressionResult> {
  const m = input.y.length;
  using xI = mgr.tensor([...input.xI]);
  using xJ = mgr.tensor([...input.xJ]);
  using y = mgr.tensor([...input.y]);
  using wIn = mgr.tensor([0.001, 0.001]);
  using wOutI = mgr.tensor(m, 'f32');
  using wOutJ = mgr.tensor(m, 'f32');
  using bIn = mgr.tensor([0]);
  using bOut = mgr.tensor(m, 'f32');
  using lOut = mgr.tensor(m, 'f32');
  const params: Tensor[] = [xI, xJ, y, wIn, wOutI, wOutJ, bIn, bOut, lOut];

  using algorithm = mgr.algorithm(params, logisticShader(), { workgroup: [m], constants: [m] });
  using sequence = mgr.sequence();
  await sequence.eval(new OpSyncDevice(params));

  sequence
    .record(new OpSyncDevice([wIn, bIn]))
    .record(new OpAlgoDispatch(algorithm))
    .record(new OpSyncLocal([wOutI, wOutJ, bOut, lOut]));

  const losses: number[] = [];
  for (let iteration = 0; iteration < input.iterations; iteration++) {
    await sequence.eval();
    // Views of the staging memory: fetch them again after every evaluation.
    const w = wIn.data();
    const b = bIn.data();
    const gI = wOutI.data();
    const gJ = wOutJ.data();
    const gB = bOut.data();
    const loss = lOut.data();
    let total = 0;
    for (let j = 0; j < m; j++) {
      w[0]! -= input.learningRate * gI[j]!;
      w[1]! -= input.learningRate * gJ[j]!;
      b[0]! -= input.learningRate * gB[j]!;
      total += loss[j]!;
    }
    losses.push(total / m);
  }
  const w = wIn.data();
  return { w: [w[0]!, w[1]!], b: bIn.data()[0]!, losses };
}

if (isMain(import.meta.url)) {
  await using mgr = await Manager.create();
  const { w, b, losses } = await logisticRegression(mgr);
  console.log(`w = [${w.map((v) => v.toFixed(6)).join(', ')}], b = ${b.toFixed(6)}, loss ${losses[0]!.toFixed(4)} -> ${losses.at(-1)!.toFixed(4)}`);
}
