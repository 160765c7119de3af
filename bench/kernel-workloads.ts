/**
 * Benchmarks of the built-in kernels (src/kernels/). Matrix products report TFLOP/s, with raw
 * WebGPU running the very same shader (so the ratio is the framework's overhead). Reductions and
 * scans report GB/s of the data they must move, with raw WebGPU running the element-wise
 * `b = a * 2` kernel over the same bytes: the ratio is then the kernel's share of the element-wise
 * bandwidth measured in the same run (the issue's target is ≥ 0.8).
 */
import {
  type KernelOp,
  type Manager,
  MemoryType,
  OpFill,
  OpIota,
  OpMap,
  OpMatMul,
  OpMatMulInt8,
  OpReduce,
  OpScan,
  OpSoftmax,
  type MatMulTile,
  packInt8,
  type Tensor,
  UnsupportedError,
} from '../src/index.js';
import { randomInt8 } from '../examples/int8-matmul.js';
import { SCALE_WGSL } from './kernels.js';
import { rawDispatch, rawKernel, storageBuffer } from './raw.js';
import { type Prepared, randomFloats, type Workload } from './workload.js';

/** Runs `count` dispatches of one raw kernel over a 2-D grid, submits, and waits. */
async function rawDispatch2D(device: GPUDevice, kernel: { pipeline: GPUComputePipeline; group: GPUBindGroup }, groups: readonly number[], count: number): Promise<void> {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(kernel.pipeline);
  pass.setBindGroup(0, kernel.group);
  for (let i = 0; i < count; i++) pass.dispatchWorkgroups(groups[0]!, groups[1] ?? 1, groups[2] ?? 1);
  pass.end();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
}

/**
 * A matrix product `op` over `tensors` [a, b, c], recorded `count` times in one sequence, against
 * the very same shader through raw WebGPU on buffers holding the same inputs (`inputs`, as bytes):
 * the ratio is the framework's overhead. Reports 2·n³ operations per product, in units of 10¹².
 */
async function productVersusRaw(mgr: Manager, op: OpMatMul | OpMatMulInt8, tensors: readonly Tensor[], inputs: readonly [Float32Array, Float32Array], n: number, count: number): Promise<Prepared> {
  const seq = mgr.sequence();
  for (let i = 0; i < count; i++) seq.record(op);
  const device = mgr.device;
  const algorithm = op.algorithms[0]!;
  const ra = storageBuffer(device, inputs[0].byteLength, inputs[0]);
  const rb = storageBuffer(device, inputs[1].byteLength, inputs[1]);
  const rc = storageBuffer(device, n * n * 4);
  const kernel = await rawKernel(device, op.wgsl, [ra, rb, rc]);
  const groups = algorithm.getWorkgroup();
  return {
    kompute: { run: () => seq.eval() },
    raw: { run: () => rawDispatch2D(device, kernel, groups, count) },
    figure: (s) => (count * 2 * n ** 3) / s / 1e12,
    cleanup() {
      for (const buffer of [ra, rb, rc]) buffer.destroy();
      for (const r of [seq, algorithm, ...tensors]) r.destroy();
    },
  };
}

const TILE_NAMES: Record<string, 'large' | 'small' | MatMulTile> = {
  large: 'large',
  small: 'small',
  k16: { bm: 128, bn: 128, bk: 16, tm: 8, tn: 8 },
  tall: { bm: 128, bn: 64, bk: 16, tm: 8, tn: 4 },
  wide: { bm: 64, bn: 128, bk: 16, tm: 4, tn: 8 },
  big: { bm: 256, bn: 128, bk: 8, tm: 16, tn: 8 },
};

/** C = A·B, N × N, f32; `tileName` picks a tile for tuning (default: the kernel's own choice). */
function matmul(size: number, quickSize: number, tileName?: string): Workload {
  return {
    id: tileName ? `matmul-${size}-${tileName}` : `matmul-${size}`,
    title: `OpMatMul f32 ${size}×${size}×${size}${tileName ? ` (tile ${tileName})` : ''} (raw: the same shader)`,
    unit: 'TFLOP/s',
    higherIsBetter: true,
    target: size === 4096 && !tileName ? '≥ 30 TFLOP/s' : '',
    reps: 5,
    optional: tileName !== undefined,
    async prepare(mgr: Manager, quick: boolean): Promise<Prepared> {
      const n = quick ? quickSize : size;
      // Enough products per evaluation that one evaluation lasts well over the submit overhead.
      const count = quick ? 1 : Math.max(1, Math.min(64, Math.round(2e11 / (2 * n ** 3))));
      const av = randomFloats(n * n, 1);
      const bv = randomFloats(n * n, 2);
      const a = mgr.tensor(av, { type: MemoryType.Storage });
      const b = mgr.tensor(bv, { type: MemoryType.Storage });
      const c = mgr.tensor(n * n, 'f32', { type: MemoryType.Storage });
      const tile = tileName ? TILE_NAMES[tileName] : undefined;
      const op = await new OpMatMul(a, b, c, { m: n, n, ...(tile ? { tile } : {}) }).compiled();
      return productVersusRaw(mgr, op, [a, b, c], [av, bv], n, count);
    },
  };
}

