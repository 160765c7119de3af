// Scratch measurements of Dawn's per-call costs (not part of the suite).
import { create } from 'webgpu';
import { BufferUsage, MapMode } from '../../src/backends/webgpu-constants.js';
import { TINY_WGSL } from '../kernels.js';
import { rawKernel, storageBuffer } from '../raw.js';

const gpu = create([]);
const adapter = (await gpu.requestAdapter())!;
const device = await adapter.requestDevice();
const kernel = await rawKernel(device, TINY_WGSL, [storageBuffer(device, 16)]);
const N = 3000;
async function time(name: string, f: () => Promise<unknown>, n = N) {
  for (let i = 0; i < Math.min(300, n); i++) await f();
  const samples: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) await f();
    samples.push(((performance.now() - t) / n) * 1000);
  }
  samples.sort((a, b) => a - b);
  console.log(`${name.padEnd(44)} median ${samples[2]!.toFixed(1)} us  (min ${samples[0]!.toFixed(1)})`);
}
function encode(): GPUCommandBuffer {
  const e = device.createCommandEncoder();
  const p = e.beginComputePass();
  p.setPipeline(kernel.pipeline);
  p.setBindGroup(0, kernel.group);
  p.dispatchWorkgroups(1);
  p.end();
  return e.finish();
}
const small = device.createBuffer({ size: 256, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
const src = storageBuffer(device, 256);
await time('submit + onSubmittedWorkDone', async () => {
  device.queue.submit([encode()]);
  await device.queue.onSubmittedWorkDone();
});
await time('submit only (no wait)', async () => {
  device.queue.submit([encode()]);
});
await device.queue.onSubmittedWorkDone();
await time('+1 validation scope', async () => {
  device.pushErrorScope('validation');
  device.queue.submit([encode()]);
  const a = device.popErrorScope();
  await Promise.all([a, device.queue.onSubmittedWorkDone()]);
});
await time('+2 scopes', async () => {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  device.queue.submit([encode()]);
  const a = device.popErrorScope();
  const b = device.popErrorScope();
  await Promise.all([a, b, device.queue.onSubmittedWorkDone()]);
});
await time('submit + tiny copy + mapAsync (no workdone)', async () => {
  const e = device.createCommandEncoder();
  e.copyBufferToBuffer(src, 0, small, 0, 256);
  device.queue.submit([encode(), e.finish()]);
  await small.mapAsync(MapMode.READ);
  small.getMappedRange();
  small.unmap();
});
await time('writeBuffer 64 B + submit + workdone', async () => {
  device.queue.writeBuffer(src, 0, new Float32Array(16));
  device.queue.submit([encode()]);
  await device.queue.onSubmittedWorkDone();
});
await time('3 submits, 3 workdone awaited together', async () => {
  const ps = [];
  for (let i = 0; i < 3; i++) {
    device.queue.submit([encode()]);
    ps.push(device.queue.onSubmittedWorkDone());
  }
  await Promise.all(ps);
});
await time('3 submits, 1 workdone', async () => {
  for (let i = 0; i < 3; i++) device.queue.submit([encode()]);
  await device.queue.onSubmittedWorkDone();
});

// Host-side memory: reading mapped memory vs plain memory, fresh allocations vs reused ones.
const n = 64 << 20; // 256 MB of f32
const rb = device.createBuffer({ size: n * 4, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
const wb = device.createBuffer({ size: n * 4, usage: BufferUsage.MAP_WRITE | BufferUsage.COPY_SRC });
await rb.mapAsync(MapMode.READ);
await wb.mapAsync(MapMode.WRITE);
const rview = new Float32Array(rb.getMappedRange());
const wview = new Float32Array(wb.getMappedRange());
const plain = new Float32Array(n).fill(1);
const dst = new Float32Array(n).fill(2);
function gbps(name: string, f: () => unknown) {
  f();
  const s: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    f();
    s.push(performance.now() - t);
  }
  s.sort((a, b) => a - b);
  console.log(`${name.padEnd(44)} ${((n * 4) / (s[1]! / 1000) / 1e9).toFixed(2)} GB/s`);
}
let sink = 0;
gbps('plain.slice() (fresh allocation)', () => {
  sink += plain.slice()[5]!;
});
gbps('dst.set(plain) (reused allocation)', () => {
  dst.set(plain);
});
gbps('dst.set(MAP_READ view)', () => {
  dst.set(rview);
});
gbps('MAP_READ view.slice()', () => {
  sink += rview.slice()[7]!;
});
gbps('scalar sum over plain', () => {
  let s = 0;
  for (let i = 0; i < n; i++) s += plain[i]!;
  sink += s;
});
gbps('scalar sum over MAP_READ view', () => {
  let s = 0;
  for (let i = 0; i < n; i++) s += rview[i]!;
  sink += s;
});
gbps('scalar sum over MAP_WRITE view', () => {
  let s = 0;
  for (let i = 0; i < n; i++) s += wview[i]!;
  sink += s;
});
gbps('MAP_WRITE view.set(plain)', () => {
  wview.set(plain);
});
console.log('sink', sink > 0);
device.destroy();
