// Scratch: where does the per-eval overhead go? (not part of the suite)
import { Manager, MemoryType, OpAlgoDispatch } from '../../src/index.js';
import { TINY_WGSL } from '../kernels.js';
import { rawKernel, storageBuffer } from '../raw.js';
const mgr = await Manager.create();
const device = mgr.device;
const x = mgr.tensor(4, 'f32', { type: MemoryType.Storage });
const algo = await mgr.algorithm([x], TINY_WGSL, { workgroup: [1] }).compiled();
const seq = mgr.sequence().record(new OpAlgoDispatch(algo));
const kernel = await rawKernel(device, TINY_WGSL, [storageBuffer(device, 16)]);
const N = 2000;
async function time(name: string, f: () => Promise<unknown>) {
  for (let i = 0; i < 200; i++) await f();
  const t = performance.now();
  for (let i = 0; i < N; i++) await f();
  console.log(name, (((performance.now() - t) / N) * 1000).toFixed(1), 'us');
}
const raw = async () => {
  const e = device.createCommandEncoder();
  const p = e.beginComputePass();
  p.setPipeline(kernel.pipeline);
  p.setBindGroup(0, kernel.group);
  p.dispatchWorkgroups(1);
  p.end();
  device.queue.submit([e.finish()]);
  await device.queue.onSubmittedWorkDone();
};
const rawScoped = async () => {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const e = device.createCommandEncoder();
  const p = e.beginComputePass();
  p.setPipeline(kernel.pipeline);
  p.setBindGroup(0, kernel.group);
  p.dispatchWorkgroups(1);
  p.end();
  device.queue.submit([e.finish()]);
  const a = device.popErrorScope();
  const b = device.popErrorScope();
  await Promise.all([a, b, device.queue.onSubmittedWorkDone()]);
};
for (let r = 0; r < 2; r++) {
  await time('raw', raw);
  await time('raw+scopes', rawScoped);
  await time('kompute eval', () => seq.eval());
}
mgr.destroy();