/**
 * C = A·B, N × N × N, i8 × i8 → i32 on subgroup matrices (OpMatMulInt8). Where the device lacks
 * them, prepare throws UnsupportedError and the bench skips the workload, saying why (in Node, Dawn
 * offers them only with `--dawn-flags enable-dawn-features=allow_unsafe_apis`).
 */
function int8MatMul(size: number, quickSize: number): Workload {
  return {
    id: `int8-${size}`,
    title: `OpMatMulInt8 i8 ${size}×${size}×${size} → i32, subgroup matrices (--quick: ${quickSize}; raw: the same shader)`,
    unit: 'TFLOP/s',
    higherIsBetter: true,
    target: size === 4096 ? '≥ 200 TOP/s' : '',
    reps: 5,
    async prepare(mgr: Manager, quick: boolean): Promise<Prepared> {
      // Checked before any allocation, so that a skipped workload leaves nothing behind.
      if (!mgr.deviceInfo().subgroupMatrixConfigs.some((c) => c.componentType === 'i8' && c.resultComponentType === 'i32')) {
        throw new UnsupportedError('this device has no i8 subgroup matrices for OpMatMulInt8', 'on a GPU with matrix units, run the bench with --dawn-flags enable-dawn-features=allow_unsafe_apis');
      }
      const n = quick ? quickSize : size;
      const count = quick ? 1 : Math.max(1, Math.min(64, Math.round(2e13 / (2 * n ** 3))));
      const av = packInt8(randomInt8(n * n, 1));
      const bv = packInt8(randomInt8(n * n, 2));
      const a = mgr.tensor(av, { type: MemoryType.Storage });
      const b = mgr.tensor(bv, { type: MemoryType.Storage });
      const c = mgr.tensor(n * n, 'i32', { type: MemoryType.Storage });
      const op = await new OpMatMulInt8(a, b, c, { m: n, n }).compiled();
      // Integer operations, in the same unit column as the f32 products (TOP/s).
      return productVersusRaw(mgr, op, [a, b, c], [new Float32Array(av.buffer), new Float32Array(bv.buffer)], n, count);
    },
  };
}

/** Element-wise `b = a * 2` over `n` f32 as the raw side: the bandwidth reference of the same run. */
async function elementwiseReference(mgr: Manager, n: number, runs: number): Promise<{ run: () => Promise<void>; bytesPerRun: number; cleanup: () => void }> {
  const device = mgr.device;
  const vec4s = n / 4;
  const workgroups = Math.min(Math.ceil(vec4s / 4 / 256), device.limits.maxComputeWorkgroupsPerDimension);
  const ra = storageBuffer(device, n * 4, randomFloats(n, 3));
  const rb = storageBuffer(device, n * 4);
  const kernel = await rawKernel(device, SCALE_WGSL, [ra, rb], { 0: workgroups * 256 });
  return {
    run: () => rawDispatch(device, kernel, workgroups, runs),
    bytesPerRun: runs * 2 * n * 4,
    cleanup() {
      ra.destroy();
      rb.destroy();
    },
  };
}

function bandwidthWorkload(id: string, title: string, optional: boolean, target: string, make: (mgr: Manager, x: Tensor, n: number) => { ops: KernelOp; out: Tensor; bytes: number }): Workload {
  return {
    id,
    title: `${title}, 256 MB of f32 (--quick: 1 MB; raw: element-wise b = a * 2 over the same bytes)`,
    unit: 'GB/s',
    higherIsBetter: true,
    target,
    optional,
    async prepare(mgr, quick) {
      const n = quick ? 1 << 18 : 64 << 20;
      const x = mgr.tensor(randomFloats(n), { type: MemoryType.Storage });
      const { ops, out, bytes } = make(mgr, x, n);
      await ops.compiled();
      const runs = quick ? 1 : 10;
      const seq = mgr.sequence();
      for (let i = 0; i < runs; i++) seq.record(ops);
      const reference = await elementwiseReference(mgr, n, runs);
      // Both sides report bytes per second of their own traffic, 10 runs per evaluation.
      return {
        kompute: { run: () => seq.eval() },
        raw: { run: () => reference.run() },
        figure: (s) => (runs * bytes) / s / 1e9,
        rawFigure: (s) => reference.bytesPerRun / s / 1e9,
        cleanup() {
          reference.cleanup();
          for (const r of [seq, ...ops.algorithms, x, out]) r.destroy();
        },
      } satisfies Prepared;
    },
  };
}

