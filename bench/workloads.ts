/**
 * The benchmark's workloads. Each runs the same work through kompute-ts and through raw WebGPU
 * on the manager's own device, in the same process.
 */
import { Manager, MemoryType, OpAlgoDispatch, OpCopy, OpReduce, OpSyncDevice, OpSyncLocal, type Sequence, type Tensor } from '../src/index.js';
import { logisticShader } from '../examples/logistic-regression.js';
import { SCALE_WGSL, SMALL_WGSL, TINY_WGSL } from './kernels.js';
import { KERNEL_WORKLOADS } from './kernel-workloads.js';
import { rawDispatch, rawKernel, rawRead, readbackBuffer, storageBuffer } from './raw.js';
import { MapMode } from '../src/backends/webgpu-constants.js';
import { randomFloats, type Workload } from './workload.js';

const GB = 1e9;

function scaleSetup(mgr: Manager, quick: boolean) {
  const n = quick ? 1 << 20 : 64 << 20;
  const vec4s = n / 4;
  const workgroups = Math.min(Math.ceil(vec4s / 4 / 256), mgr.device.limits.maxComputeWorkgroupsPerDimension);
  const threads = workgroups * 256;
  return { n, workgroups, threads, data: randomFloats(n) };
}

function elementwise(batched: boolean): Workload {
  const count = batched ? 50 : 1;
  return {
    id: batched ? 'elementwise-batched' : 'elementwise-per-dispatch',
    title: batched ? 'b = a * 2, 50 dispatches in one sequence' : 'b = a * 2, submit + wait per dispatch',
    unit: 'GB/s',
    higherIsBetter: true,
    target: batched ? '≥ 2,800 GB/s' : '',
    async prepare(mgr, quick) {
      const { n, workgroups, threads, data } = scaleSetup(mgr, quick);
      const a = mgr.tensor(data, { type: MemoryType.Storage });
      const b = mgr.tensor(n, 'f32', { type: MemoryType.Storage });
      const algorithm = await mgr.algorithm([a, b], SCALE_WGSL, { workgroup: [workgroups], constants: [threads] }).compiled();
      const seq = mgr.sequence();
      for (let i = 0; i < count; i++) seq.record(new OpAlgoDispatch(algorithm));
      const device = mgr.device;
      const ra = storageBuffer(device, n * 4, data);
      const rb = storageBuffer(device, n * 4);
      const kernel = await rawKernel(device, SCALE_WGSL, [ra, rb], { 0: threads });
      return {
        kompute: { run: () => seq.eval() },
        raw: { run: () => rawDispatch(device, kernel, workgroups, count) },
        figure: (s) => (count * 2 * n * 4) / s / GB,
        cleanup() {
          ra.destroy();
          rb.destroy();
          for (const r of [seq, algorithm, a, b]) r.destroy();
        },
      };
    },
  };
}

function transferSize(quick: boolean): number {
  return (quick ? 16 : 256) << 18; // f32 elements: 16 MB or 256 MB
}

const uploadHostView: Workload = {
  id: 'upload-host-view',
  title: 'OpSyncDevice of 256 MB already in the host view (raw: writeBuffer)',
  unit: 'GB/s',
  higherIsBetter: true,
  target: '≥ 40 GB/s',
  async prepare(mgr, quick) {
    const n = transferSize(quick);
    const data = randomFloats(n);
    const t = mgr.tensor(data);
    const seq = mgr.sequence().record(new OpSyncDevice([t]));
    const device = mgr.device;
    const rb = storageBuffer(device, n * 4);
    return {
      kompute: { run: () => seq.eval() },
      raw: {
        run: async () => {
          device.queue.writeBuffer(rb, 0, data);
          await device.queue.onSubmittedWorkDone();
        },
      },
      figure: (s) => (n * 4) / s / GB,
      cleanup() {
        rb.destroy();
        seq.destroy();
        t.destroy();
      },
    };
  },
};

