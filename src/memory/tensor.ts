import { BufferUsage } from '../backends/webgpu-constants.js';
import { ArgumentError, SizeError, StateError } from '../errors.js';
import type { DeviceContext } from '../core/device-context.js';
import type { Releasable } from '../core/registry.js';
import { $create, assertCreationKey, type CreationKey } from '../core/internal.js';
import { bytesPerElement, checkDTypeSupported, type DType, type TensorData, type TypedArrayFor, toTypedArray, viewOf } from './dtype.js';
import { type TensorHostCopy, SMALL_TRANSFER_BYTES, type TransferStage } from './host-copy.js';
import { Memory } from './memory.js';
import { MappedHostCopy } from './mapped-host-copy.js';
import { PlainHostCopy } from './plain-host-copy.js';
import { isHostCoherent, MemoryType } from './memory-type.js';
import type { ByteRange } from './byte-range.js';
import { TensorView, type TensorViewOptions } from './tensor-view.js';
import type { GPUBindingResource, GPUBuffer } from '../backends/webgpu-types.js';

/** Options of `mgr.tensor(...)`. */
export interface TensorOptions {
  /** Where the data lives; default {@link MemoryType.Device}. */
  readonly type?: MemoryType;
  /** Element type for `number[]` data (default `f32`); typed arrays carry their own. */
  readonly dtype?: DType;
  /** Name used in error messages and WebGPU labels. */
  readonly label?: string;
}

/** What a tensor is created from (the manager's factories check it first). */
export interface TensorInit<D extends DType = DType> {
  readonly dtype: D;
  readonly size: number;
  readonly type: MemoryType;
  readonly data?: TensorData | undefined;
  readonly external?: GPUBuffer;
  readonly label?: string | undefined;
}

/**
 * The one creation path of a tensor (the manager's factories and the kernels' scratch tensors):
 * a tensor owned and tracked by the manager of `context`.
 */
export function createTensor<D extends DType>(context: DeviceContext, init: TensorInit<D>): Tensor<D> {
  return new Tensor($create, context, init);
}

/** GPU buffer usage every tensor buffer needs: bound as storage, copied both ways. */
export const TENSOR_BUFFER_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/**
 * The usage of the buffers tensors allocate: {@link TENSOR_BUFFER_USAGE} plus UNIFORM, so a tensor
 * can also bind to a `var<uniform>` (wrapped buffers need only TENSOR_BUFFER_USAGE).
 */
export const TENSOR_ALLOCATION_USAGE = TENSOR_BUFFER_USAGE | BufferUsage.UNIFORM;
/** Up to this many bytes a reused buffer is cleared with `writeBuffer` from {@link ZEROS}; above, with `clearBuffer`. */
const ZERO_WRITE_BYTES = 64 * 1024;
const ZEROS = new Uint8Array(ZERO_WRITE_BYTES);

/** The GPU side of a tensor; swapped wholesale by `rebuild()`. */
class TensorCore implements Releasable {
  /**
   * True once the buffer was handed to the user (`tensor.buffer`): they may still hold it after
   * the tensor is gone, so it is destroyed rather than reused by another tensor.
   */
  exposed = false;
  /**
   * True once anything may have written into the buffer: the library's commands (views' included)
   * reach it through `Tensor.gpuBuffer`, which sets this. A buffer still false holds the zeros it
   * was created or cleared with, and is reused without clearing it again.
   */
  written = false;

  constructor(
    private readonly context: DeviceContext,
    public buffer: GPUBuffer,
    public readonly ownsBuffer: boolean,
    public hostCopy: TensorHostCopy | null,
  ) {}

  release(): void {
    this.hostCopy?.release();
    this.hostCopy = null;
    if (!this.ownsBuffer) return;
    // An idle buffer goes back to the manager's bounded pool, for the next tensor of its size
    // (creating and destroying buffers grows a Dawn process's memory; reusing them does not).
    if (this.exposed || this.context.state !== 'alive') this.context.ledger.destroy(this.buffer);
    else this.context.pool.give(this.buffer, !this.written);
  }
}

/**
 * A typed array of `size` elements on the GPU, with a host copy unless its memory type is
 * `Storage`. Created by `mgr.tensor(...)`; owned by its manager, which destroys it at the latest
 * when the manager is destroyed, or when the tensor is garbage collected.
 */
export class Tensor<D extends DType = DType> extends Memory {
  readonly #dtype: D;
  readonly #memoryType: MemoryType;
  #size: number;
  #core: TensorCore;
  #generation = 0;
  // The tensor's views, held weakly: they die with it (destroy() destroys them).
  // Made by the first view() (most tensors have none: no Set per create).
  #views: Set<WeakRef<TensorView<D>>> | null = null;
  #viewsPruneAt = 64;

