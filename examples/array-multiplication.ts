/**
 * Kompute's first example: multiply two arrays element by element on the GPU.
 * Run: `node dist/examples/array-multiplication.js`
 */
import { Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { isMain } from './is-main.js';

const SHADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> product: array<f32>;

@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  product[id.x] = a[id.x] * b[id.x];
}
`;

/** Multiplies `a` and `b` on the GPU of `mgr` and returns the product. */
export async function arrayMultiplication(mgr: Manager, a: number[] = [2, 4, 6], b: number[] = [0, 1, 2]): Promise<number[]> {
  using tensorA = mgr.tensor(a);
  using tensorB = mgr.tensor(b);
  using product = mgr.tensor(a.length, 'f32');
  using algorithm = mgr.algorithm([tensorA, tensorB, product], SHADER); // one workgroup per element
  using sequence = mgr.sequence();
  await sequence
    .record(new OpSyncDevice([tensorA, tensorB]))
    .record(new OpAlgoDispatch(algorithm))
    .record(new OpSyncLocal([product]))
    .eval();
  return Array.from(product.data());
}

if (isMain(import.meta.url)) {
  await using mgr = await Manager.create();
  console.log(`[2, 4, 6] * [0, 1, 2] = [${(await arrayMultiplication(mgr)).join(', ')}]`);
}
