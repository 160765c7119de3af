import { AlgorithmBindingError, ArgumentError, DestroyedError, SizeError, StateError } from '../errors.js';
import type { GPUBindingResource, GPUBuffer } from '../backends/webgpu-types.js';
import type { DeviceContext } from '../core/device-context.js';
import { assertCreationKey, type CreationKey } from '../core/internal.js';
import type { Releasable } from '../core/registry.js';
import type { ByteRange } from './byte-range.js';
import { bytesPerElement, type DType, type TypedArrayFor, toTypedArray } from './dtype.js';
import type { HostCopy, TransferStage } from './host-copy.js';
import { Memory } from './memory.js';
import type { MemoryType } from './memory-type.js';
import type { Tensor } from './tensor.js';

/** Options of `tensor.view(...)`. */
export interface TensorViewOptions {
  /** Name used in error messages. */
  readonly label?: string;
}

/** How a view is bound: as `var<storage>` or as `var<uniform>`. */
export type ViewBindingKind = 'storage' | 'uniform';

/** A view owns no GPU memory (ownership rule 3): its core has nothing to release. */
class ViewCore implements Releasable {
  release(): void {}
}

/**
 * Part of a tensor: `length` elements from element `offset`, after the requests of Kompute #24.
 * It owns no GPU memory; it binds wherever a tensor binds (the bind group entry gets the
 * tensor's buffer with the view's byte offset and size), and `OpSyncDevice`, `OpSyncLocal` and
 * `OpCopy` move only its range, between the same bytes of the GPU buffer and of the tensor's host
 * copy. Created by `tensor.view(offset, length)`; destroyed with its tensor (a view of a
 * destroyed tensor throws {@link DestroyedError}) and with its manager. A view of a tensor
 * rebuilt smaller than the view throws {@link StateError} until `view.rebuild(...)` moves it.
 *
 * Its byte offset is a multiple of 4 (WebGPU copies 4 bytes at a time): any offset for f32,
 * i32 and u32, even offsets for f16. Binding it to a shader also needs the byte offset to be a
 * multiple of the device's `minStorageBufferOffsetAlignment` (`minUniformBufferOffsetAlignment`
 * for `var<uniform>`; 256 bytes on most devices), checked when an algorithm is created.
 */
export class TensorView<D extends DType = DType> extends Memory {
  readonly #tensor: Tensor<D>;
  readonly #core = new ViewCore();
  #offset: number;
  #length: number;
  #generation = 0;

