// Scratch: which part of kompute-ts's eval() adds latency over raw submit + wait? (not part of the suite)
import { Manager, MemoryType, OpAlgoDispatch } from '../../src/index.js';
import { TINY_WGSL } from '../kernels.js';

const mgr = await Manager.create();
const device = mgr.device;
const x = mgr.tensor(4, 'f32', { type: MemoryType.Storage });
const algo = await mgr.algorithm([x], TINY_WGSL, { workgroup: [1] }).compiled();
const seq = mgr.sequence().record(new OpAlgoDispatch(algo));
const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code: TINY_WGSL }) } });
const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: x.buffer } }] });
function submit(): void {
  const e = device.createCommandEncoder();
  const p = e.beginComputePass();
  p.setPipeline(pipeline);
  p.setBindGroup(0, group);
  p.dispatchWorkgroups(1);
  p.end();
  device.queue.submit([e.finish()]);
}
const never = new Promise<never>(() => {});
const variants: [string, () => Promise<unknown>][] = [
  ['raw submit + onSubmittedWorkDone', async () => { submit(); await device.queue.onSubmittedWorkDone(); }],
  ['raw, work-done asked in a microtask', async () => { submit(); await new Promise<void>((r) => queueMicrotask(() => void device.queue.onSubmittedWorkDone().then(r))); }],
  ['raw, wrapped in Promise.race + then', async () => { submit(); await Promise.race([device.queue.onSubmittedWorkDone(), never]).then(() => undefined); }],
  ['raw + error scope popped', async () => { device.pushErrorScope('validation'); submit(); const e = device.popErrorScope(); await Promise.all([e, device.queue.onSubmittedWorkDone()]); }],
  ['raw, encoder via mgr internals', async () => { submit(); await (mgr as unknown as { device: GPUDevice }).device.queue.onSubmittedWorkDone(); }],
  ['kompute seq.eval()', () => seq.eval()],
  ['kompute evalAsync(); evalAwait()', async () => { seq.evalAsync(); await seq.evalAwait(); }],
  ['kompute evalAsync(); evalAwait(); return seq', async () => { seq.evalAsync(); await seq.evalAwait(); return seq; }],
  ['kompute seq.eval().then(() => undefined)', () => seq.eval().then(() => undefined)],
  ['kompute await seq.eval() inside async fn', async () => { await seq.eval(); }],
];
const N = 1500;
const results = new Map<string, number[]>();
for (const [, f] of variants) for (let i = 0; i < 200; i++) await f();
for (let r = 0; r < 7; r++) {
  for (const [name, f] of [...variants.slice(r % variants.length), ...variants.slice(0, r % variants.length)]) {
    const t = performance.now();
    for (let i = 0; i < N; i++) await f();
    (results.get(name) ?? results.set(name, []).get(name)!).push(((performance.now() - t) / N) * 1000);
  }
}
for (const [name, v] of results) {
  v.sort((a, b) => a - b);
  console.log(`${name.padEnd(40)} median ${v[3]!.toFixed(1)} us  (min ${v[0]!.toFixed(1)}, max ${v[6]!.toFixed(1)})`);
}
mgr.destroy();
