/**
 * Where Dawn puts mappable buffers, and what the transfer paths cost, on the device at hand (issue
 * #17): host read and write speeds of mapped `MAP_WRITE` and `MAP_READ` memory, the GPU copies
 * alone, `mapAsync` alone, and per-call medians of a tiny eval against raw WebGPU.
 *
 * `node dist/bench/probes/host-memory.js [--lib PATH_TO/src/index.js] [--mb 256]`: `--lib` picks the
 * kompute-ts build to time (another checkout's dist), so one run can compare two builds.
 */
import { parseArgs } from 'node:util';
import { BufferUsage, MapMode } from '../../src/backends/webgpu-constants.js';
import { uploadMemoryReadsSlowly } from '../../src/core/host-placement.js';
import { TINY_WGSL } from '../kernels.js';
import { rawDispatch, rawKernel, storageBuffer } from '../raw.js';

const { values } = parseArgs({ options: { lib: { type: 'string' }, mb: { type: 'string' }, calls: { type: 'string' } } });
const lib = (await import(values.lib ?? '../../src/index.js')) as typeof import('../../src/index.js');
const bytes = Number(values.mb ?? 256) << 20;
const calls = Number(values.calls ?? 1000);
const n = bytes / 4;
const readBytes = 1 << 20;

const mgr = await lib.Manager.create();
const device = mgr.device;
const out: Record<string, unknown> = { lib: values.lib ?? 'this build', bytes };
const gbps = (b: number, ms: number) => Number((b / ms / 1e6).toFixed(2));
const now = () => performance.now();

function sumPrefix(view: Float32Array, count: number): number {
  let s = 0;
  for (let i = 0; i < count; i++) s += view[i]!;
  return s;
}

const data = new Float32Array(n);
for (let i = 0; i < n; i++) data[i] = (i % 1000) * 0.001;
let sink = 0;

// MAP_WRITE (Dawn: the largest host-visible heap, coherent).
{
  const buffer = device.createBuffer({ size: bytes, usage: BufferUsage.MAP_WRITE | BufferUsage.COPY_SRC, mappedAtCreation: true });
  const view = new Float32Array(buffer.getMappedRange());
  let t = now();
  view.set(data);
  out.mapWriteHostWriteGBs = gbps(bytes, now() - t);
  t = now();
  view.set(data);
  out.mapWriteHostWriteAgainGBs = gbps(bytes, now() - t);
  t = now();
  sink += sumPrefix(view, readBytes / 4);
  out.mapWriteHostRead1MiBGBs = gbps(readBytes, now() - t);
  const target = storageBuffer(device, bytes);
  buffer.unmap();
  t = now();
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, target, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  out.mapWriteToDeviceCopyGBs = gbps(bytes, now() - t);
  t = now();
  await buffer.mapAsync(MapMode.WRITE);
  out.mapWriteRemapMs = Number((now() - t).toFixed(3));
  buffer.destroy();

  // MAP_READ (Dawn: prefers HOST_CACHED).
  const readback = device.createBuffer({ size: bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  const copies: number[] = [];
  const maps: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    t = now();
    const e = device.createCommandEncoder();
    e.copyBufferToBuffer(target, 0, readback, 0, bytes);
    device.queue.submit([e.finish()]);
    await device.queue.onSubmittedWorkDone();
    copies.push(now() - t);
    t = now();
    await readback.mapAsync(MapMode.READ);
    maps.push(now() - t);
    if (rep < 4) readback.unmap();
  }
  out.deviceToMapReadCopyGBs = copies.map((ms) => gbps(bytes, ms));
  out.mapReadMapAsyncMs = maps.map((ms) => Number(ms.toFixed(3)));
  t = now();
  const rview = new Float32Array(readback.getMappedRange());
  out.mapReadGetMappedRangeMs = Number((now() - t).toFixed(3));
  t = now();
  sink += sumPrefix(rview, readBytes / 4);
  out.mapReadHostRead1MiBGBs = gbps(readBytes, now() - t);
  t = now();
  rview.set(data);
  out.mapReadHostWriteGBs = gbps(bytes, now() - t);
  // Copy + map together, the way a readback runs (what data() after OpSyncLocal costs).
  readback.unmap();
  t = now();
  const e = device.createCommandEncoder();
  e.copyBufferToBuffer(target, 0, readback, 0, bytes);
  device.queue.submit([e.finish()]);
  await readback.mapAsync(MapMode.READ);
  sink += new Float32Array(readback.getMappedRange())[n - 1]!;
  out.rawReadbackCopyAndMapGBs = gbps(bytes, now() - t);
  readback.destroy();
  target.destroy();
}

const plain = new Float32Array(n);
let t = now();
plain.set(data);
out.plainArrayFirstWriteGBs = gbps(bytes, now() - t);
t = now();
plain.set(data);
out.plainArrayWriteAgainGBs = gbps(bytes, now() - t);
t = now();
sink += sumPrefix(plain, readBytes / 4);
out.plainArrayRead1MiBGBs = gbps(readBytes, now() - t);
out.uploadMemoryReadsSlowly = uploadMemoryReadsSlowly(device);

// A tiny eval per call: kompute-ts and raw, interleaved in blocks of 50.
const x = mgr.tensor(4, 'f32', { type: lib.MemoryType.Storage });
const algorithm = await mgr.algorithm([x], TINY_WGSL, { workgroup: [1] }).compiled();
const seq = mgr.sequence().record(new lib.OpAlgoDispatch(algorithm));
const rx = storageBuffer(device, 16);
const kernel = await rawKernel(device, TINY_WGSL, [rx]);
for (let i = 0; i < 100; i++) {
  await seq.eval();
  await rawDispatch(device, kernel, 1);
}
const k: number[] = [];
const r: number[] = [];
for (let block = 0; block < calls / 50; block++) {
  for (let i = 0; i < 50; i++) {
    const t0 = now();
    await seq.eval();
    k.push((now() - t0) * 1000);
  }
  for (let i = 0; i < 50; i++) {
    const t0 = now();
    await rawDispatch(device, kernel, 1);
    r.push((now() - t0) * 1000);
  }
}
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => Number(s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1));
  return { median: q(0.5), p10: q(0.1), p90: q(0.9), mean: Number((xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1)) };
};
out.tinyEvalUs = stats(k);
out.tinyRawUs = stats(r);
out.sink = Number.isFinite(sink);
rx.destroy();
mgr.destroy();
console.log(JSON.stringify(out));
