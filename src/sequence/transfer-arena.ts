import { MAX_PUSH_CONSTANT_BYTES } from '../algorithm/push-constants.js';
import { BufferUsage, MapMode } from '../backends/webgpu-constants.js';
import type { DeviceContext } from '../core/device-context.js';
import type { GPUBindGroup, GPUBuffer } from '../backends/webgpu-types.js';

/** Where one evaluation puts its push constants and small transfers. */
export interface ArenaLayout {
  /** Push-constant slots (256 bytes each) at the start of the upload buffer. */
  readonly pushSlots: number;
  /** Bytes of small uploads after the push slots. */
  readonly uploadBytes: number;
  /** Bytes of small downloads. */
  readonly downloadBytes: number;
}

/**
 * A sequence's two shared transfer buffers, grown on demand and reused by every evaluation:
 *
 * - the upload buffer (`UNIFORM | COPY_SRC | COPY_DST`) holds the batch's push-constant slots and
 *   small tensors' uploads; one `queue.writeBuffer` fills it before the batch is submitted, and
 *   the batch copies out of it at each upload's place in the command stream.
 * - the readback buffer (`MAP_READ | COPY_DST`) receives small tensors' downloads; one
 *   `mapAsync` after the batch delivers them all.
 *
 * One evaluation runs per sequence at a time, so one pair per sequence suffices.
 */
export class TransferArena {
  readonly #context: DeviceContext;
  readonly #label: string;
  #upload: GPUBuffer | null = null;
  #hostUpload = new Uint8Array(0);
  #pushGroup: GPUBindGroup | null = null;
  #readback: GPUBuffer | null = null;
  /** The last answer of {@link reserve}, handed out again while the buffers are the same. */
  #reserved: { upload: GPUBuffer | null; hostUpload: Uint8Array; pushGroup: GPUBindGroup | null; readback: GPUBuffer | null } | null = null;

  constructor(context: DeviceContext, label: string) {
    this.#context = context;
    this.#label = label;
  }

  /** Makes room for `layout`; returns the buffers to encode against. */
  reserve(layout: ArenaLayout): { upload: GPUBuffer | null; hostUpload: Uint8Array; pushGroup: GPUBindGroup | null; readback: GPUBuffer | null } {
    const context = this.#context;
    const uploadNeed = layout.pushSlots * MAX_PUSH_CONSTANT_BYTES + layout.uploadBytes;
    if (uploadNeed > 0 && (!this.#upload || this.#upload.size < uploadNeed)) {
      const size = sizeFor(uploadNeed, context.limits.maxBufferSize);
      context.pool.give(this.#upload);
      this.#upload = context.pool.acquire({ label: `${this.#label} uploads`, size, usage: BufferUsage.UNIFORM | BufferUsage.COPY_SRC | BufferUsage.COPY_DST }, 'uniform').buffer;
      this.#hostUpload = new Uint8Array(size);
      this.#pushGroup = null;
    }
    if (layout.pushSlots > 0 && !this.#pushGroup) {
      this.#pushGroup = context.device.createBindGroup({
        label: `${this.#label} push constants`,
        layout: context.pushLayout,
        entries: [{ binding: 0, resource: { buffer: this.#upload!, size: MAX_PUSH_CONSTANT_BYTES } }],
      });
    }
    if (layout.downloadBytes > 0 && (!this.#readback || this.#readback.size < layout.downloadBytes)) {
      const size = sizeFor(layout.downloadBytes, context.limits.maxBufferSize);
      context.pool.give(this.#readback);
      this.#readback = context.pool.acquire({ label: `${this.#label} readback`, size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST }, 'staging').buffer;
    }
    const last = this.#reserved;
    if (last && last.upload === this.#upload && last.hostUpload === this.#hostUpload && last.pushGroup === this.#pushGroup && last.readback === this.#readback) return last;
    this.#reserved = { upload: this.#upload, hostUpload: this.#hostUpload, pushGroup: this.#pushGroup, readback: this.#readback };
    return this.#reserved;
  }

  /**
   * Maps the readback buffer after the batch and hands each download its bytes, when the batch
   * ran (`ran` resolves false when WebGPU rejected it: the buffer then holds no downloads).
   */
  async deliver(readback: GPUBuffer, bytes: number, deliveries: readonly { offset: number; bytes: number; deliver: (data: Uint8Array) => void }[], ran: Promise<boolean> | true): Promise<void> {
    await readback.mapAsync(MapMode.READ, 0, bytes);
    try {
      // `true`: the batch was validated before, so it ran (no second wait on the completion path).
      if (ran !== true && !(await ran)) return;
      const range = new Uint8Array(readback.getMappedRange(0, bytes));
      for (const d of deliveries) d.deliver(range.subarray(d.offset, d.offset + d.bytes));
    } finally {
      readback.unmap();
    }
  }

  /** Gives both buffers back to the manager's staging pool. */
  release(): void {
    this.#context.pool.give(this.#upload);
    this.#context.pool.give(this.#readback);
    this.#upload = null;
    this.#readback = null;
    this.#pushGroup = null;
    this.#reserved = null;
  }
}

/**
 * Powers of two from 256 bytes: growth at least doubles, and sequences share few sizes in the
 * pool. Near the device's buffer limit, just what is needed (rounded to 256 bytes).
 */
function sizeFor(needed: number, maxBufferSize: number): number {
  let size = 256;
  while (size < needed) size *= 2;
  return size <= maxBufferSize ? size : Math.ceil(needed / 256) * 256;
}
