// Scratch A/B: why is the kompute-ts element-wise kernel slower than raw? (not part of the suite)
import { Manager, MemoryType, OpAlgoDispatch } from '../../src/index.js';
import { BufferUsage, ShaderStage } from '../../src/backends/webgpu-constants.js';
import { SCALE_WGSL } from '../kernels.js';
import { randomFloats } from '../workload.js';
import { storageBuffer } from '../raw.js';

const mgr = await Manager.create();
const device = mgr.device;
const n = 64 << 20;
const workgroups = Math.min(Math.ceil(n / 4 / 4 / 256), 65535);
const threads = workgroups * 256;
const data = randomFloats(n);
const ra = storageBuffer(device, n * 4, data);
const rb = storageBuffer(device, n * 4);
const a = mgr.tensor(data, { type: MemoryType.Storage });
const b = mgr.tensor(n, 'f32', { type: MemoryType.Storage });
const algo = await mgr.algorithm([a, b], SCALE_WGSL, { workgroup: [workgroups], constants: [threads] }).compiled();
const seq = mgr.sequence();
for (let i = 0; i < 50; i++) seq.record(new OpAlgoDispatch(algo));
const module = device.createShaderModule({ code: SCALE_WGSL });
const auto = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, constants: { 0: threads } } });
const bgl = device.createBindGroupLayout({
  entries: [
    { binding: 0, visibility: ShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
    { binding: 1, visibility: ShaderStage.COMPUTE, buffer: { type: 'storage' } },
  ],
});
const explicit = await device.createComputePipelineAsync({ layout: device.createPipelineLayout({ bindGroupLayouts: [bgl] }), compute: { module, constants: { 0: threads } } });
const group = (p: GPUComputePipeline, layout: GPUBindGroupLayout, x: GPUBuffer, y: GPUBuffer) =>
  device.createBindGroup({
    layout,
    entries: [
      { binding: 0, resource: { buffer: x } },
      { binding: 1, resource: { buffer: y } },
    ],
  });
async function run(p: GPUComputePipeline, g: GPUBindGroup, perDispatchState: boolean) {
  const e = device.createCommandEncoder();
  const pass = e.beginComputePass();
  pass.setPipeline(p);
  pass.setBindGroup(0, g);
  for (let i = 0; i < 50; i++) {
    if (perDispatchState) {
      pass.setPipeline(p);
      pass.setBindGroup(0, g);
    }
    pass.dispatchWorkgroups(workgroups, 1, 1);
  }
  pass.end();
  device.queue.submit([e.finish()]);
  await device.queue.onSubmittedWorkDone();
}
async function runDeferred(p: GPUComputePipeline, g: GPUBindGroup) {
  const e = device.createCommandEncoder({ label: 'x' });
  const pass = e.beginComputePass({});
  pass.setPipeline(p);
  pass.setBindGroup(0, g);
  for (let i = 0; i < 50; i++) pass.dispatchWorkgroups(workgroups, 1, 1);
  pass.end();
  device.pushErrorScope('validation');
  device.queue.submit([e.finish()]);
  const err = device.popErrorScope();
  await Promise.all([err, new Promise<void>((resolve) => queueMicrotask(() => void device.queue.onSubmittedWorkDone().then(resolve)))]);
}
const variants: [string, () => Promise<unknown>][] = [
  ['kompute seq.eval()', () => seq.eval()],
  [
    'kompute evalAsync + evalAwait',
    async () => {
      seq.evalAsync();
      await seq.evalAwait();
    },
  ],
  ['raw explicit, kompute buffers, deferred+scope', () => runDeferred(explicit, group(explicit, bgl, a.buffer, b.buffer))],
  ['raw auto, raw buffers', () => run(auto, group(auto, auto.getBindGroupLayout(0), ra, rb), false)],
  ['raw explicit, raw buffers', () => run(explicit, group(explicit, bgl, ra, rb), false)],
  ['raw auto, kompute buffers', () => run(auto, group(auto, auto.getBindGroupLayout(0), a.buffer, b.buffer), false)],
  ['raw explicit, kompute buffers', () => run(explicit, group(explicit, bgl, a.buffer, b.buffer), false)],
  ['raw auto, raw buffers, state per dispatch', () => run(auto, group(auto, auto.getBindGroupLayout(0), ra, rb), true)],
];
const results = new Map<string, number[]>();
for (const [, f] of variants) {
  await f();
  await f();
}
for (let r = 0; r < 15; r++) {
  for (const [name, f] of [...variants.slice(r % variants.length), ...variants.slice(0, r % variants.length)]) {
    const t = performance.now();
    await f();
    const s = (performance.now() - t) / 1000;
    (results.get(name) ?? results.set(name, []).get(name)!).push((50 * 2 * n * 4) / s / 1e9);
  }
}
for (const [name, v] of results) {
  v.sort((x, y) => x - y);
  console.log(`${name.padEnd(46)} median ${v[7]!.toFixed(0)} GB/s (min ${v[0]!.toFixed(0)}, max ${v[14]!.toFixed(0)})`);
}
mgr.destroy();
void BufferUsage;
// Second part: where does kompute's extra time per eval go?
{
  const mgr2 = await Manager.create();
  const a2 = mgr2.tensor(data, { type: MemoryType.Storage });
  const b2 = mgr2.tensor(n, 'f32', { type: MemoryType.Storage });
  const algo2 = await mgr2.algorithm([a2, b2], SCALE_WGSL, { workgroup: [workgroups], constants: [threads] }).compiled();
  const seq2 = mgr2.sequence();
  for (let i = 0; i < 50; i++) seq2.record(new OpAlgoDispatch(algo2));
  await seq2.eval();
  const syncPart: number[] = [];
  const total: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t0 = performance.now();
    seq2.evalAsync();
    const t1 = performance.now();
    await seq2.evalAwait();
    const t2 = performance.now();
    syncPart.push((t1 - t0) * 1000);
    total.push((t2 - t0) * 1000);
  }
  syncPart.sort((x, y) => x - y);
  total.sort((x, y) => x - y);
  console.log(`evalAsync sync part median ${syncPart[7]!.toFixed(0)} us, total ${total[7]!.toFixed(0)} us -> ${((50 * 2 * n * 4) / (total[7]! / 1e6) / 1e9).toFixed(0)} GB/s`);
  const g = device.createBindGroup({
    layout: bgl,
    entries: [
      { binding: 0, resource: { buffer: ra } },
      { binding: 1, resource: { buffer: rb } },
    ],
  });
  const rawT: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t0 = performance.now();
    await run(explicit, g, false);
    rawT.push((performance.now() - t0) * 1000);
  }
  rawT.sort((x, y) => x - y);
  console.log(`raw total median ${rawT[7]!.toFixed(0)} us`);
  mgr2.destroy();
}
