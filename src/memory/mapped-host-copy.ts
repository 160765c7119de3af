import { BufferUsage, MapMode } from '../backends/webgpu-constants.js';
import { StateError } from '../errors.js';
import { type DType, type TensorData, viewOf } from './dtype.js';
import { HostClaim, type TensorHostCopy, type TransferStage } from './host-copy.js';
import type { HostDataPlacement } from '../core/host-placement.js';
import type { StagingPool } from '../core/staging-pool.js';
import type { GPUBuffer } from '../backends/webgpu-types.js';

/**
 * A large tensor's host data, kept in mapped staging memory as Kompute keeps it (its `data()` is a
 * view of the mapped staging buffer). Moving data between host and GPU then costs no JavaScript
 * copy in the common cases:
 *
 * - the upload buffer (`MAP_WRITE | COPY_SRC`) stays mapped while idle; `data()` and `setData()`
 *   write straight into it. An upload unmaps it, copies it to the GPU buffer and maps it again
 *   (WebGPU keeps a `MAP_WRITE` buffer's contents across mappings).
 * - the readback buffer (`MAP_READ | COPY_DST`) receives GPU → host copies; once mapped, `data()`
 *   is a view of it.
 *
 * Whichever of the two holds the newest host data is `current`. A view handed out by `data()`
 * stays valid until the next evaluation that transfers this tensor: WebGPU detaches a mapped
 * range when the buffer is unmapped, so call `data()` again after each evaluation.
 *
 * With the `'host-memory'` placement (see {@link HostDataPlacement}: where the upload buffer is
 * device memory, slow for the host to read) the readback buffer is always `current`: `data()`,
 * `setData()` and readbacks use it, and an upload first copies it into the upload buffer, which
 * the host then only ever writes.
 */
export class MappedHostCopy extends HostClaim implements TensorHostCopy {
  readonly #pool: StagingPool;
  readonly #dtype: DType;
  readonly #length: number;
  readonly #bytes: number;
  readonly #label: string;
  /** `'host-memory'`: the host data never lives in the upload buffer. */
  readonly #hostResident: boolean;
  #upload: GPUBuffer | null = null;
  #uploadRange: ArrayBuffer | null = null;
  #download: GPUBuffer | null = null;
  #downloadRange: ArrayBuffer | null = null;
  #current: 'upload' | 'download' = 'upload';
  #view: TensorData | null = null;
  #released = false;
  // Per batch being encoded: whether this host copy was already uploaded or downloaded in it.
  #uploadStaged = false;
  #downloadStaged = false;

