// Scratch: one tiny dispatch per eval(), kompute-ts or raw WebGPU alone, for `node --cpu-prof`
// (bench/probes/profile-summary.ts reads the profile). Usage: eval-profile.js kompute|raw|events [N]
import { Manager, MemoryType, OpAlgoDispatch } from '../../src/index.js';
import { TINY_WGSL } from '../kernels.js';
import { rawKernel, storageBuffer } from '../raw.js';

const mode = process.argv[2] ?? 'kompute';
const n = Number(process.argv[3] ?? 3000);
const mgr = await Manager.create();
const device = mgr.device;
const x = mgr.tensor(4, 'f32', { type: MemoryType.Storage });
const algo = await mgr.algorithm([x], TINY_WGSL, { workgroup: [1] }).compiled();
const seq = mgr.sequence().record(new OpAlgoDispatch(algo));
const kernel = await rawKernel(device, TINY_WGSL, [storageBuffer(device, 16)]);
if (mode === 'events') mgr.on(() => {}, 'debug');
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
const f = mode === 'raw' ? raw : () => seq.eval();
for (let i = 0; i < 300; i++) await f();
const times: number[] = [];
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  const t = performance.now();
  await f();
  times.push(performance.now() - t);
}
const wall = performance.now() - t0;
const cpu = process.cpuUsage(c0);
times.sort((a, b) => a - b);
const q = (p: number) => (times[Math.floor(p * (times.length - 1))]! * 1000).toFixed(1);
console.log(`${mode}: per call median ${q(0.5)} us (p10 ${q(0.1)}, p90 ${q(0.9)}), mean ${((wall / n) * 1000).toFixed(1)} us, process CPU ${((cpu.user + cpu.system) / n).toFixed(1)} us/call`);
mgr.destroy();
