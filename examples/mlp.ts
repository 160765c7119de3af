/**
 * A two-layer perceptron trained on the GPU with the built-in kernels, on a synthetic 2-D data set
 * (two interleaved half-moons). Full-batch gradient descent: forward (OpMatMul, OpMap with a bias
 * repeated over rows, ReLU, OpSoftmax), cross-entropy loss (OpMap + OpReduce), backward (OpMatMul
 * with transposes, OpReduce along axis 0 for the bias gradients) and the updates (OpMap in place),
 * all recorded once. Prints the loss per epoch and the final accuracy, and writes the decision
 * boundary as SVG. `node dist/examples/mlp.js [points] [epochs] [out.svg]`.
 */
import { writeFileSync } from 'node:fs';
import { KernelOp, Manager, MemoryType, OpMap, OpMatMul, OpReduce, OpSoftmax, OpSyncDevice, OpSyncLocal, type Operation, type Tensor } from '../src/index.js';
import { isMain } from './is-main.js';

export interface MlpOptions {
  readonly points?: number;
  readonly hidden?: number;
  readonly epochs?: number;
  /** Gradient steps per epoch (each over the whole data set). */
  readonly stepsPerEpoch?: number;
  readonly learningRate?: number;
  /** Called with each epoch's mean cross-entropy. */
  readonly onEpoch?: (epoch: number, loss: number) => void;
  /** Cells per side of the grid the decision boundary is drawn from (0: no SVG). */
  readonly grid?: number;
}