/** What the upload workloads share: 256 MB of data, a tensor with its upload sequence, and a storage buffer for the raw side. */
function uploadSetup(mgr: Manager, quick: boolean) {
  const n = transferSize(quick);
  const t = mgr.tensor(n, 'f32');
  return { n, data: randomFloats(n), t, seq: mgr.sequence().record(new OpSyncDevice([t])), device: mgr.device, rb: storageBuffer(mgr.device, n * 4) };
}

const uploadSetData: Workload = {
  id: 'upload-setData',
  title: 'setData(JS array) + OpSyncDevice, 256 MB (raw: writeBuffer)',
  unit: 'GB/s',
  higherIsBetter: true,
  target: '≥ 8 GB/s',
  async prepare(mgr, quick) {
    const { n, data, t, seq, device, rb } = uploadSetup(mgr, quick);
    return {
      kompute: {
        run: () => {
          t.setData(data);
          return seq.eval();
        },
      },
      raw: {
        run: async () => {
          device.queue.writeBuffer(rb, 0, data);
          await device.queue.onSubmittedWorkDone();
        },
      },
      figure: (s) => (n * 4) / s / GB,
      cleanup() {
        rb.destroy();
        seq.destroy();
        t.destroy();
      },
    };
  },
};

/**
 * The upload end to end: the host writes 256 MB into the tensor's host view, then OpSyncDevice.
 * Raw: the same writes into a mapped MAP_WRITE buffer, unmap, copy, map again (the one-copy floor).
 */
/**
 * Host writes into `data()` + `OpSyncDevice`. With `oneCopy`, through a second manager on the same
 * device with `hostData: 'upload-buffer'`: the host data is the upload buffer itself, so the
 * host's writes are the bus crossing (where the auto placement keeps host data in host memory,
 * each upload makes a second copy into the upload buffer).
 */
function uploadWriteSync(oneCopy: boolean): Workload {
  return {
    id: oneCopy ? 'upload-write-sync-one-copy' : 'upload-write-sync',
    title: `host writes 256 MB into data() + OpSyncDevice${oneCopy ? ", hostData 'upload-buffer'" : ''} (raw: writes into a mapped MAP_WRITE buffer + copy + remap)`,
    unit: 'GB/s',
    higherIsBetter: true,
    target: oneCopy ? 'ratio ≥ 0.95 (the raw path is the floor)' : '≥ 40 GB/s (host writes counted)',
    async prepare(shared, quick) {
      const mgr = oneCopy ? Manager.fromDevice(shared.device, { hostData: 'upload-buffer' }) : shared;
      const { n, data, t, seq, device, rb } = uploadSetup(mgr, quick);
      const staging = device.createBuffer({ size: n * 4, usage: 0x0002 | 0x0004, mappedAtCreation: true });
      return {
        kompute: {
          run: () => {
            t.data().set(data);
            return seq.eval();
          },
        },
        raw: {
          run: async () => {
            new Float32Array(staging.getMappedRange()).set(data);
            staging.unmap();
            const encoder = device.createCommandEncoder();
            encoder.copyBufferToBuffer(staging, 0, rb, 0, n * 4);
            device.queue.submit([encoder.finish()]);
            await staging.mapAsync(MapMode.WRITE);
          },
        },
        figure: (s) => (n * 4) / s / GB,
        cleanup() {
          rb.destroy();
          staging.destroy();
          seq.destroy();
          t.destroy();
          if (mgr !== shared) mgr.destroy();
        },
      };
    },
  };
}

