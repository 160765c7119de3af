import { BufferUsage } from '../backends/webgpu-constants.js';
import { MAX_PUSH_CONSTANT_BYTES } from '../algorithm/push-constants.js';
import type { DeviceContext } from '../manager/device-context.js';
import type { Releasable } from '../manager/registry.js';
import type { PushArena, TimestampSlots } from './encode-context.js';

/**
 * The GPU memory a sequence owns: the uniform buffer that carries push constants (one slot per
 * dispatch of a batch) and, with timestamps, a query set and its readback buffers. Grown on
 * demand, reused across evaluations, freed with the sequence.
 */
export class SequenceCore implements Releasable {
  #arena: (PushArena & { buffer: GPUBuffer }) | null = null;
  #querySet: GPUQuerySet | null = null;
  #resolve: GPUBuffer | null = null;
  #readback: GPUBuffer | null = null;

  constructor(private readonly context: DeviceContext, private readonly label: string) {}

  /** A push arena with room for `slots` slots (null when none are needed). */
  arena(slots: number): (PushArena & { buffer: GPUBuffer }) | null {
    if (slots === 0) return null;
    const bytes = slots * MAX_PUSH_CONSTANT_BYTES;
    if (!this.#arena || this.#arena.buffer.size < bytes) {
      const context = this.context;
      context.ledger.destroy(this.#arena?.buffer);
      const size = Math.max(bytes, (this.#arena?.buffer.size ?? 0) * 2);
      const buffer = context.ledger.create({ label: `${this.label} push constants`, size, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST }, 'uniform');
      const bindGroup = context.device.createBindGroup({
        label: `${this.label} push constants`,
        layout: context.pushLayout,
        entries: [{ binding: 0, resource: { buffer, size: MAX_PUSH_CONSTANT_BYTES } }],
      });
      this.#arena = { buffer, bindGroup, bytes: new Uint8Array(size) };
    }
    return this.#arena;
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
    this.context.ledger.destroy(this.#arena?.buffer);
    this.#arena = null;
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
