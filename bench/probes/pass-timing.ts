/**
 * Timing for the kernel probes (reduce-variants, scan-variants, write-kernels): dispatches of raw
 * pipelines in one compute pass, or evaluations of a library sequence, each submitted and awaited
 * after a warm-up, the median of 7 repetitions.
 */
import type { Sequence } from '../../src/index.js';

/** One raw dispatch: a pipeline with its bind group, over `groups` workgroups (laid out over x, then y). */
export interface RawStep {
  readonly kernel: { readonly pipeline: GPUComputePipeline; readonly group: GPUBindGroup };
  readonly groups: number;
}

const REPS = 7;

async function median(run: () => Promise<unknown>, per: number): Promise<number> {
  await run();
  const s: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    await run();
    s.push((performance.now() - t) / 1000);
  }
  s.sort((p, q) => p - q);
  return s[REPS >> 1]! / per;
}

/** Seconds per run of `steps`, `runs` times over in one pass. */
export function timeSteps(device: GPUDevice, steps: readonly RawStep[], runs: number): Promise<number> {
  const maxX = device.limits.maxComputeWorkgroupsPerDimension;
  return median(async () => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (let i = 0; i < runs; i++) {
      for (const { kernel, groups } of steps) {
        pass.setPipeline(kernel.pipeline);
        pass.setBindGroup(0, kernel.group);
        pass.dispatchWorkgroups(Math.min(groups, maxX), Math.ceil(groups / maxX));
      }
    }
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  }, runs);
}

/** Seconds per run of a sequence that records the work `runs` times. */
export function timeSequence(seq: Sequence, runs: number): Promise<number> {
  return median(() => seq.eval(), runs);
}

/** Prints `name: GB/s` lines (of `bytes` moved in `seconds`) and keeps the figures in `results`. */
export function gbPerSecond(results: Record<string, number>, width: number): (name: string, seconds: number, bytes: number, note?: string) => void {
  return (name, seconds, bytes, note = '') => {
    results[name] = Number((bytes / seconds / 1e9).toFixed(1));
    console.log(`${name.padEnd(width)} ${results[name]!.toFixed(1).padStart(8)} GB/s ${note}`);
  };
}
