import { BufferUsage, MapMode } from '../backends/webgpu-constants.js';
import type { BufferCategory, BufferLedger } from './buffer-ledger.js';
import type { GPUBuffer, GPUBufferDescriptor } from '../backends/webgpu-types.js';
import type { EventHub } from './events.js';
import { Stack } from './stack.js';

/** The bound on a manager's idle staging buffers when `stagingPoolBytes` is not given: 128 MiB. */
export const DEFAULT_STAGING_POOL_BYTES = 128 * 1024 * 1024;

/**
 * What a kept buffer counts against the bound at least: small buffers cost a GPU object and a
 * JavaScript one each whatever their size, so their number must be bounded too (at most 2,048
 * under the default bound; without this, thousands of collected sequences' 256-byte buffers).
 */
const MIN_CHARGE_BYTES = 64 * 1024;

/** A buffer handed out by the pool; `range` is its mapped range when it is a mapped upload buffer. */
interface PooledBuffer {
  readonly buffer: GPUBuffer;
  readonly range: ArrayBuffer | null;
  /** True when the buffer came from the pool (its contents are its last user's). */
  readonly reused: boolean;
}

/** The idle buffers of one usage and size. */
interface Bucket {
  /** Buffers whose contents are their last user's, the last one on top. */
  readonly buffers: Stack<GPUBuffer>;
  /** The mapped range of each of {@link buffers} (null unless it is a mapped upload buffer), in step with it. */
  readonly ranges: Stack<ArrayBuffer | null>;
  /** Buffers known to hold only zeros (tensors' buffers nothing wrote into since they were created). */
  readonly zeroed: Stack<GPUBuffer>;
}

/**
 * A manager's idle staging buffers, kept for reuse up to a byte bound. Tensors' upload and
 * readback buffers and sequences' transfer buffers come back here when their owner is destroyed
 * or collected, and the next tensor or sequence of the same buffer size and usage takes them
 * instead of creating new ones (creating and first touching a large mapped buffer costs page
 * faults: ~1.2 GB/s on the machines measured, docs/BENCHMARKS.md). What would exceed the bound is
 * destroyed at once. `mgr.memory().poolBytes` reports what the pool holds.
 *
 * Reuse must never let a released tensor's old `data()` view reach its successor's data: a
 * returned buffer is unmapped first (which detaches every view of it) and an upload buffer is
 * then mapped again in the background, so it is ready for a synchronous take.
 */
export class StagingPool {
  readonly #ledger: BufferLedger;
  readonly #limit: number;
  /** Idle buffers by usage, then size. */
  readonly #idle = new Map<number, Map<number, Bucket>>();
  /** Upload buffers being mapped again; taken only once mapped. */
  readonly #remapping = new Set<GPUBuffer>();
  #bytes = 0;
  /** {@link bytes} with each buffer counted at least {@link MIN_CHARGE_BYTES}: what the bound limits. */
  #charged = 0;

  readonly #events: EventHub | undefined;

  constructor(ledger: BufferLedger, limit: number, events?: EventHub) {
    this.#ledger = ledger;
    this.#limit = limit;
    this.#events = events;
  }

  /** Bytes of the buffers the pool holds. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The bound on {@link bytes}. */
  get limit(): number {
    return this.#limit;
  }

  /**
   * A buffer for `descriptor`: an idle one of the same size and usage when the pool has one (its
   * contents are whatever its last user left, so the caller clears what it needs cleared), else a
   * new one. A buffer asked `mappedAtCreation` comes back mapped, with its range.
   */
  acquire(descriptor: GPUBufferDescriptor & { label: string }, category: BufferCategory): PooledBuffer {
    // Idle readback buffers are kept unmapped: one asked mapped must be new.
    const mappable = !descriptor.mappedAtCreation || (descriptor.usage & BufferUsage.MAP_WRITE) !== 0;
    const pooled = mappable ? this.take(descriptor.usage, descriptor.size, category) : null;
    if (pooled) {
      pooled.buffer.label = descriptor.label;
      if (this.#events?.enabled)
        this.#events.emit('pool.reused', 'debug', `reused a pooled ${pooled.buffer.size}-byte staging buffer`, { source: descriptor.label, data: { bytes: pooled.buffer.size } });
      return pooled;
    }
    const buffer = this.#ledger.create(descriptor, category);
    return { buffer, range: descriptor.mappedAtCreation ? buffer.getMappedRange() : null, reused: false };
  }

  /**
   * An idle buffer of exactly `size` bytes and `usage`, now counted under `category`, or null.
   * Its contents are whatever its last user left: the taker clears what it needs cleared.
   */
  take(usage: number, size: number, category: BufferCategory): PooledBuffer | null {
    const bucket = this.#bucket(usage, size, false);
    if (!bucket) return null;
    let buffer = bucket.buffers.pop();
    let range: ArrayBuffer | null = null;
    if (buffer) range = bucket.ranges.pop() ?? null;
    else buffer = bucket.zeroed.pop();
    if (!buffer) return null;
    this.#taken(buffer, size, category);
    return { buffer, range, reused: true };
  }

  /**
   * Like {@link take} for a buffer that is never mapped, without the wrapper object (a tensor's
   * buffer, taken on every create of a create/destroy loop). With `zeroed`, only a buffer known
   * to hold zeros (given back with `zeroed` true: nothing wrote into it since it was created);
   * without, only one whose contents are its last user's; or null.
   */
  takeBuffer(usage: number, size: number, category: BufferCategory, zeroed: boolean): GPUBuffer | null {
    const bucket = this.#bucket(usage, size, false);
    if (!bucket) return null;
    const buffer = zeroed ? bucket.zeroed.pop() : bucket.buffers.pop();
    if (!buffer) return null;
    if (!zeroed) bucket.ranges.pop();
    this.#taken(buffer, size, category);
    return buffer;
  }

  #taken(buffer: GPUBuffer, size: number, category: BufferCategory): void {
    this.#bytes -= size;
    this.#charged -= chargeOf(size);
    this.#ledger.recategorize(buffer, category);
  }