/** Reading the host view after setData (before any evaluation): 1 MiB summed element by element. Raw: the same loop over a plain array. */
const readAfterSetData: Workload = {
  id: 'read-after-setData',
  title: 'sum of 1 MiB of data() right after setData of 256 MB (raw: the same loop over a plain array)',
  unit: 'GB/s',
  higherIsBetter: true,
  target: 'host-memory speed',
  reps: 5,
  warmup: 1,
  async prepare(mgr, quick) {
    const n = transferSize(quick);
    const data = randomFloats(n);
    const t = mgr.tensor(n, 'f32');
    t.setData(data);
    const count = (1 << 20) / 4;
    let sink = 0;
    const sum = (view: Float32Array) => {
      let s = 0;
      for (let i = 0; i < count; i++) s += view[i]!;
      sink += s;
    };
    return {
      kompute: { run: async () => sum(t.data()) },
      raw: { run: async () => sum(data) },
      figure: (s) => (count * 4) / s / GB + 0 * sink,
      cleanup() {
        t.destroy();
      },
    };
  },
};

function download(copyOut: boolean): Workload {
  return {
    id: copyOut ? 'download-copy' : 'download-view',
    title: copyOut ? 'OpSyncLocal of 256 MB + data().slice() into a JS array (raw: map + slice)' : 'OpSyncLocal of 256 MB, read through data() (raw: copy + map, read in place)',
    unit: 'GB/s',
    higherIsBetter: true,
    target: copyOut ? '' : '≥ 40 GB/s',
    async prepare(mgr, quick) {
      const n = transferSize(quick);
      const data = randomFloats(n);
      const t = mgr.tensor(data);
      await mgr.sequence().eval(new OpSyncDevice([t]));
      const seq = mgr.sequence().record(new OpSyncLocal([t]));
      const device = mgr.device;
      const rb = storageBuffer(device, n * 4, data);
      const readback = readbackBuffer(device, n * 4);
      let sink = 0;
      return {
        kompute: {
          run: async () => {
            await seq.eval();
            const view = t.data();
            sink += copyOut ? view.slice()[n - 1]! : view[n - 1]!;
          },
        },
        raw: {
          // download-view's raw side does what data() does (copy, map, read in place); download-copy's copies out.
          run: async () => {
            if (copyOut) {
              sink += (await rawRead(device, rb, readback, n * 4))[n - 1]!;
              return;
            }
            const encoder = device.createCommandEncoder();
            encoder.copyBufferToBuffer(rb, 0, readback, 0, n * 4);
            device.queue.submit([encoder.finish()]);
            await readback.mapAsync(MapMode.READ);
            sink += new Float32Array(readback.getMappedRange())[n - 1]!;
            readback.unmap();
          },
        },
        figure: (s) => (n * 4) / s / GB + 0 * sink,
        cleanup() {
          rb.destroy();
          readback.destroy();
          seq.destroy();
          t.destroy();
        },
      };
    },
  };
}

const RANGE_SYNCS = 200;
/**
 * A ranged OpSyncLocal (Kompute #24): 1 MB out of a 256 MB tensor, against a whole 1 MB tensor
 * (the "raw" column here is kompute-ts too: the acceptance is the ranged sync within 10% of the
 * whole 1 MB one, not of a 256 MB one). Only the syncs are timed; the data is checked once, at
 * the end (reading data() between ranged readbacks costs a JavaScript copy of the range, see
 * MappedHostCopy).
 */
