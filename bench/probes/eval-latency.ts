// Scratch: which part of kompute-ts's eval() adds latency over raw submit + wait? (not part of the suite)
import { Manager, MemoryType, OpAlgoDispatch } from '../../src/index.js';
import { TINY_WGSL } from '../kernels.js';
import { compareVariants } from './compare-variants.js';

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
  [
    'raw submit + onSubmittedWorkDone',
    async () => {
      submit();
      await device.queue.onSubmittedWorkDone();
    },
  ],
  [
    'raw, work-done asked in a microtask',
    async () => {
      submit();
      await new Promise<void>((r) => queueMicrotask(() => void device.queue.onSubmittedWorkDone().then(r)));
    },
  ],
  [
    'raw, wrapped in Promise.race + then',
    async () => {
      submit();
      await Promise.race([device.queue.onSubmittedWorkDone(), never]).then(() => undefined);
    },
  ],
  [
    'raw + error scope popped',
    async () => {
      device.pushErrorScope('validation');
      submit();
      const e = device.popErrorScope();
      await Promise.all([e, device.queue.onSubmittedWorkDone()]);
    },
  ],
  [
    'raw, encoder via mgr internals',
    async () => {
      submit();
      await (mgr as unknown as { device: GPUDevice }).device.queue.onSubmittedWorkDone();
    },
  ],
  ['kompute seq.eval()', () => seq.eval()],
  [
    'kompute evalAsync(); evalAwait()',
    async () => {
      seq.evalAsync();
      await seq.evalAwait();
    },
  ],
  [
    'kompute evalAsync(); evalAwait(); return seq',
    async () => {
      seq.evalAsync();
      await seq.evalAwait();
      return seq;
    },
  ],
  ['kompute seq.eval().then(() => undefined)', () => seq.eval().then(() => undefined)],
  [
    'kompute await seq.eval() inside async fn',
    async () => {
      await seq.eval();
    },
  ],
];
await compareVariants(variants, 1500, 200);
mgr.destroy();
