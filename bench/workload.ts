/**
 * The benchmark's workload contract: what a workload is (bench/workloads.ts and
 * bench/kernel-workloads.ts both implement it) and the input generator they share. Its own file,
 * so the two workload lists import it and not each other.
 */
import type { Manager } from '../src/index.js';

export type Unit = 'GB/s' | 'µs' | 'TFLOP/s';

/** One side of a workload, ready to time; `cleanup` frees what setup created. */
export interface Side {
  run(): Promise<unknown>;
}

export interface Prepared {
  readonly kompute: Side;
  readonly raw: Side;
  /** Converts seconds per repetition into the figure reported (GB/s, µs per unit, s). */
  readonly figure: (seconds: number) => number;
  /** The raw side's figure, when its work differs from kompute-ts's (a reference kernel). */
  readonly rawFigure?: (seconds: number) => number;
  cleanup(): void;
}

export interface Workload {
  readonly id: string;
  readonly title: string;
  readonly unit: Unit;
  /** Higher is better for GB/s, lower for times. */
  readonly higherIsBetter: boolean;
  /** Target on the H100, for the report. */
  readonly target?: string;
  /** Timed repetitions and warm-ups, when not the defaults. */
  readonly reps?: number;
  readonly warmup?: number;
  /** Runs only when named with --only (tuning variants). */
  readonly optional?: boolean;
  prepare(mgr: Manager, quick: boolean): Promise<Prepared>;
}

export function randomFloats(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}