/** Issue 6's target for reductions and the scan: a share of the element-wise bandwidth of the same run. */
const ISSUE_TARGET = 'ratio ≥ 0.8';

export const KERNEL_WORKLOADS: readonly Workload[] = [
  matmul(1024, 64),
  matmul(2048, 96),
  matmul(4096, 128),
  matmul(8192, 160),
  ...['large', 'small', 'k16', 'tall', 'wide', 'big'].map((t) => matmul(4096, 256, t)),
  ...['large', 'small'].map((t) => matmul(2048, 256, t)),
  int8MatMul(4096, 256),
  int8MatMul(8192, 512),
  ...[true, false].flatMap((subgroups) => {
    const suffix = subgroups ? '' : '-portable';
    const how = subgroups ? '' : ' (no subgroup operations)';
    return [
      bandwidthWorkload(`reduce-sum${suffix}`, `OpReduce sum of the whole tensor${how}`, !subgroups, subgroups ? ISSUE_TARGET : '', (mgr, x, n) => {
        const out = mgr.tensor(1, 'f32', { type: MemoryType.Storage });
        return { ops: new OpReduce(x, out, { subgroups }), out, bytes: n * 4 };
      }),
      bandwidthWorkload(`reduce-rows${suffix}`, `OpReduce max along each row of [65536, 1024] (--quick: [1024, 256])${how}`, !subgroups, subgroups ? ISSUE_TARGET : '', (mgr, x, n) => {
        const rows = Math.min(65536, n / 256);
        const out = mgr.tensor(rows, 'f32', { type: MemoryType.Storage });
        return { ops: new OpReduce(x, out, { op: 'max', axis: 1, shape: [rows, n / rows], subgroups }), out, bytes: n * 4 };
      }),
      bandwidthWorkload(`scan${suffix}`, `OpScan inclusive sum${how}`, !subgroups, subgroups ? ISSUE_TARGET : '', (mgr, x, n) => {
        const out = mgr.tensor(n, 'f32', { type: MemoryType.Storage });
        return { ops: new OpScan(x, out, { subgroups }), out, bytes: 2 * n * 4 };
      }),
    ];
  }),
  // The other kernels, each against the element-wise reference: the bytes they must move.
  bandwidthWorkload('map', "OpMap('a * 2.0 + 1.0'), reads n and writes n", false, '', (mgr, x, n) => {
    const out = mgr.tensor(n, 'f32', { type: MemoryType.Storage });
    return { ops: new OpMap('a * 2.0 + 1.0', { a: x }, out), out, bytes: 2 * n * 4 };
  }),
  bandwidthWorkload('softmax', 'OpSoftmax along each row of [65536, 1024] (--quick: [1024, 256]), reads n and writes n', false, '', (mgr, x, n) => {
    const rows = Math.min(65536, n / 256);
    const out = mgr.tensor(n, 'f32', { type: MemoryType.Storage });
    return { ops: new OpSoftmax(x, out, { shape: [rows, n / rows] }), out, bytes: 2 * n * 4 };
  }),
  bandwidthWorkload('fill', 'OpFill with 1.5, writes n', false, '', (mgr, _x, n) => {
    const out = mgr.tensor(n, 'f32', { type: MemoryType.Storage });
    return { ops: new OpFill(out, 1.5), out, bytes: n * 4 };
  }),
  bandwidthWorkload('iota', 'OpIota 0, 1, 2, ..., writes n', false, '', (mgr, _x, n) => {
    const out = mgr.tensor(n, 'f32', { type: MemoryType.Storage });
    return { ops: new OpIota(out), out, bytes: n * 4 };
  }),
  // Tuning: each workgroup scans several 2,048-element blocks in turn (OpScan's blockTiles).
  ...[4, 16].map((blockTiles) =>
    bandwidthWorkload(`scan-tiles${blockTiles}`, `OpScan inclusive sum, ${blockTiles} blocks per workgroup`, true, '', (mgr, x, n) => {
      const out = mgr.tensor(n, 'f32', { type: MemoryType.Storage });
      return { ops: new OpScan(x, out, { blockTiles }), out, bytes: 2 * n * 4 };
    }),
  ),
];