  /** @internal Use `mgr.tensor(...)` or `mgr.tensorFromBuffer(...)`; inside the library, {@link createTensor}. */
  constructor(key: CreationKey, context: DeviceContext, init: TensorInit<D>) {
    assertCreationKey(key, 'Tensor', 'mgr.tensor(...) or mgr.tensorFromBuffer(...)');
    super(context, 'Tensor', init.label);
    checkDTypeSupported(init.dtype, context.features);
    this.#dtype = init.dtype;
    this.#memoryType = init.type;
    this.#size = init.size;
    this.#core = init.external ? new TensorCore(context, init.external, false, this.#newHostCopy(init.size, undefined)) : this.#allocate(init.size, init.data, init.data ? 'data' : 'length');
    this.track('tensor', this.#core);
  }

  /** @internal */
  protected get core(): Releasable {
    return this.#core;
  }

  /** Always `tensor`. */
  get kind(): 'tensor' {
    return 'tensor';
  }

  /** Number of elements. */
  get size(): number {
    return this.#size;
  }

  /** Element type. */
  get dtype(): D {
    return this.#dtype;
  }

  /** Bytes of data: `size × bytes per element` (the GPU buffer is padded to 4 bytes). */
  get byteLength(): number {
    return this.#size * bytesPerElement(this.#dtype);
  }

  /** Where the data lives. */
  get memoryType(): MemoryType {
    return this.#memoryType;
  }

  /**
   * The GPU buffer (for interop with your own WebGPU code). Owned by the tensor unless it was
   * wrapped with `mgr.tensorFromBuffer`; replaced by `rebuild()`.
   */
  get buffer(): GPUBuffer {
    this.assertUsable('buffer');
    this.#core.exposed = true;
    return this.#core.buffer;
  }

  /** @internal The GPU buffer, for the library's own commands (unlike {@link buffer}, it stays reusable once the tensor is gone). */
  get gpuBuffer(): GPUBuffer {
    this.assertUsable('buffer');
    this.#core.written = true;
    return this.#core.buffer;
  }

  /**
   * The host copy as a typed array. It holds what the last {@link OpSyncLocal} (or, for `Host`
   * tensors, the last evaluation) brought back, or what you wrote into it. For tensors over
   * 64 KiB it is a view of mapped staging memory, so transfers cost no JavaScript copy; WebGPU
   * invalidates such a view when it remaps the staging buffer, so call `data()` again after each
   * evaluation that transferred the tensor rather than keeping the array. Throws for `Storage`
   * tensors, and while a running evaluation transfers the tensor.
   */
  data(): TypedArrayFor<D> {
    this.assertUsable('data()');
    this.context.syncCheck?.hostAccess(this, false);
    return this.#hostCopyFor('data()').view() as TypedArrayFor<D>;
  }

  /** Copies `values` into the host copy. Exactly `size` values, of this tensor's type. */
  setData(values: TypedArrayFor<D> | ArrayLike<number>): void {
    this.assertUsable('setData()');
    const copy = this.#hostCopyFor('setData()');
    this.context.syncCheck?.hostAccess(this, true);
    const data = toTypedArray('values', this.#dtype, values);
    if (data.length !== this.#size) {
      throw new SizeError('values', `got ${data.length} values for a tensor of ${this.#size}`, 'use rebuild() to change the size');
    }
    copy.write(data);
  }

  /**
   * Downloads the tensor and returns a copy of its data: a one-off transfer, evaluated on a
   * sequence of its own (an `OpSyncLocal([tensor])`), for when no sequence of yours would sync it
   * anyway. The array returned is yours (a copy: later transfers do not change it) and the host
   * copy (`data()`) holds the same values afterwards. In a loop, record `OpSyncLocal` in your own
   * sequence instead: one evaluation per call costs a GPU round trip each. Throws DestroyedError
   * once the tensor or its manager is destroyed, and StateError for `Storage` tensors or while a
   * running evaluation transfers the tensor.
   */
  async read(): Promise<TypedArrayFor<D>> {
    this.assertUsable('read()');
    this.#hostCopyFor('read()');
    await this.context.transfer!(this, 'download');
    this.assertUsable('read()');
    return this.#hostCopyFor('read()').view().slice() as TypedArrayFor<D>;
  }

  /**
   * Writes `values` (exactly `size` of them) to the host copy, then uploads them: `setData(values)`
   * followed by a one-off `OpSyncDevice([tensor])` on a sequence of its own. Resolves once the GPU
   * copy holds them. `values` is copied, never kept. Throws as {@link Tensor.read} does.
   */
  async write(values: TypedArrayFor<D> | ArrayLike<number>): Promise<void> {
    this.assertUsable('write()');
    this.#hostCopyFor('write()');
    this.setData(values);
    await this.context.transfer!(this, 'upload');
  }

  /**
   * Reallocates the tensor: with a length, `length` zeros; with values, those values (its size
   * becomes their count). The dtype and memory type stay. Algorithms bound to the tensor pick up
   * the new buffer at their next dispatch. Not allowed while an evaluation transfers it.
   */
  rebuild(dataOrLength: number | TypedArrayFor<D> | ArrayLike<number>): void {
    this.assertUsable('rebuild()');
    if (!this.#core.ownsBuffer) {
      throw new StateError(`${this.label} wraps an external buffer and cannot be rebuilt`, 'wrap a new buffer with mgr.tensorFromBuffer()');
    }
    if (this.#core.hostCopy?.busy) {
      throw new StateError(`${this.label}.rebuild(): a running evaluation is transferring this tensor`, 'await it first');
    }
    let data: TensorData | undefined;
    let size: number;
    if (typeof dataOrLength === 'number') {
      size = checkLength('dataOrLength', dataOrLength);
    } else {
      data = toTypedArray('dataOrLength', this.#dtype, dataOrLength);
      size = checkLength('dataOrLength', data.length);
    }
    const fresh = this.#allocate(size, data, 'dataOrLength');
    const old = this.#core;
    // Keep the same core object: the manager's registry is keyed by it.
    old.release();
    old.buffer = fresh.buffer;
    old.hostCopy = fresh.hostCopy;
    old.exposed = false;
    old.written = fresh.written;
    this.#size = size;
    this.#generation++;
    this.context.bumpEpoch();
    this.reportRebuilt(`${size} elements`);
  }

  /**
   * A view of `length` elements from element `offset` (default: to the end): part of this tensor
   * that binds like a tensor and that `OpSyncDevice`, `OpSyncLocal` and `OpCopy` move on its own.
   * It owns no GPU memory and is destroyed with the tensor. The byte offset must be a multiple of
   * 4 (even offsets for f16); binding the view to a shader also needs it to be a multiple of the
   * device's `minStorageBufferOffsetAlignment` (256 bytes on most devices: 64 f32 elements).
   */
  view(offset: number, length?: number, options?: TensorViewOptions): TensorView<D> {
    this.assertUsable('view()');
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new ArgumentError('options', 'expected an options object', 'pass { label } or nothing');
    const view = new TensorView($create, this.context, this, offset, length ?? this.#size - (Number.isInteger(offset) ? offset : 0), options);
    this.#views ??= new Set();
    const views = this.#views;
    if (views.size >= this.#viewsPruneAt) {
      for (const ref of views) if (!ref.deref()) views.delete(ref);
      this.#viewsPruneAt = Math.max(64, views.size * 2);
    }
    views.add(new WeakRef(view));
    return view;
  }

  /** @internal Destroys the tensor's views. */
  protected override beforeRelease(): void {
    if (!this.#views) return;
    for (const ref of this.#views) ref.deref()?.destroy();
    this.#views = null;
  }

  /** @internal Increments when `rebuild()` replaces the GPU buffer (bind groups must follow). */
  get generation(): number {
    return this.#generation;
  }

  /** @internal How the host data moves, or null for `Storage` tensors. */
  get hostCopy(): TensorHostCopy | null {
    return this.#core.hostCopy;
  }

  /** @internal True when the GPU buffer was handed in by the user (it may be destroyed behind our back). */
  get isExternal(): boolean {
    return !this.#core.ownsBuffer;
  }

  /** @internal Bytes of the GPU buffer (byteLength padded to 4). */
  get paddedBytes(): number {
    return paddedBytes(this.byteLength);
  }

  /** @internal Bytes moved through the sequence's shared transfer buffers (small tensors only). */
  get arenaBytes(): number {
    const bytes = this.paddedBytes;
    return this.#core.hostCopy && bytes <= SMALL_TRANSFER_BYTES ? bytes : 0;
  }

  /** @internal The bytes of the GPU buffer the tensor's data covers: all of them. */
  get byteRange(): ByteRange {
    return { offset: 0, bytes: this.paddedBytes };
  }

  /** @internal */
  encodeUpload(stage: TransferStage): void {
    this.#core.hostCopy!.encodeUpload(stage, this.gpuBuffer, this.byteRange);
  }

  /** @internal */
  encodeDownload(stage: TransferStage): void {
    this.#core.hostCopy!.encodeDownload(stage, this.gpuBuffer, this.byteRange);
  }

  /** @internal */
  bindingResource(): GPUBindingResource {
    return { buffer: this.gpuBuffer };
  }

  #hostCopyFor(action: string): TensorHostCopy {
    const copy = this.#core.hostCopy;
    if (!copy) {
      throw new StateError(`${this.label}.${action}: Storage tensors have no host copy`, 'create the tensor with { type: MemoryType.Device } (or Host) to read or write it from JavaScript');
    }
    return copy;
  }

  #newHostCopy(size: number, data: TensorData | undefined): TensorHostCopy | null {
    if (this.#memoryType === MemoryType.Storage) return null;
    const bytes = paddedBytes(size * bytesPerElement(this.#dtype));
    return bytes <= SMALL_TRANSFER_BYTES
      ? new PlainHostCopy(this.#dtype, size, bytes, this.label, data)
      : new MappedHostCopy(this.context.pool, this.context.hostPlacement, this.#dtype, size, bytes, this.label, data);
  }

  #allocate(size: number, data: TensorData | undefined, argument: string): TensorCore {
    const context = this.context;
    const bytes = paddedBytes(size * bytesPerElement(this.#dtype));
    checkTensorBytes(context, bytes, argument);
    const storageData = this.#memoryType === MemoryType.Storage ? data : undefined;
    // Steady-state create/destroy churn calls no WebGPU function here but the label's setter: a
    // buffer nothing wrote into needs no clearing (unless it gets data), and comes first.
    const zeroed = context.pool.takeBuffer(TENSOR_ALLOCATION_USAGE, bytes, 'device', true);
    const reused = zeroed ?? context.pool.takeBuffer(TENSOR_ALLOCATION_USAGE, bytes, 'device', false);
    if (reused) {
      reused.label = this.label;
      if (!zeroed || storageData) fillReused(context.device, reused, bytes, storageData);
      const core = new TensorCore(context, reused, true, this.#newHostCopy(size, data));
      // Cleared to zeros by fillReused: only data makes it written.
      core.written = storageData !== undefined;
      return core;
    }
    const buffer = context.capture(`creating ${this.label}`, () => {
      const b = context.ledger.create({ label: this.label, size: bytes, usage: TENSOR_ALLOCATION_USAGE, mappedAtCreation: storageData !== undefined }, 'device');
      if (storageData) {
        viewOf(this.#dtype, b.getMappedRange(), size).set(storageData);
        b.unmap();
      }
      return b;
    });
    const core = new TensorCore(context, buffer, true, this.#newHostCopy(size, data));
    core.written = storageData !== undefined;
    return core;
  }
}

/** Is the host copy of a tensor or image kept coherent without sync operations? */
export function isCoherent(memory: Memory): boolean {
  return isHostCoherent(memory.memoryType);
}

/** Bytes rounded up to WebGPU's 4-byte copy granularity. */
export function paddedBytes(bytes: number): number {
  return Math.ceil(bytes / 4) * 4;
}

/** A positive integer element count, or an ArgumentError naming `argument`. */
export function checkLength(argument: string, length: unknown): number {
  if (typeof length !== 'number' || !Number.isInteger(length) || length <= 0) {
    throw new ArgumentError(argument, `length must be a positive integer, got ${String(length)}`, 'tensors hold at least one element');
  }
  return length;
}

function checkTensorBytes(context: DeviceContext, bytes: number, argument: string): void {
  const limit = Math.min(context.limits.maxStorageBufferBindingSize, context.limits.maxBufferSize);
  if (bytes > limit) {
    throw new SizeError(argument, `a tensor of ${bytes} bytes exceeds this device's limit of ${limit} bytes (maxStorageBufferBindingSize / maxBufferSize)`, 'split the data into several tensors');
  }
}

/**
 * Gives a buffer taken from the pool the contents a new one would have: `data` (padded), or
 * zeros. Queued after everything its last user submitted, so no trace of that user is left.
 */
function fillReused(device: GPUDevice, buffer: GPUBuffer, bytes: number, data: TensorData | undefined): void {
  if (data) {
    const padded = new Uint8Array(bytes);
    padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    device.queue.writeBuffer(buffer, 0, padded);
  } else if (bytes <= ZERO_WRITE_BYTES) {
    device.queue.writeBuffer(buffer, 0, ZEROS, 0, bytes);
  } else {
    const encoder = device.createCommandEncoder({ label: `clearing ${buffer.label}` });
    encoder.clearBuffer(buffer);
    device.queue.submit([encoder.finish()]);
  }
}
