import { Resource } from '../core/lifecycle.js';
import type { DeviceContext } from '../core/device-context.js';
import type { HostCopy, TransferStage } from './host-copy.js';
import type { MemoryType } from './memory-type.js';
import type { GPUBindingResource } from '../backends/webgpu-types.js';

/**
 * What tensors and images share, after Kompute's `kp::Memory`: a size in elements, a dtype, a
 * memory type, a host copy (unless `Storage`), and the same ownership and lifecycle rules. Sync
 * operations, copies and algorithms accept any `Memory`.
 */
export abstract class Memory extends Resource {
  /** `tensor`, `image`, or `view` (part of a tensor, see {@link TensorView}). */
  abstract get kind(): 'tensor' | 'image' | 'view';

  /** Number of elements (for an image: width × height × channels). */
  abstract get size(): number;

  /** Element type. */
  abstract get dtype(): string;

  /** Where the data lives. */
  abstract get memoryType(): MemoryType;

  /** The host copy as a typed array (throws for `Storage` memory). */
  abstract data(): ArrayLike<number>;

  /** Copies `values` into the host copy (exactly `size` values). */
  abstract setData(values: ArrayLike<number>): void;

  /** @internal How the host data moves, or null for `Storage` memory. */
  abstract get hostCopy(): HostCopy | null;

  /** @internal Increments whenever `rebuild()` replaces the GPU object (bind groups must follow). */
  abstract get generation(): number;

  /** @internal True when the GPU object was handed in by the user. */
  abstract get isExternal(): boolean;

  /** @internal Bytes this memory moves through its sequence's shared transfer buffers per transfer (0 when it has staging of its own). */
  abstract get arenaBytes(): number;

  /** @internal Encodes host → GPU at this point of the batch (the host copy exists). */
  abstract encodeUpload(stage: TransferStage): void;

  /** @internal Encodes GPU → host at this point of the batch (the host copy exists). */
  abstract encodeDownload(stage: TransferStage): void;

  /** @internal What a bind group entry binds. */
  abstract bindingResource(): GPUBindingResource;

  /**
   * @internal Throws unless the memory can be bound as `kind` (`storage` or `uniform`) on this
   * device: views check their byte offset against the device's offset alignment. Nothing to
   * check for whole tensors and images.
   */
  checkBindingOffset(_argument: string, _kind: 'storage' | 'uniform'): void {}

  /** @internal */
  protected constructor(context: DeviceContext, kind: string, label: string | undefined) {
    super(context, kind, label);
  }
}
