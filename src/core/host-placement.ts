import { BufferUsage } from '../backends/webgpu-constants.js';
import type { GPUDevice } from '../backends/webgpu-types.js';

/**
 * Where a large tensor's host data (`data()`) lives:
 *
 * - `'upload-buffer'`: in the mapped upload buffer (`MAP_WRITE | COPY_SRC`). Writing the data and
 *   uploading it cost no JavaScript copy. Right where that buffer is ordinary host memory.
 * - `'host-memory'`: in the mapped readback buffer (`MAP_READ | COPY_DST`), which Dawn places in
 *   host-cached memory; an upload copies it into the upload buffer first. Right where the upload
 *   buffer is device memory behind a resizable BAR (Dawn's Vulkan backend places `MAP_WRITE`
 *   buffers in the largest host-visible heap, which on such GPUs is the device's own memory:
 *   writes there cross the bus at once, but each read from the host is an uncached bus round trip,
 *   a few MB/s).
 */
export type HostDataPlacement = 'upload-buffer' | 'host-memory';

/** The `hostData` manager option: a placement, or `'auto'` to measure which suits the device. */
export type HostDataOption = HostDataPlacement | 'auto';

/** Words read per round by the probe, and the time above which a round counts as uncached. */
const PROBE_WORDS = 512;
const SLOW_ROUND_MS = 0.1;

/**
 * Reads a few hundred words of a freshly mapped `MAP_WRITE` buffer and times it: ordinary host
 * memory answers in a few microseconds, write-combined device memory behind a BAR needs about a
 * microsecond per read. Best of three rounds, so a preempted round does not decide.
 */
export function uploadMemoryReadsSlowly(device: GPUDevice): boolean {
  const buffer = device.createBuffer({ label: 'kompute host-memory probe', size: PROBE_WORDS * 64, usage: BufferUsage.MAP_WRITE | BufferUsage.COPY_SRC, mappedAtCreation: true });
  try {
    const words = new Uint32Array(buffer.getMappedRange());
    let best = Number.POSITIVE_INFINITY;
    let sink = 0;
    for (let round = 0; round < 3; round++) {
      const t0 = performance.now();
      for (let i = 0; i < words.length; i += 16) sink += words[i]!;
      best = Math.min(best, performance.now() - t0);
    }
    return best + sink * 0 > SLOW_ROUND_MS;
  } finally {
    buffer.destroy();
  }
}

/** Resolves the option to a placement, probing the device once for `'auto'`. */
export function resolveHostPlacement(device: GPUDevice, option: HostDataOption): HostDataPlacement {
  if (option !== 'auto') return option;
  return uploadMemoryReadsSlowly(device) ? 'host-memory' : 'upload-buffer';
}