export interface MlpResult {
  readonly losses: number[];
  readonly accuracy: number;
  /** The decision boundary and the data, as an SVG document ('' without a grid). */
  readonly svg: string;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Two interleaved half-moons with a little noise; label 0 or 1. */
export function moons(points: number, seed = 7): { x: Float32Array; labels: Uint8Array } {
  const next = lcg(seed);
  const x = new Float32Array(points * 2);
  const labels = new Uint8Array(points);
  for (let i = 0; i < points; i++) {
    const label = i % 2;
    const t = Math.PI * next();
    const [cx, cy] = label === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    x[2 * i] = (cx - 0.5) * 1.2 + (next() - 0.5) * 0.25;
    x[2 * i + 1] = (cy - 0.25) * 1.2 + (next() - 0.5) * 0.25;
    labels[i] = label;
  }
  return { x, labels };
}

export async function trainMlp(mgr: Manager, options: MlpOptions = {}): Promise<MlpResult> {
  const n = options.points ?? 2048;
  const h = options.hidden ?? 32;
  const epochs = options.epochs ?? 30;
  const steps = options.stepsPerEpoch ?? 50;
  const lr = options.learningRate ?? 0.5;
  const gridSize = options.grid ?? 64;
  const { x: xv, labels } = moons(n);
  const onehot = new Float32Array(n * 2);
  labels.forEach((l, i) => (onehot[2 * i + l] = 1));
  const next = lcg(3);
  const init = (count: number, scale: number) => Float32Array.from({ length: count }, () => (next() * 2 - 1) * scale);
  const gpu = { type: MemoryType.Storage };
  const made: { destroy(): void }[] = [];
  const keep = <T extends { destroy(): void }>(r: T): T => {
    made.push(r);
    return r;
  };
  const x = keep(mgr.tensor(xv));
  const t = keep(mgr.tensor(onehot));
  const w1 = keep(mgr.tensor(init(2 * h, Math.sqrt(6 / 2))));
  const b1 = keep(mgr.tensor(h, 'f32'));
  const w2 = keep(mgr.tensor(init(h * 2, Math.sqrt(6 / h))));
  const b2 = keep(mgr.tensor(2, 'f32'));
  const z1 = keep(mgr.tensor(n * h, 'f32', gpu));
  const a1 = keep(mgr.tensor(n * h, 'f32', gpu));
  const z2 = keep(mgr.tensor(n * 2, 'f32', gpu));
  const p = keep(mgr.tensor(n * 2, 'f32', gpu));
  const d2 = keep(mgr.tensor(n * 2, 'f32', gpu));
  const d1 = keep(mgr.tensor(n * h, 'f32', gpu));
  const gw1 = keep(mgr.tensor(2 * h, 'f32', gpu));
  const gb1 = keep(mgr.tensor(h, 'f32', gpu));
  const gw2 = keep(mgr.tensor(h * 2, 'f32', gpu));
  const gb2 = keep(mgr.tensor(2, 'f32', gpu));
  const ce = keep(mgr.tensor(n * 2, 'f32', gpu));
  const loss = keep(mgr.tensor(1, 'f32'));

  const forward = (input: Tensor, rows: number, hid: Tensor, act: Tensor, logits: Tensor, probs: Tensor): Operation[] => [
    new OpMatMul(input, w1, hid, { m: rows, n: h, k: 2 }),
    new OpMap('max(z + b, 0.0)', { z: hid, b: b1 }, act), // ReLU(X·W1 + b1)
    new OpMatMul(act, w2, logits, { m: rows, n: 2, k: h }),
    new OpMap('z + b', { z: logits, b: b2 }, logits),
    new OpSoftmax(logits, probs, { shape: [rows, 2] }),
  ];
  const update = (w: Tensor, g: Tensor) => new OpMap(`w - ${lr.toFixed(6)} * g`, { w, g }, w);
  const stepOps: Operation[] = [
    ...forward(x, n, z1, a1, z2, p),
    new OpMap(`(p - t) * ${(1 / n).toExponential(8)}`, { p, t }, d2), // ∂(mean cross-entropy)/∂logits
    new OpMatMul(a1, d2, gw2, { m: h, n: 2, k: n, transposeA: true }),
    new OpReduce(d2, gb2, { axis: 0, shape: [n, 2] }),
    new OpMatMul(d2, w2, d1, { m: n, n: h, k: 2, transposeB: true }),
    new OpMap('select(0.0, g, z + b > 0.0)', { g: d1, z: z1, b: b1 }, d1), // through the ReLU
    new OpMatMul(x, d1, gw1, { m: 2, n: h, k: n, transposeA: true }),
    new OpReduce(d1, gb1, { axis: 0, shape: [n, h] }),
    update(w1, gw1),
    update(b1, gb1),
    update(w2, gw2),
    update(b2, gb2),
  ];
  const lossOps: Operation[] = [...forward(x, n, z1, a1, z2, p), new OpMap('-t * log(max(p, 1e-7))', { p, t }, ce), new OpReduce(ce, loss), new OpSyncLocal([loss])];
  const owned = (ops: Operation[]): Operation[] => {
    for (const op of ops) if (op instanceof KernelOp) keep({ destroy: () => op.destroyResources() });
    return ops;
  };
  const record = (ops: Operation[]) => {
    const seq = keep(mgr.sequence());
    for (const op of ops) {
      seq.record(op);
      if (op instanceof KernelOp) keep({ destroy: () => op.destroyResources() });
    }
    return seq;
  };
  const train = record(stepOps);
  const measure = record(lossOps);
  const io = keep(mgr.sequence());
  try {
    await io.eval(new OpSyncDevice([x, t, w1, b1, w2, b2]));
    const losses: number[] = [];
    for (let epoch = 1; epoch <= epochs; epoch++) {
      for (let s = 0; s < steps; s++) await train.eval();
      await measure.eval();
      const value = loss.data()[0]! / n;
      losses.push(value);
      options.onEpoch?.(epoch, value);
    }
    // Accuracy on the training set, from the probabilities of the last forward pass.
    const probs = keep(mgr.tensor(n * 2, 'f32'));
    await io.eval(...owned([...forward(x, n, z1, a1, z2, p), new OpMap('p', { p }, probs)]), new OpSyncLocal([probs]));
    const pv = probs.data();
    let correct = 0;
    for (let i = 0; i < n; i++) correct += (pv[2 * i + 1]! > pv[2 * i]! ? 1 : 0) === labels[i] ? 1 : 0;
    let svg = '';
    if (gridSize > 0) {
      const cells = gridSize * gridSize;
      const gv = new Float32Array(cells * 2);
      for (let r = 0; r < gridSize; r++) {
        for (let c = 0; c < gridSize; c++) {
          gv[2 * (r * gridSize + c)] = -1.5 + (3 * (c + 0.5)) / gridSize;
          gv[2 * (r * gridSize + c) + 1] = 1.5 - (3 * (r + 0.5)) / gridSize;
        }
      }
      const g = keep(mgr.tensor(gv));
      const gz1 = keep(mgr.tensor(cells * h, 'f32', gpu));
      const ga1 = keep(mgr.tensor(cells * h, 'f32', gpu));
      const gz2 = keep(mgr.tensor(cells * 2, 'f32', gpu));
      const gp = keep(mgr.tensor(cells * 2, 'f32'));
      await io.eval(new OpSyncDevice([g]), ...owned(forward(g, cells, gz1, ga1, gz2, gp)), new OpSyncLocal([gp]));
      svg = boundarySvg(gridSize, gp.data(), xv, labels);
    }
    return { losses, accuracy: correct / n, svg };
  } finally {
    for (const r of made.reverse()) r.destroy();
  }
}

/** The grid's class-1 probability as coloured cells, the boundary at 0.5 darker, and the points. */
function boundarySvg(size: number, probs: Float32Array, x: Float32Array, labels: Uint8Array): string {
  const px = 480 / size;
  const cells: string[] = [];
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const q = probs[2 * (r * size + c) + 1]!;
      const edge = Math.abs(q - 0.5) < 0.08;
      const fill = edge ? '#555' : q > 0.5 ? `rgb(${Math.round(255 - 90 * q)},${Math.round(200 - 40 * q)},255)` : `rgb(255,${Math.round(160 + 80 * q)},${Math.round(150 + 80 * q)})`;
      cells.push(`<rect x="${(c * px).toFixed(1)}" y="${(r * px).toFixed(1)}" width="${(px + 0.5).toFixed(1)}" height="${(px + 0.5).toFixed(1)}" fill="${fill}"/>`);
    }
  }
  const dots: string[] = [];
  const step = Math.max(1, Math.floor(labels.length / 600));
  for (let i = 0; i < labels.length; i += step) {
    const cx = ((x[2 * i]! + 1.5) / 3) * 480;
    const cy = ((1.5 - x[2 * i + 1]!) / 3) * 480;
    dots.push(`<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="2.5" fill="${labels[i] ? '#1f4fd6' : '#d62f1f'}" stroke="white" stroke-width="0.5"/>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="480" viewBox="0 0 480 480">\n<title>MLP decision boundary (kompute-ts)</title>\n${cells.join('\n')}\n${dots.join('\n')}\n</svg>\n`;
}

if (isMain(import.meta.url)) {
  const points = Number(process.argv[2] ?? 2048);
  const epochs = Number(process.argv[3] ?? 30);
  const file = process.argv[4] ?? 'mlp-boundary.svg';
  await using mgr = await Manager.create();
  const t0 = performance.now();
  const r = await trainMlp(mgr, { points, epochs, onEpoch: (e, l) => console.log(`epoch ${e}: loss ${l.toFixed(4)}`) });
  console.log(`accuracy ${(r.accuracy * 100).toFixed(1)}% on ${points} points, ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  writeFileSync(file, r.svg);
  console.log(`wrote the decision boundary to ${file}`);
}