const syncLocalRange: Workload = {
  id: 'sync-local-range',
  title: 'OpSyncLocal of a 1 MB view of a 256 MB tensor, per sync (raw column: OpSyncLocal of a whole 1 MB tensor)',
  unit: 'µs',
  higherIsBetter: false,
  target: '≤ 1.1× the whole 1 MB tensor',
  // A sync is tens of microseconds, at the mercy of the GPU's clocks: more repetitions steady the median.
  reps: 15,
  async prepare(mgr, quick) {
    const n = (quick ? 16 << 20 : 256 << 20) / 4;
    const window = (1 << 20) / 4;
    const offset = n / 2 + 4096;
    const data = randomFloats(n);
    const source = mgr.tensor(data, { type: MemoryType.Storage });
    const big = mgr.tensor(n, 'f32');
    const small = mgr.tensor(window, 'f32');
    await mgr.sequence().eval(new OpCopy([source, big]), new OpCopy([source.view(offset, window), small]));
    const view = big.view(offset, window);
    const ranged = mgr.sequence().record(new OpSyncLocal([view]));
    const whole = mgr.sequence().record(new OpSyncLocal([small]));
    return {
      kompute: {
        run: async () => {
          for (let i = 0; i < RANGE_SYNCS; i++) await ranged.eval();
        },
      },
      raw: {
        run: async () => {
          for (let i = 0; i < RANGE_SYNCS; i++) await whole.eval();
        },
      },
      figure: (s) => (s / RANGE_SYNCS) * 1e6,
      cleanup() {
        const got = view.data();
        for (let i = 0; i < window; i += 4093) {
          if (got[i] !== data[offset + i] || small.data()[i] !== data[offset + i]) throw new Error(`sync-local-range: element ${i} of the view is ${got[i]}, expected ${data[offset + i]}`);
        }
        ranged.destroy();
        whole.destroy();
        source.destroy();
        big.destroy();
        small.destroy();
      },
    };
  },
};

const TINY_EVALS = 200;
/** Calls timed one by one in the per-call workloads (their median and spread are per call). */
const PER_CALL_REPS = 2000;

/**
 * One tiny dispatch evaluated and awaited: the mean of {@link TINY_EVALS} calls a repetition, or
 * with `perCall` each call timed on its own (the per-call median other libraries report).
 */
function tinyEval(perCall: boolean): Workload {
  const evals = perCall ? 1 : TINY_EVALS;
  return {
    id: perCall ? 'tiny-eval-per-call' : 'tiny-eval',
    title: perCall ? 'eval() of one tiny dispatch (submit + wait), each call timed' : 'eval() of one tiny dispatch (submit + wait)',
    unit: 'µs',
    higherIsBetter: false,
    target: perCall ? '≤ 1.1× raw, ≤ 36 µs (TypeGPU, issue #17)' : '≤ 1.1× raw, ≤ 50 µs',
    ...(perCall ? { reps: PER_CALL_REPS, warmup: 100 } : {}),
    async prepare(mgr) {
      const x = mgr.tensor(4, 'f32', { type: MemoryType.Storage });
      const algorithm = await mgr.algorithm([x], TINY_WGSL, { workgroup: [1] }).compiled();
      const seq = mgr.sequence().record(new OpAlgoDispatch(algorithm));
      const device = mgr.device;
      const rx = storageBuffer(device, 16);
      const kernel = await rawKernel(device, TINY_WGSL, [rx]);
      return {
        kompute: {
          run: async () => {
            for (let i = 0; i < evals; i++) await seq.eval();
          },
        },
        raw: {
          run: async () => {
            for (let i = 0; i < evals; i++) await rawDispatch(device, kernel, 1);
          },
        },
        figure: (s) => (s / evals) * 1e6,
        cleanup() {
          rx.destroy();
          seq.destroy();
          algorithm.destroy();
          x.destroy();
        },
      };
    },
  };
}

const DISPATCHES = 1000;
const manyDispatches: Workload = {
  id: 'dispatch-1000',
  title: '1,000 small dispatches recorded in one sequence, per dispatch',
  unit: 'µs',
  higherIsBetter: false,
  target: '≤ 5 µs',
  async prepare(mgr) {
    const n = 1024;
    const x = mgr.tensor(randomFloats(n), { type: MemoryType.Storage });
    const algorithm = await mgr.algorithm([x], SMALL_WGSL, { workgroup: [n / 64] }).compiled();
    const seq = mgr.sequence();
    for (let i = 0; i < DISPATCHES; i++) seq.record(new OpAlgoDispatch(algorithm));
    const device = mgr.device;
    const rx = storageBuffer(device, n * 4, randomFloats(n));
    const kernel = await rawKernel(device, SMALL_WGSL, [rx]);
    return {
      kompute: { run: () => seq.eval() },
      raw: { run: () => rawDispatch(device, kernel, n / 64, DISPATCHES) },
      figure: (s) => (s / DISPATCHES) * 1e6,
      cleanup() {
        rx.destroy();
        seq.destroy();
        algorithm.destroy();
        x.destroy();
      },
    };
  },
};

