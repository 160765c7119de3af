/**
 * A first kernel in three lines of WGSL: name the tensors and let kompute-ts write the binding
 * declarations (`a` and `b` become `var<storage, read>`, `sum` `var<storage, read_write>`).
 * Run: `node dist/examples/generated-bindings.js`
 */
import { Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { isMain } from './is-main.js';

/** Adds `a` and `b` element by element on the GPU of `mgr`. */
export async function addArrays(mgr: Manager, a: number[] = [1, 2, 3], b: number[] = [10, 20, 30]): Promise<number[]> {
  using tensorA = mgr.tensor(a);
  using tensorB = mgr.tensor(b);
  using sum = mgr.tensor(a.length, 'f32');
  using algorithm = mgr.algorithm(
    { a: tensorA, b: tensorB, sum },
    /* wgsl */ `
    @compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u) {
      sum[id.x] = a[id.x] + b[id.x];
    }`,
  );
  await mgr.sequence().eval(new OpSyncDevice([tensorA, tensorB]), new OpAlgoDispatch(algorithm), new OpSyncLocal([sum]));
  return Array.from(sum.data());
}

if (isMain(import.meta.url)) {
  await using mgr = await Manager.create();
  console.log(`[1, 2, 3] + [10, 20, 30] = [${(await addArrays(mgr)).join(', ')}]`);
}
