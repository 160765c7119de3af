/** Timing helpers for the benchmark: warm-up, repetitions, median/min/max. */

export interface Timing {
  /** Seconds per repetition. */
  readonly samples: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface MeasureOptions {
  readonly warmup: number;
  readonly reps: number;
}

/** Runs `fn` `warmup` times untimed, then `reps` times timed (host clock around the awaited call). */
export async function measure(fn: () => Promise<unknown> | unknown, { warmup, reps }: MeasureOptions): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) / 1000);
  }
  return summarize(samples);
}

export function summarize(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { samples, median, min: sorted[0]!, max: sorted.at(-1)! };
}