function komputeBenchmark(): Workload {
  return {
    id: 'kompute-benchmark',
    title: "Kompute's benchmark, per round: 10 sequences × 10 dispatches over 102,400 elements, evalAsync all, evalAwait all",
    reps: 5,
    warmup: 1,
    unit: 'µs',
    higherIsBetter: false,
    target: '≤ 500 µs per round (< 5 s for 10,000)',
    async prepare(mgr, quick) {
      const rounds = quick ? 100 : 10_000;
      const n = 102_400;
      const sequences: Sequence[] = [];
      const tensors: Tensor[] = [];
      const device = mgr.device;
      const raws: { buffer: GPUBuffer; kernel: Awaited<ReturnType<typeof rawKernel>> }[] = [];
      for (let s = 0; s < 10; s++) {
        const x = mgr.tensor(randomFloats(n, s + 1), { type: MemoryType.Storage });
        tensors.push(x);
        const algorithm = await mgr.algorithm([x], SMALL_WGSL, { workgroup: [n / 64] }).compiled();
        const seq = mgr.sequence();
        for (let d = 0; d < 10; d++) seq.record(new OpAlgoDispatch(algorithm));
        sequences.push(seq);
        const buffer = storageBuffer(device, n * 4, randomFloats(n, s + 1));
        raws.push({ buffer, kernel: await rawKernel(device, SMALL_WGSL, [buffer]) });
      }
      return {
        kompute: {
          run: async () => {
            for (let r = 0; r < rounds; r++) {
              for (const seq of sequences) seq.evalAsync();
              for (const seq of sequences) await seq.evalAwait();
            }
          },
        },
        raw: {
          run: async () => {
            for (let r = 0; r < rounds; r++) {
              const done: Promise<void>[] = [];
              for (const { kernel } of raws) {
                const encoder = device.createCommandEncoder();
                const pass = encoder.beginComputePass();
                pass.setPipeline(kernel.pipeline);
                pass.setBindGroup(0, kernel.group);
                for (let d = 0; d < 10; d++) pass.dispatchWorkgroups(n / 64);
                pass.end();
                device.queue.submit([encoder.finish()]);
                done.push(device.queue.onSubmittedWorkDone());
              }
              await Promise.all(done);
            }
          },
        },
        figure: (s) => (s / rounds) * 1e6,
        cleanup() {
          for (const r of raws) r.buffer.destroy();
          for (const s of sequences) s.destroy();
          for (const t of tensors) t.destroy();
        },
      };
    },
  };
}

