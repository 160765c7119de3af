import { MapMode } from '../backends/webgpu-constants.js';
import type { Operation } from '../operations/operation.js';
import type { GPUBuffer } from '../backends/webgpu-types.js';

/** The GPU time of one operation of the last evaluated batch. */
export interface OpTiming {
  /** Position of the operation in the batch. */
  readonly index: number;
  /** The operation's name, e.g. `OpAlgoDispatch`. */
  readonly op: string;
  /**
   * Nanoseconds the operation's dispatches took on the GPU, or null for operations WebGPU cannot
   * time (copies and syncs: timestamps exist only around compute passes).
   */
  readonly ns: number | null;
}

/** The most timestamp queries one batch may use (two per timed dispatch). */
export const MAX_TIMESTAMP_QUERIES = 4096;

/** The timings of a batch in which nothing was timed. */
export function untimed(batch: readonly Operation[]): OpTiming[] {
  return batch.map((op, index) => ({ index, op: op.name, ns: null }));
}

/** One timed dispatch on the GPU's clock: its begin from the batch's first begin, and its length. */
export interface GpuSpan {
  readonly index: number;
  readonly op: string;
  readonly startNs: number;
  readonly ns: number;
}

/**
 * Reads the resolved timestamps of `timedOps` (one begin/end pair per timed pass) back from
 * `readback`; with `spans`, also each pass's begin and length on the GPU's clock (for traces).
 */
export async function readTimings(readback: GPUBuffer, timedOps: readonly number[], batch: readonly Operation[], spans: GpuSpan[] | null = null): Promise<OpTiming[]> {
  await readback.mapAsync(MapMode.READ, 0, timedOps.length * 16);
  const ticks = new BigUint64Array(readback.getMappedRange(0, timedOps.length * 16).slice(0));
  readback.unmap();
  const ns: (number | null)[] = batch.map(() => null);
  timedOps.forEach((opIndex, q) => {
    const elapsed = Number(ticks[2 * q + 1]! - ticks[2 * q]!);
    ns[opIndex] = (ns[opIndex] ?? 0) + Math.max(0, elapsed);
  });
  if (spans && timedOps.length > 0) {
    const first = ticks[0]!;
    timedOps.forEach((opIndex, q) => spans.push({ index: opIndex, op: batch[opIndex]!.name, startNs: Number(ticks[2 * q]! - first), ns: Math.max(0, Number(ticks[2 * q + 1]! - ticks[2 * q]!)) }));
  }
  return batch.map((op, index) => ({ index, op: op.name, ns: ns[index] ?? null }));
}
