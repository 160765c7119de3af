/** What a buffer the framework created is for; `mgr.memory()` reports bytes per category. */
import type { GPUBuffer, GPUBufferDescriptor, GPUDevice, GPUTexture, GPUTextureDescriptor } from '../backends/webgpu-types.js';
export type BufferCategory = 'device' | 'staging' | 'uniform' | 'query' | 'pool' | 'params';

/** Bytes per category, textures included. */
type LedgerBytes = Record<BufferCategory | 'texture', number>;

/** Live resources and bytes of one manager, exact at every moment. */
export interface MemoryReport {
  /** Live tensors (including wrapped external buffers). */
  readonly tensors: number;
  /** Live algorithms (including those built-in operations made). */
  readonly algorithms: number;
  /** Live sequences. */
  readonly sequences: number;
  /** Live images. */
  readonly images: number;
  /** Live views of tensors (`tensor.view()`): counted, never bytes, since a view owns no GPU memory. */
  readonly views: number;
  /** Live samplers (`mgr.sampler`). */
  readonly samplers: number;
  /** Live parameter blocks (`mgr.params`). */
  readonly params: number;
  /** Bytes of parameter blocks' uniform buffers (made when a block is first bound). */
  readonly paramBytes: number;
  /** Bytes of tensors' GPU buffers created by the framework (external buffers not counted). */
  readonly deviceBytes: number;
  /**
   * Bytes of images' textures created by the framework: width × height × channels × bytes per
   * element each (what WebGPU is asked for; drivers may round up).
   */
  readonly imageBytes: number;
  /** Bytes of host staging buffers: tensors' and images' upload and readback buffers, sequences' readback buffers. */
  readonly stagingBytes: number;
  /**
   * Bytes of sequences' upload buffers (a uniform buffer holding push constants and small
   * tensors' uploads) and of timestamp query buffers.
   */
  readonly otherBytes: number;
  /**
   * Bytes of idle buffers kept for reuse by later tensors and sequences (released staging buffers,
   * and destroyed tensors' GPU buffers), bounded by the
   * manager's `stagingPoolBytes` option; `mgr.trimStagingPool()` frees them.
   */
  readonly poolBytes: number;
  /** The sum of all bytes above. */
  readonly totalBytes: number;
}

/**
 * Counts every GPU buffer the framework creates and destroys, so `mgr.memory()` is exact. All
 * buffer creation and destruction of a manager goes through one ledger.
 */
export class BufferLedger {
  readonly #bytes: LedgerBytes = { device: 0, staging: 0, uniform: 0, query: 0, texture: 0, pool: 0, params: 0 };
  readonly #live = new Map<GPUBuffer, BufferCategory>();
  readonly #textures = new Map<GPUTexture, number>();

  constructor(private readonly device: GPUDevice) {}

  /** Creates a buffer and counts it under `category`. */
  create(descriptor: GPUBufferDescriptor, category: BufferCategory): GPUBuffer {
    const buffer = this.device.createBuffer(descriptor);
    this.#live.set(buffer, category);
    this.#bytes[category] += descriptor.size;
    return buffer;
  }

  /** True while `buffer` is a live buffer of this ledger. */
  has(buffer: GPUBuffer): boolean {
    return this.#live.has(buffer);
  }

  /** Counts a live buffer under another category (a buffer going into or out of the staging pool). */
  recategorize(buffer: GPUBuffer, category: BufferCategory): void {
    const previous = this.#live.get(buffer);
    if (previous === undefined) return;
    this.#bytes[previous] -= buffer.size;
    this.#bytes[category] += buffer.size;
    this.#live.set(buffer, category);
  }

  /** Destroys a buffer this ledger created; a second call for the same buffer does nothing. */
  destroy(buffer: GPUBuffer | null | undefined): void {
    if (!buffer) return;
    const category = this.#live.get(buffer);
    if (category === undefined) return;
    this.#live.delete(buffer);
    this.#bytes[category] -= buffer.size;
    buffer.destroy();
  }

  /** Creates a texture and counts its `bytes` (the caller computes them from size and format). */
  createTexture(descriptor: GPUTextureDescriptor, bytes: number): GPUTexture {
    const texture = this.device.createTexture(descriptor);
    this.#textures.set(texture, bytes);
    this.#bytes.texture += bytes;
    return texture;
  }

  /** Destroys a texture this ledger created; a second call for the same texture does nothing. */
  destroyTexture(texture: GPUTexture | null | undefined): void {
    if (!texture) return;
    const bytes = this.#textures.get(texture);
    if (bytes === undefined) return;
    this.#textures.delete(texture);
    this.#bytes.texture -= bytes;
    texture.destroy();
  }

  /** Destroys every buffer and texture still counted (used when the manager goes away). */
  destroyAll(): void {
    for (const buffer of [...this.#live.keys()]) this.destroy(buffer);
    for (const texture of [...this.#textures.keys()]) this.destroyTexture(texture);
  }

  /** Bytes per category. */
  bytes(): Readonly<LedgerBytes> {
    return { ...this.#bytes };
  }
}