const LOGISTIC_ITERATIONS = 20;
const LOGISTIC_WGSL_64 = logisticShader(64);
/** A logistic-regression iteration: {@link LOGISTIC_ITERATIONS} a repetition, or with `perCall` one (timed on its own). */
function logistic(samples: number, perCall = false): Workload {
  const iterations = perCall ? 1 : LOGISTIC_ITERATIONS;
  return {
    id: `${samples === 5 ? 'logistic-5' : `logistic-${samples / 1_000_000}M`}${perCall ? '-per-call' : ''}`,
    ...(perCall ? { reps: PER_CALL_REPS, warmup: 100 } : {}),
    title: `logistic-regression iteration, ${samples.toLocaleString('en-US')} samples (eval + host update)${perCall ? ', each iteration timed' : ''}`,
    unit: 'µs',
    higherIsBetter: false,
    target: samples === 5 ? '≤ 60 µs' : '',
    async prepare(mgr, quick) {
      const m = quick && samples > 5 ? 65_536 : samples;
      const xi = randomFloats(m, 3).map((v) => v + 0.5);
      const xj = randomFloats(m, 4).map((v) => v + 0.5);
      const y = xi.map((v, i) => (v + xj[i]! > 1 ? 1 : 0));
      const host = [xi, xj, y, new Float32Array([0.001, 0.001]), new Float32Array(m), new Float32Array(m), new Float32Array([0]), new Float32Array(m), new Float32Array(m)];
      const tensors = host.map((d) => mgr.tensor(d));
      const [, , , wIn, wOutI, wOutJ, bIn, bOut, lOut] = tensors as [
        Tensor<'f32'>,
        Tensor<'f32'>,
        Tensor<'f32'>,
        Tensor<'f32'>,
        Tensor<'f32'>,
        Tensor<'f32'>,
        Tensor<'f32'>,
        Tensor<'f32'>,
        Tensor<'f32'>,
      ];
      const groups = Math.ceil(m / 64);
      const algorithm = await mgr.algorithm(tensors, LOGISTIC_WGSL_64, { workgroup: [groups], constants: [m] }).compiled();
      await mgr.sequence().eval(new OpSyncDevice(tensors));
      const seq = mgr
        .sequence()
        .record(new OpSyncDevice([wIn, bIn]))
        .record(new OpAlgoDispatch(algorithm))
        .record(new OpSyncLocal([wOutI, wOutJ, bOut, lOut]));
      const kompute = async () => {
        for (let it = 0; it < iterations; it++) {
          await seq.eval();
          const w = wIn.data();
          const b = bIn.data();
          const gI = wOutI.data();
          const gJ = wOutJ.data();
          const gB = bOut.data();
          let sI = 0;
          let sJ = 0;
          let sB = 0;
          for (let j = 0; j < m; j++) {
            sI += gI[j]!;
            sJ += gJ[j]!;
            sB += gB[j]!;
          }
          w[0]! -= 0.1 * sI;
          w[1]! -= 0.1 * sJ;
          b[0]! -= 0.1 * sB;
        }
      };

      const device = mgr.device;
      const buffers = host.map((d) => storageBuffer(device, d.byteLength, d));
      const kernel = await rawKernel(device, LOGISTIC_WGSL_64, buffers, { 0: m });
      const readback = readbackBuffer(device, 4 * m * 4);
      const w = new Float32Array([0.001, 0.001]);
      const b = new Float32Array([0]);
      const raw = async () => {
        for (let it = 0; it < iterations; it++) {
          device.queue.writeBuffer(buffers[3]!, 0, w);
          device.queue.writeBuffer(buffers[6]!, 0, b);
          const encoder = device.createCommandEncoder();
          const pass = encoder.beginComputePass();
          pass.setPipeline(kernel.pipeline);
          pass.setBindGroup(0, kernel.group);
          pass.dispatchWorkgroups(groups);
          pass.end();
          [4, 5, 7, 8].forEach((index, k) => encoder.copyBufferToBuffer(buffers[index]!, 0, readback, k * m * 4, m * 4));
          device.queue.submit([encoder.finish()]);
          await readback.mapAsync(MapMode.READ);
          const all = new Float32Array(readback.getMappedRange());
          let sI = 0;
          let sJ = 0;
          let sB = 0;
          for (let j = 0; j < m; j++) {
            sI += all[j]!;
            sJ += all[m + j]!;
            sB += all[2 * m + j]!;
          }
          readback.unmap();
          w[0]! -= 0.1 * sI;
          w[1]! -= 0.1 * sJ;
          b[0]! -= 0.1 * sB;
        }
      };
      return {
        kompute: { run: kompute },
        raw: { run: raw },
        figure: (s) => (s / iterations) * 1e6,
        cleanup() {
          for (const buf of buffers) buf.destroy();
          readback.destroy();
          seq.destroy();
          algorithm.destroy();
          for (const t of tensors) t.destroy();
        },
      };
    },
  };
}

