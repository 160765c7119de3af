/**
 * Where a small evaluation's time goes, per call: the synchronous part (from the call until it
 * returns a promise: validation, planning, encoding, submission) and the wait (until the promise
 * settles), for kompute-ts and for raw WebGPU on the same device, interleaved in blocks of 50,
 * medians with p10–p90. Workloads: a tiny dispatch (`eval()`, `evalAsync()` + `evalAwait()`,
 * with an event listener on, raw variants that share kompute-ts's pipeline or label the encoder)
 * and the logistic-5 iteration (two small uploads, a dispatch, four small downloads).
 *
 * `node dist/bench/probes/eval-split.js [--lib PATH_TO/src/index.js] [--calls 2000] [--json FILE]`
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BufferUsage, MapMode } from '../../src/backends/webgpu-constants.js';
import { logisticShader } from '../../examples/logistic-regression.js';
import { TINY_WGSL } from '../kernels.js';
import { rawKernel, readbackBuffer, storageBuffer } from '../raw.js';
import { randomFloats } from '../workload.js';

const { values } = parseArgs({ options: { lib: { type: 'string' }, calls: { type: 'string' }, json: { type: 'string' } } });
const lib = (await import(values.lib ?? '../../src/index.js')) as typeof import('../../src/index.js');
const calls = Number(values.calls ?? 2000);
const mgr = await lib.Manager.create();
const device = mgr.device;

type Variant = readonly [string, () => Promise<unknown>];
const variants: Variant[] = [];

// Tiny dispatch.
const x = mgr.tensor(4, 'f32', { type: lib.MemoryType.Storage });
const algorithm = await mgr.algorithm([x], TINY_WGSL, { workgroup: [1] }).compiled();
const seq = mgr.sequence().record(new lib.OpAlgoDispatch(algorithm));
const rx = storageBuffer(device, 16);
const kernel = await rawKernel(device, TINY_WGSL, [rx]);
function rawTiny(label: boolean, pipeline = kernel.pipeline, group = kernel.group): Promise<void> {
  const e = label ? device.createCommandEncoder({ label: 'Sequence' }) : device.createCommandEncoder();
  const p = label ? e.beginComputePass({}) : e.beginComputePass();
  p.setPipeline(pipeline);
  p.setBindGroup(0, group);
  p.dispatchWorkgroups(1);
  p.end();
  device.queue.submit([e.finish()]);
  return device.queue.onSubmittedWorkDone();
}
const state = (algorithm as unknown as { dispatchState?: () => { pipeline: GPUComputePipeline; group: GPUBindGroup } }).dispatchState?.();
variants.push(['tiny raw', () => rawTiny(false)]);
variants.push(['tiny raw, labelled encoder', () => rawTiny(true)]);
if (state) variants.push(["tiny raw, kompute-ts's pipeline + group", () => rawTiny(false, state.pipeline, state.group)]);
variants.push(['tiny kompute eval()', () => seq.eval()]);
variants.push([
  'tiny kompute evalAsync()+evalAwait()',
  () => {
    seq.evalAsync();
    return seq.evalAwait();
  },
]);
// The same raw dispatch behind as many promise hops as kompute-ts's completion path takes.
variants.push([
  'tiny raw + 8 promise hops',
  () =>
    rawTiny(false)
      .then(() => undefined)
      .then(() => undefined)
      .then(() => undefined)
      .then(() => undefined)
      .then(() => undefined)
      .then(() => undefined)
      .then(() => undefined)
      .then(() => undefined),
]);
// kompute-ts's chain alone: the GPU is done (work-done resolved) before evalAwait() is called.
variants.push([
  'tiny kompute, evalAwait() after work done',
  async () => {
    seq.evalAsync();
    await device.queue.onSubmittedWorkDone();
    await seq.evalAwait();
  },
]);
const seqEvents = mgr.sequence().record(new lib.OpAlgoDispatch(algorithm));

// logistic-5.
const m = 5;
const xi = randomFloats(m, 3).map((v) => v + 0.5);
const xj = randomFloats(m, 4).map((v) => v + 0.5);
const y = xi.map((v, i) => (v + xj[i]! > 1 ? 1 : 0));
const host = [xi, xj, y, new Float32Array([0.001, 0.001]), new Float32Array(m), new Float32Array(m), new Float32Array([0]), new Float32Array(m), new Float32Array(m)];
const tensors = host.map((d) => mgr.tensor(d));
const wgsl = logisticShader(64);
const logistic = await mgr.algorithm(tensors, wgsl, { workgroup: [1], constants: [m] }).compiled();
await mgr.sequence().eval(new lib.OpSyncDevice(tensors));
const lseq = mgr
  .sequence()
  .record(new lib.OpSyncDevice([tensors[3]!, tensors[6]!]))
  .record(new lib.OpAlgoDispatch(logistic))
  .record(new lib.OpSyncLocal([tensors[4]!, tensors[5]!, tensors[7]!, tensors[8]!]));
const buffers = host.map((d) => storageBuffer(device, d.byteLength, d));
const lkernel = await rawKernel(device, wgsl, buffers, { 0: m });
const readback = readbackBuffer(device, 4 * m * 4);
const w = new Float32Array([0.001, 0.001]);
const b = new Float32Array([0]);
let sink = 0;
variants.push(['logistic-5 kompute eval()', () => lseq.eval().then(() => (sink += tensors[4]!.data()[0]!))]);
variants.push([
  'logistic-5 raw',
  () => {
    device.queue.writeBuffer(buffers[3]!, 0, w);
    device.queue.writeBuffer(buffers[6]!, 0, b);
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(lkernel.pipeline);
    pass.setBindGroup(0, lkernel.group);
    pass.dispatchWorkgroups(1);
    pass.end();
    [4, 5, 7, 8].forEach((index, k) => encoder.copyBufferToBuffer(buffers[index]!, 0, readback, k * m * 4, m * 4));
    device.queue.submit([encoder.finish()]);
    return readback.mapAsync(MapMode.READ).then(() => {
      sink += new Float32Array(readback.getMappedRange())[0]!;
      readback.unmap();
    });
  },
]);
// Raw, staged as kompute-ts stages it: one write into a shared upload buffer, copies out of it.
const upload = device.createBuffer({ size: 256, usage: BufferUsage.COPY_SRC | BufferUsage.COPY_DST | BufferUsage.UNIFORM });
const staged = new Uint8Array(256);
variants.push([
  'logistic-5 raw, staged like kompute-ts',
  () => {
    staged.set(new Uint8Array(w.buffer), 0);
    staged.set(new Uint8Array(b.buffer), 8);
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(upload, 0, buffers[3]!, 0, 8);
    encoder.copyBufferToBuffer(upload, 8, buffers[6]!, 0, 4);
    const pass = encoder.beginComputePass();
    pass.setPipeline(lkernel.pipeline);
    pass.setBindGroup(0, lkernel.group);
    pass.dispatchWorkgroups(1);
    pass.end();
    [4, 5, 7, 8].forEach((index, k) => encoder.copyBufferToBuffer(buffers[index]!, 0, readback, k * m * 4, m * 4));
    const commands = encoder.finish();
    device.queue.writeBuffer(upload, 0, staged, 0, 12);
    device.queue.submit([commands]);
    return readback.mapAsync(MapMode.READ).then(() => {
      sink += new Float32Array(readback.getMappedRange())[0]!;
      readback.unmap();
    });
  },
]);
// The same, on kompute-ts's own buffers, pipeline and bind group.
const lstate = (logistic as unknown as { dispatchState?: () => { pipeline: GPUComputePipeline; group: GPUBindGroup } }).dispatchState?.();
if (lstate) {
  const kb = tensors.map((t) => t.buffer);
  variants.push([
    "logistic-5 raw, staged, kompute-ts's buffers",
    () => {
      staged.set(new Uint8Array(w.buffer), 0);
      staged.set(new Uint8Array(b.buffer), 8);
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(upload, 0, kb[3]!, 0, 8);
      encoder.copyBufferToBuffer(upload, 8, kb[6]!, 0, 4);
      const pass = encoder.beginComputePass();
      pass.setPipeline(lstate.pipeline);
      pass.setBindGroup(0, lstate.group);
      pass.dispatchWorkgroups(1);
      pass.end();
      [4, 5, 7, 8].forEach((index, k) => encoder.copyBufferToBuffer(kb[index]!, 0, readback, k * m * 4, m * 4));
      const commands = encoder.finish();
      device.queue.writeBuffer(upload, 0, staged, 0, 12);
      device.queue.submit([commands]);
      return readback.mapAsync(MapMode.READ).then(() => {
        sink += new Float32Array(readback.getMappedRange())[0]!;
        readback.unmap();
      });
    },
  ]);
}
// Last: the event listener stays on once added.
const withEvents: Variant = ['tiny kompute eval(), listener on', () => seqEvents.eval()];

const results = new Map<string, { sync: number[]; wait: number[]; total: number[] }>();
async function measure(list: readonly Variant[], blocks: number): Promise<void> {
  for (const [, f] of list) for (let i = 0; i < 200; i++) await f();
  for (let block = 0; block < blocks; block++) {
    for (const [name, f] of block % 2 ? [...list].reverse() : list) {
      let r = results.get(name);
      if (!r) {
        r = { sync: [], wait: [], total: [] };
        results.set(name, r);
      }
      for (let i = 0; i < 50; i++) {
        const t0 = performance.now();
        const p = f();
        const t1 = performance.now();
        await p;
        const t2 = performance.now();
        r.sync.push((t1 - t0) * 1000);
        r.wait.push((t2 - t1) * 1000);
        r.total.push((t2 - t0) * 1000);
      }
    }
  }
}
await measure(variants, calls / 50);
const on = typeof (mgr as { on?: unknown }).on === 'function';
if (on) {
  (mgr as unknown as { on(listener: () => void, level: string): unknown }).on(() => {}, 'debug');
  await measure([withEvents, variants[0]!, variants[3]!], calls / 100);
}
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, c) => a - c);
  const q = (p: number) => Number(s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1));
  return { median: q(0.5), p10: q(0.1), p90: q(0.9) };
};
const out: Record<string, unknown> = { lib: values.lib ?? 'this build', calls, sink: Number.isFinite(sink) };
for (const [name, r] of results) {
  const s = { sync: stats(r.sync), wait: stats(r.wait), total: stats(r.total) };
  out[name] = s;
  console.log(
    `${name.padEnd(44)} total ${String(s.total.median).padStart(6)} (${s.total.p10}–${s.total.p90})  sync ${String(s.sync.median).padStart(5)}  wait ${String(s.wait.median).padStart(5)} µs`,
  );
}
if (values.json) writeFileSync(values.json, JSON.stringify(out, null, 1));
mgr.destroy();