  /** @internal Use `tensor.view(offset, length)`. */
  constructor(key: CreationKey, context: DeviceContext, tensor: Tensor<D>, offset: number, length: number, options: TensorViewOptions = {}) {
    assertCreationKey(key, 'TensorView', 'tensor.view(offset, length)');
    super(context, 'View', options.label ?? `${context.nextLabel('View')}(${tensor.label})`);
    checkViewRange(tensor, offset, length, 'offset', 'length');
    this.#tensor = tensor;
    this.#offset = offset;
    this.#length = length;
    this.track('view', this.#core);
  }

  /** @internal */
  protected get core(): Releasable {
    return this.#core;
  }

  /** Always `view`. */
  get kind(): 'view' {
    return 'view';
  }

  /** The tensor viewed. */
  get tensor(): Tensor<D> {
    return this.#tensor;
  }

  /** First element of the tensor in the view. */
  get offset(): number {
    return this.#offset;
  }

  /** Number of elements (the view's length). */
  get size(): number {
    return this.#length;
  }

  /** The tensor's element type. */
  get dtype(): D {
    return this.#tensor.dtype;
  }

  /** The tensor's memory type. */
  get memoryType(): MemoryType {
    return this.#tensor.memoryType;
  }

  /** Byte offset of the view in the tensor's buffer: `offset × bytes per element`. */
  get byteOffset(): number {
    return this.#offset * bytesPerElement(this.#tensor.dtype);
  }

  /** Bytes of data: `size × bytes per element`. */
  get byteLength(): number {
    return this.#length * bytesPerElement(this.#tensor.dtype);
  }

  /** The tensor's GPU buffer (the view covers `byteOffset` .. `byteOffset + byteLength` of it), for interop as `tensor.buffer`. */
  get buffer(): GPUBuffer {
    this.assertUsable('buffer');
    return this.#tensor.buffer;
  }

  /** @internal The tensor's GPU buffer, for the library's own commands. */
  get gpuBuffer(): GPUBuffer {
    this.assertUsable('buffer');
    return this.#tensor.gpuBuffer;
  }

  /**
   * The view's part of the tensor's host copy: a subarray of `tensor.data()`, valid as long as
   * that is (call it again after each evaluation that transfers the tensor).
   */
  data(): TypedArrayFor<D> {
    this.assertUsable('data()');
    return this.#tensor.data().subarray(this.#offset, this.#offset + this.#length) as TypedArrayFor<D>;
  }

  /** Copies `values` (exactly `size` of them) into the view's part of the tensor's host copy. */
  setData(values: TypedArrayFor<D> | ArrayLike<number>): void {
    this.assertUsable('setData()');
    const data = toTypedArray('values', this.#tensor.dtype, values);
    if (data.length !== this.#length) {
      throw new SizeError('values', `got ${data.length} values for ${this.label}, a view of ${this.#length} elements`, 'pass exactly view.size values, or rebuild the view');
    }
    this.#tensor.data().set(data, this.#offset);
  }

  /**
   * Moves the view to `length` elements from `offset` of the same tensor (default: to the
   * tensor's end). Algorithms bound to the view bind the new range at their next dispatch.
   * Allowed when the tensor was rebuilt smaller than the view.
   */
  rebuild(offset: number, length?: number): void {
    this.#assertAlive('rebuild()');
    const size = length ?? this.#tensor.size - (Number.isInteger(offset) ? offset : 0);
    checkViewRange(this.#tensor, offset, size, 'offset', 'length');
    this.#offset = offset;
    this.#length = size;
    this.#generation++;
    this.context.bumpEpoch();
  }

  /** True while the view, its tensor and its manager are usable and the view lies inside its tensor. */
  override isInit(): boolean {
    return super.isInit() && this.#tensor.isInit() && this.#rangeProblem() === null;
  }

  /** @internal Changes when the tensor's buffer or the view's range changes (bind groups must follow). */
  get generation(): number {
    return this.#tensor.generation + this.#generation;
  }

  /** @internal The tensor's host copy. */
  get hostCopy(): HostCopy | null {
    return this.#tensor.hostCopy;
  }

  /** @internal */
  get isExternal(): boolean {
    return this.#tensor.isExternal;
  }

  /** @internal The bytes of the buffer the view covers (its last element padded to 4 bytes when it ends the tensor). */
  get byteRange(): ByteRange {
    const offset = this.byteOffset;
    const end = this.#offset + this.#length === this.#tensor.size ? this.#tensor.paddedBytes : offset + this.byteLength;
    return { offset, bytes: end - offset };
  }

  /** @internal */
  get arenaBytes(): number {
    return this.#tensor.arenaBytes > 0 ? this.byteRange.bytes : 0;
  }

  /** @internal */
  encodeUpload(stage: TransferStage): void {
    this.#tensor.hostCopy!.encodeUpload(stage, this.#tensor.gpuBuffer, this.byteRange);
  }

  /** @internal */
  encodeDownload(stage: TransferStage): void {
    this.#tensor.hostCopy!.encodeDownload(stage, this.#tensor.gpuBuffer, this.byteRange);
  }

  /** @internal The tensor's buffer at the view's offset and size. */
  bindingResource(): GPUBindingResource {
    const { offset, bytes } = this.byteRange;
    return { buffer: this.#tensor.gpuBuffer, offset, size: bytes };
  }

  /**
   * @internal Throws unless the view's byte offset suits a binding of `kind` on this device
   * (`minStorageBufferOffsetAlignment` or `minUniformBufferOffsetAlignment`), naming the nearest
   * legal offsets.
   */
  override checkBindingOffset(argument: string, kind: ViewBindingKind): void {
    const limits = this.context.limits;
    const name = kind === 'uniform' ? 'minUniformBufferOffsetAlignment' : 'minStorageBufferOffsetAlignment';
    const alignment = kind === 'uniform' ? limits.minUniformBufferOffsetAlignment : limits.minStorageBufferOffsetAlignment;
    const bytes = this.byteOffset;
    if (bytes % alignment !== 0) {
      const perElement = bytesPerElement(this.#tensor.dtype);
      const below = Math.floor(bytes / alignment) * alignment;
      const above = below + alignment;
      const legal = above / perElement + this.#length <= this.#tensor.size ? `${below / perElement} or ${above / perElement}` : `${below / perElement}`;
      throw new AlgorithmBindingError(
        argument,
        `${this.label} starts at byte ${bytes} (element ${this.#offset} of ${this.#tensor.label}), which is not a multiple of this device's ${name} (${alignment} bytes)`,
        `bind a view starting at element ${legal} (the nearest legal offsets: multiples of ${alignment / perElement} ${this.#tensor.dtype} elements), or OpCopy the range into a tensor of its own`,
      );
    }
    const max = kind === 'uniform' ? limits.maxUniformBufferBindingSize : limits.maxStorageBufferBindingSize;
    if (this.byteRange.bytes > max) {
      throw new AlgorithmBindingError(
        argument,
        `${this.label} is ${this.byteRange.bytes} bytes, over this device's max${kind === 'uniform' ? 'Uniform' : 'Storage'}BufferBindingSize (${max})`,
        'bind a shorter view',
      );
    }
  }

  /** @internal The guard of every public method: the tensor alive, the view alive and inside the tensor. */
  protected override assertUsable(action: string): void {
    this.#assertAlive(action);
    const problem = this.#rangeProblem();
    if (problem) throw new StateError(`${this.label}.${action}: ${problem}`, 'move the view with view.rebuild(offset, length), or create a new one with tensor.view()');
  }

  #assertAlive(action: string): void {
    if (this.#tensor.isDestroyed && this.context.state !== 'lost') {
      throw new DestroyedError(this.#tensor.label, `${this.label}.${action}: a view of a destroyed tensor`);
    }
    super.assertUsable(action);
  }

  #rangeProblem(): string | null {
    const size = this.#tensor.size;
    const end = this.#offset + this.#length;
    if (end > size) return `it covers elements ${this.#offset} to ${end - 1} but ${this.#tensor.label} was rebuilt to ${size} elements`;
    if (end < size && this.byteLength % 4 !== 0) return `it no longer ends ${this.#tensor.label} (rebuilt to ${size} elements) and its ${this.byteLength} bytes are not a multiple of 4`;
    return null;
  }
}

/**
 * Checks a view's range over `tensor`: whole elements inside the tensor, a byte offset that is a
 * multiple of 4, and a byte length that is one too unless the view ends the tensor.
 */
export function checkViewRange(tensor: Tensor, offset: unknown, length: unknown, offsetArg: string, lengthArg: string): asserts offset is number {
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw new ArgumentError(offsetArg, `must be a non-negative integer element index, got ${String(offset)}`, `views start at an element of ${tensor.label} (0 to ${tensor.size - 1})`);
  }
  if (typeof length !== 'number' || !Number.isInteger(length) || length <= 0) {
    throw new ArgumentError(lengthArg, `must be a positive integer element count, got ${String(length)}`, 'a view holds at least one element');
  }
  if (offset + length > tensor.size) {
    throw new SizeError(
      lengthArg,
      `a view of ${length} elements from element ${offset} ends at element ${offset + length}, past ${tensor.label}'s ${tensor.size}`,
      `view at most ${Math.max(tensor.size - offset, 0)} elements from element ${offset}`,
    );
  }
  const perElement = bytesPerElement(tensor.dtype);
  const byteOffset = offset * perElement;
  if (byteOffset % 4 !== 0) {
    const step = 4 / perElement;
    const below = Math.floor(offset / step) * step;
    throw new ArgumentError(
      offsetArg,
      `element ${offset} of ${tensor.label} (${tensor.dtype}) starts at byte ${byteOffset}, which is not a multiple of 4 (WebGPU copies and binds 4 bytes at a time)`,
      `start the view at element ${below} or ${below + step} (the nearest legal offsets)`,
    );
  }
  if (offset + length < tensor.size && (length * perElement) % 4 !== 0) {
    const step = 4 / perElement;
    const below = Math.floor(length / step) * step;
    throw new ArgumentError(
      lengthArg,
      `${length} ${tensor.dtype} elements are ${length * perElement} bytes, not a multiple of 4, and the view does not end ${tensor.label}`,
      `view ${below > 0 ? `${below} or ` : ''}${below + step} elements, or up to the tensor's end`,
    );
  }
}

/** The tensor whose buffer `memory` lives in (itself, or a view's tensor) and the bytes it covers; null for images. */
export function bufferSpan(memory: Memory): { readonly tensor: Memory; readonly range: ByteRange } | null {
  if (memory instanceof TensorView) return { tensor: memory.tensor, range: memory.byteRange };
  if (memory.kind === 'tensor') return { tensor: memory, range: (memory as Tensor).byteRange };
  return null;
}

/** True for tensors and views of them: memory that lives in a GPU buffer and binds as a buffer. */
export function isLinear(value: unknown): value is Tensor | TensorView {
  return value instanceof TensorView || (value instanceof Memory && value.kind === 'tensor');
}
