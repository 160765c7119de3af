// Scratch: why does one large dispatch take longer through kompute-ts than raw? (not part of the suite)
import { Manager, MemoryType, OpAlgoDispatch } from '../../src/index.js';
import { DeviceContext } from '../../src/core/device-context.js';
import { SCALE_WGSL } from '../kernels.js';
import { compareVariants } from './compare-variants.js';
import { randomFloats } from '../workload.js';

const mgr = await Manager.create();
const device = mgr.device;
const n = 64 << 20;
const workgroups = Math.min(Math.ceil(n / 16 / 256), 65535);
const threads = workgroups * 256;
const a = mgr.tensor(randomFloats(n), { type: MemoryType.Storage });
const b = mgr.tensor(n, 'f32', { type: MemoryType.Storage });
const algo = await mgr.algorithm([a, b], SCALE_WGSL, { workgroup: [workgroups], constants: [threads] }).compiled();
const seq = mgr.sequence().record(new OpAlgoDispatch(algo));
const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code: SCALE_WGSL }), constants: { 0: threads } } });
const group = device.createBindGroup({
  layout: pipeline.getBindGroupLayout(0),
  entries: [
    { binding: 0, resource: { buffer: a.buffer } },
    { binding: 1, resource: { buffer: b.buffer } },
  ],
});
function submit(): void {
  const e = device.createCommandEncoder();
  const p = e.beginComputePass();
  p.setPipeline(pipeline);
  p.setBindGroup(0, group);
  p.dispatchWorkgroups(workgroups);
  p.end();
  device.queue.submit([e.finish()]);
}
const original = DeviceContext.prototype.workDone;
const direct = function (this: DeviceContext) {
  return this.device.queue.onSubmittedWorkDone();
};
const variants: [string, () => Promise<unknown>][] = [
  [
    'raw submit + onSubmittedWorkDone',
    async () => {
      submit();
      await device.queue.onSubmittedWorkDone();
    },
  ],
  [
    'raw, work-done in a microtask',
    async () => {
      submit();
      await new Promise<void>((r) => queueMicrotask(() => void device.queue.onSubmittedWorkDone().then(r)));
    },
  ],
  ['kompute seq.eval()', () => seq.eval()],
  [
    'kompute, workDone() not coalesced',
    async () => {
      DeviceContext.prototype.workDone = direct;
      try {
        await seq.eval();
      } finally {
        DeviceContext.prototype.workDone = original;
      }
    },
  ],
  [
    'raw, 2 futures (workdone + scope)',
    async () => {
      device.pushErrorScope('validation');
      submit();
      const e = device.popErrorScope();
      await Promise.all([e, device.queue.onSubmittedWorkDone()]);
    },
  ],
];
await compareVariants(variants, 100, 20);
mgr.destroy();