/**
 * The 1M-sample logistic regression with the host sums replaced by the library's reductions:
 * three OpReduce sums on the GPU, three floats back. Raw: the literal raw port (host sums), so the
 * ratio shows what the idiomatic path saves.
 */
const logisticGpu: Workload = {
  id: 'logistic-1M-gpu',
  title: 'logistic-regression iteration, 1,000,000 samples, gradients summed by OpReduce (raw: the host-loop port)',
  unit: 'µs',
  higherIsBetter: false,
  target: '≤ 744 µs (0.5× Kompute)',
  async prepare(mgr, quick) {
    const literal = await logistic(1_000_000).prepare(mgr, quick);
    const m = quick ? 65_536 : 1_000_000;
    const xi = randomFloats(m, 3).map((v) => v + 0.5);
    const xj = randomFloats(m, 4).map((v) => v + 0.5);
    const y = xi.map((v, i) => (v + xj[i]! > 1 ? 1 : 0));
    const store = { type: MemoryType.Storage } as const;
    const tensors = [
      mgr.tensor(xi, store),
      mgr.tensor(xj, store),
      mgr.tensor(y, store),
      mgr.tensor(new Float32Array([0.001, 0.001])),
      mgr.tensor(m, 'f32', store),
      mgr.tensor(m, 'f32', store),
      mgr.tensor(new Float32Array([0])),
      mgr.tensor(m, 'f32', store),
      mgr.tensor(m, 'f32', store),
    ] as Tensor<'f32'>[];
    const [, , , wIn, wOutI, wOutJ, bIn, bOut] = tensors as [Tensor<'f32'>, Tensor<'f32'>, Tensor<'f32'>, Tensor<'f32'>, Tensor<'f32'>, Tensor<'f32'>, Tensor<'f32'>, Tensor<'f32'>];
    const sums = [mgr.tensor(1, 'f32'), mgr.tensor(1, 'f32'), mgr.tensor(1, 'f32')] as [Tensor<'f32'>, Tensor<'f32'>, Tensor<'f32'>];
    const algorithm = await mgr.algorithm(tensors, LOGISTIC_WGSL_64, { workgroup: [Math.ceil(m / 64)], constants: [m] }).compiled();
    const reduces = [new OpReduce(wOutI, sums[0]), new OpReduce(wOutJ, sums[1]), new OpReduce(bOut, sums[2])];
    for (const r of reduces) await r.compiled();
    const seq = mgr
      .sequence()
      .record(new OpSyncDevice([wIn, bIn]))
      .record(new OpAlgoDispatch(algorithm));
    for (const r of reduces) seq.record(r);
    seq.record(new OpSyncLocal(sums));
    return {
      kompute: {
        run: async () => {
          for (let it = 0; it < LOGISTIC_ITERATIONS; it++) {
            await seq.eval();
            const w = wIn.data();
            const b = bIn.data();
            w[0]! -= 0.1 * sums[0].data()[0]!;
            w[1]! -= 0.1 * sums[1].data()[0]!;
            b[0]! -= 0.1 * sums[2].data()[0]!;
          }
        },
      },
      raw: literal.raw,
      figure: (s) => (s / LOGISTIC_ITERATIONS) * 1e6,
      cleanup() {
        literal.cleanup();
        seq.destroy();
        for (const r of reduces) r.destroyResources();
        algorithm.destroy();
        for (const t of [...tensors, ...sums]) t.destroy();
      },
    };
  },
};

export const WORKLOADS: readonly Workload[] = [
  elementwise(true),
  elementwise(false),
  uploadHostView,
  uploadSetData,
  uploadWriteSync(false),
  uploadWriteSync(true),
  readAfterSetData,
  download(false),
  download(true),
  syncLocalRange,
  tinyEval(false),
  tinyEval(true),
  manyDispatches,
  komputeBenchmark(),
  logistic(5),
  logistic(5, true),
  logistic(1_000_000),
  logisticGpu,
  ...KERNEL_WORKLOADS,
];
