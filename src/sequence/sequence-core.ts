import { BufferUsage } from '../backends/webgpu-constants.js';
import type { DeviceContext } from '../core/device-context.js';
import type { Releasable } from '../core/registry.js';
import type { TimestampSlots } from './recorder.js';
import { TransferArena } from './transfer-arena.js';

/**
 * The GPU memory a sequence owns: its transfer arena (push constants and small transfers) and,
 * with timestamps, a query set and its readback buffers. Grown on demand, reused across
 * evaluations, freed with the sequence.
 */
export class SequenceCore implements Releasable {
  readonly arena: TransferArena;
  /** Removes the sequence's device-loss listener from the context. */
  stopListening: () => void = () => {};
  #querySet: GPUQuerySet | null = null;
  #resolve: GPUBuffer | null = null;
  #readback: GPUBuffer | null = null;

  constructor(
    private readonly context: DeviceContext,
    private readonly label: string,
  ) {
    this.arena = new TransferArena(context, label);
  }

  /** Timestamp queries for `passes` timed passes. */
  timestamps(passes: number): TimestampSlots & { resolve: GPUBuffer; readback: GPUBuffer } {
    const count = Math.max(2, passes * 2);
    if (!this.#querySet || this.#querySet.count < count) {
      this.#releaseQueries();
      const context = this.context;
      this.#querySet = context.device.createQuerySet({ label: `${this.label} timestamps`, type: 'timestamp', count });
      const size = count * 8;
      this.#resolve = context.ledger.create({ label: `${this.label} timestamps`, size, usage: BufferUsage.QUERY_RESOLVE | BufferUsage.COPY_SRC }, 'query');
      this.#readback = context.ledger.create({ label: `${this.label} timestamps readback`, size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST }, 'query');
    }
    return { querySet: this.#querySet, resolve: this.#resolve!, readback: this.#readback! };
  }

  release(): void {
    this.stopListening();
    this.arena.release();
    this.#releaseQueries();
  }

  #releaseQueries(): void {
    this.#querySet?.destroy();
    this.context.ledger.destroy(this.#resolve);
    this.context.ledger.destroy(this.#readback);
    this.#querySet = null;
    this.#resolve = null;
    this.#readback = null;
  }
}