  constructor(pool: StagingPool, placement: HostDataPlacement, dtype: DType, length: number, paddedBytes: number, label: string, initial?: TensorData) {
    super(label);
    this.#pool = pool;
    this.#hostResident = placement === 'host-memory';
    if (this.#hostResident) this.#current = 'download';
    this.#dtype = dtype;
    this.#length = length;
    this.#bytes = paddedBytes;
    this.#label = label;
    if (initial) this.write(initial);
  }

  /** The host data as a typed array (a view of mapped staging memory). */
  view(): TensorData {
    this.assertIdle('data()');
    if (this.#view) return this.#view;
    const range = this.#hostResident ? this.#mappedHost() : this.#current === 'download' ? this.#downloadRange! : this.#mappedUpload();
    this.#view = viewOf(this.#dtype, range, this.#length);
    return this.#view;
  }

  /** Copies `data` (already of the right type and length) into the host data. */
  write(data: TensorData): void {
    this.assertIdle('setData()');
    if (this.#hostResident) {
      viewOf(this.#dtype, this.#mappedHost(), this.#length).set(data);
      return;
    }
    const range = this.#mappedUpload();
    viewOf(this.#dtype, range, this.#length).set(data);
    this.#select('upload');
  }

  /** Encodes host → GPU: the upload buffer is unmapped and copied into `target`. */
  encodeUpload(stage: TransferStage, target: GPUBuffer): void {
    const encoder = stage.encoder;
    this.claim();
    // The GPU buffer already holds what the host will receive from a readback earlier in this
    // batch, so uploading stale host data now would undo the batch's work.
    if (this.#downloadStaged) return;
    if (!this.#uploadStaged) {
      const range = this.#mappedUpload(!this.#hostResident);
      if (this.#hostResident) {
        // The host data stays where it is (and its view valid); the upload buffer only receives it.
        new Uint8Array(range).set(new Uint8Array(this.#mappedHost(), 0, this.#bytes));
      } else {
        if (this.#current === 'download') {
          new Uint8Array(range).set(new Uint8Array(this.#downloadRange!, 0, this.#bytes));
          this.#select('upload');
        }
        this.#view = null;
      }
      this.#uploadRange = null;
      this.#upload!.unmap();
      this.#uploadStaged = true;
    }
    encoder.copyBufferToBuffer(this.#upload!, 0, target, 0, this.#bytes);
  }

  /** Encodes GPU → host: `source` is copied into the readback buffer, mapped after the batch. */
  encodeDownload(stage: TransferStage, source: GPUBuffer): void {
    const encoder = stage.encoder;
    this.claim();
    if (!this.#downloadStaged) {
      if (this.#download) {
        if (this.#downloadRange) this.#download.unmap();
      } else {
        this.#download = this.#pool.acquire({ label: `${this.#label} readback`, size: this.#bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST }, 'staging').buffer;
      }
      this.#downloadRange = null;
      if (this.#current === 'download') this.#view = null;
      this.#downloadStaged = true;
    }
    encoder.copyBufferToBuffer(source, 0, this.#download!, 0, this.#bytes);
  }

  /**
   * After the batch was submitted (or failed to encode): maps again what the batch unmapped. The
   * promise settles when the GPU has finished the batch's copies.
   */
  async settle(_batchDone: Promise<unknown>, ran: Promise<boolean>): Promise<void> {
    const maps: Promise<void>[] = [];
    if (this.#uploadStaged && this.#upload) {
      const upload = this.#upload;
      maps.push(
        upload.mapAsync(MapMode.WRITE).then(() => {
          if (this.#upload === upload) this.#uploadRange = upload.getMappedRange();
        }),
      );
    }
    if (this.#downloadStaged && this.#download) {
      const download = this.#download;
      maps.push(
        download.mapAsync(MapMode.READ).then(async () => {
          if (this.#download !== download) return;
          this.#downloadRange = download.getMappedRange();
          // What a rejected batch left in the readback buffer is not the tensor's data, unless
          // the host data lives there: then the copy that did not run left it as it was.
          if (!(await ran)) {
            if (this.#hostResident) this.#view = null;
            return;
          }
          this.#view = null;
          this.#current = 'download';
        }),
      );
    }
    this.#uploadStaged = false;
    this.#downloadStaged = false;
    try {
      await Promise.all(maps);
    } catch (error) {
      // Released while in flight (tensor or manager destroyed): the maps were aborted on purpose.
      if (!this.#released) throw error;
    } finally {
      this.unclaim();
    }
  }

  /** Gives the staging buffers back to the manager's pool (which destroys what it cannot keep). */
  release(): void {
    this.#released = true;
    this.#view = null;
    this.#uploadRange = null;
    this.#downloadRange = null;
    this.#pool.give(this.#upload);
    this.#pool.give(this.#download);
    this.#upload = null;
    this.#download = null;
  }

  #select(which: 'upload' | 'download'): void {
    if (this.#current !== which) this.#view = null;
    this.#current = which;
  }

  /** The readback buffer's mapped range, where `'host-memory'` keeps the data; taken (mapped, zero-filled) when missing. */
  #mappedHost(): ArrayBuffer {
    if (this.#downloadRange) return this.#downloadRange;
    if (!this.#download) {
      const { buffer, range, reused } = this.#pool.acquire(
        { label: `${this.#label} host data`, size: this.#bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST, mappedAtCreation: true },
        'staging',
      );
      if (reused) new Uint8Array(range!).fill(0);
      this.#download = buffer;
      this.#downloadRange = range;
      return range!;
    }
    throw new StateError(`${this.#label}: host data is not mapped`, 'await the running evaluation first');
  }

  /** The upload buffer's mapped range, taking the buffer (mapped, zero-filled) when missing. */
  #mappedUpload(clear = true): ArrayBuffer {
    if (this.#uploadRange) return this.#uploadRange;
    if (!this.#upload) {
      const { buffer, range, reused } = this.#pool.acquire(
        { label: `${this.#label} upload`, size: this.#bytes, usage: BufferUsage.MAP_WRITE | BufferUsage.COPY_SRC, mappedAtCreation: true },
        'staging',
      );
      // A new buffer is zero-filled; a pooled one holds its last user's data (unless about to be overwritten).
      if (reused && clear) new Uint8Array(range!).fill(0);
      this.#upload = buffer;
      this.#uploadRange = range;
      return range!;
    }
    throw new StateError(`${this.#label}: host data is not mapped`, 'await the running evaluation first');
  }
}