  /**
   * Takes back a buffer its owner no longer needs: kept while the bound allows and the buffer is
   * not waiting on a map (an evaluation in flight), else destroyed.
   */
  give(buffer: GPUBuffer | null, zeroed = false): void {
    if (!buffer || !this.#ledger.has(buffer)) return;
    const size = buffer.size;
    if (this.#charged + chargeOf(size) > this.#limit || buffer.mapState === 'pending' || !unmapped(buffer)) {
      this.#ledger.destroy(buffer);
      return;
    }
    this.#ledger.recategorize(buffer, 'pool');
    this.#bytes += size;
    this.#charged += chargeOf(size);
    if ((buffer.usage & BufferUsage.MAP_WRITE) === 0) {
      if (zeroed) this.#bucket(buffer.usage, size, true)!.zeroed.push(buffer);
      else this.#keep(buffer, null);
      return;
    }
    this.#remapping.add(buffer);
    let remapped: Promise<undefined>;
    try {
      remapped = buffer.mapAsync(MapMode.WRITE);
    } catch {
      // bun-webgpu throws at once on a destroyed device, where the spec rejects the promise.
      if (this.#remapping.delete(buffer)) this.#drop(buffer);
      return;
    }
    remapped.then(
      () => {
        if (this.#remapping.delete(buffer)) this.#keep(buffer, buffer.getMappedRange());
      },
      () => {
        // Destroyed meanwhile (trim, manager destroyed, device lost): nothing to keep.
        if (this.#remapping.delete(buffer)) this.#drop(buffer);
      },
    );
  }

  /** Destroys every buffer the pool holds. */
  trim(): void {
    for (const sizes of this.#idle.values()) {
      for (const bucket of sizes.values()) {
        bucket.buffers.drain((buffer) => this.#drop(buffer));
        bucket.ranges.drain(() => {});
        bucket.zeroed.drain((buffer) => this.#drop(buffer));
      }
    }
    this.#idle.clear();
    for (const buffer of this.#remapping) this.#drop(buffer);
    this.#remapping.clear();
  }

  #keep(buffer: GPUBuffer, range: ArrayBuffer | null): void {
    const bucket = this.#bucket(buffer.usage, buffer.size, true)!;
    bucket.buffers.push(buffer);
    bucket.ranges.push(range);
  }

  /** The idle buffers of one usage and size (made when `create`), looked up without building a key. */
  #bucket(usage: number, size: number, create: boolean): Bucket | undefined {
    let sizes = this.#idle.get(usage);
    if (!sizes) {
      if (!create) return undefined;
      sizes = new Map();
      this.#idle.set(usage, sizes);
    }
    let bucket = sizes.get(size);
    if (!bucket && create) {
      bucket = { buffers: new Stack(), ranges: new Stack(), zeroed: new Stack() };
      sizes.set(size, bucket);
    }
    return bucket;
  }

  #drop(buffer: GPUBuffer): void {
    this.#bytes -= buffer.size;
    this.#charged -= chargeOf(buffer.size);
    this.#ledger.destroy(buffer);
  }
}

/**
 * Unmaps `buffer` if it is mapped; false when the implementation refuses. wgpu (Deno) throws
 * `OperationError: Parent device is lost` from `unmap()` once the device is lost, where Dawn
 * unmaps quietly; a buffer given back during such a teardown is then destroyed, not pooled.
 */
function unmapped(buffer: GPUBuffer): boolean {
  if (buffer.mapState !== 'mapped') return true;
  try {
    buffer.unmap();
    return true;
  } catch {
    return false;
  }
}

function chargeOf(size: number): number {
  return Math.max(size, MIN_CHARGE_BYTES);
}
