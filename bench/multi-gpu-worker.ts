/**
 * The worker of bench/multi-gpu.ts: on its own GPU it prepares one workload (an N × N SGEMM or
 * the element-wise `b = a * 2`), warms it up, waits for the common start time so every GPU runs
 * at once, runs it `reps` times, and reports when it finished and how much work it did.
 */
import { type Manager, OpMap, OpMatMul, type WorkerContext } from '../src/index.js';
import { randomFloats } from './workload.js';

/** What the bench asks of one worker. */
export interface MultiGpuTask {
  readonly kind: 'sgemm' | 'map';
  /** SGEMM: the matrix size N; map: the number of f32 elements. */
  readonly size: number;
  readonly reps: number;
  /** `Date.now()` at which every worker starts its timed loop. */
  readonly startAt: number;
}

/** What one worker reports. */
export interface MultiGpuResult {
  /** Floating-point operations (SGEMM) or bytes moved (map) over the timed loop. */
  readonly work: number;
  /** `Date.now()` when its timed loop began and ended. */
  readonly began: number;
  readonly ended: number;
  /** True when its preparation was not done by `startAt` (its loop started late). */
  readonly late: boolean;
  readonly device: string;
}

export default async function runTask(mgr: Manager, task: MultiGpuTask, context: WorkerContext): Promise<MultiGpuResult> {
  const seq = mgr.sequence();
  let work: number;
  if (task.kind === 'sgemm') {
    const n = task.size;
    const a = mgr.tensor(randomFloats(n * n, 1));
    const b = mgr.tensor(randomFloats(n * n, 2));
    const c = mgr.tensor(n * n, 'f32');
    const op = new OpMatMul(a, b, c, { m: n, n });
    for (let i = 0; i < task.reps; i++) seq.record(op);
    work = task.reps * 2 * n ** 3;
  } else {
    const a = mgr.tensor(randomFloats(task.size, 1));
    const b = mgr.tensor(task.size, 'f32');
    const op = new OpMap('a * 2.0', { a }, b);
    for (let i = 0; i < task.reps; i++) seq.record(op);
    work = task.reps * 2 * 4 * task.size;
  }
  await seq.eval(); // warm-up: pipelines compiled, memory touched
  const late = Date.now() > task.startAt;
  while (Date.now() < task.startAt) await new Promise((r) => setTimeout(r, Math.min(5, task.startAt - Date.now())));
  const began = Date.now();
  await seq.eval();
  const ended = Date.now();
  return { work, began, ended, late, device: context.device.pciAddress ?? context.device.name };
}
