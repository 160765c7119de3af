import { BufferUsage, MapMode } from '../backends/webgpu-constants.js';
import { HostClaim, type HostCopy } from './host-copy.js';
import { type ImageData, type ImageDType, imageBytesPerElement, newImageArray, paddedRowBytes } from './image-format.js';
import type { StagingPool } from '../core/staging-pool.js';
import type { GPUCommandEncoder, GPUQueue, GPUTexture } from '../backends/webgpu-types.js';

/** The shape of an image, as its host copy needs it. */
interface ImageShape {
  readonly dtype: ImageDType;
  readonly width: number;
  readonly height: number;
  /** Array layers or depth slices (rows of all of them are stored one after another). */
  readonly layers: number;
  readonly channels: number;
}

/**
 * An image's host data: a tightly packed typed array (row after row, channels interleaved), and
 * two staging buffers whose rows are padded to WebGPU's 256-byte `bytesPerRow` rule:
 *
 * - the upload buffer (`COPY_SRC | COPY_DST`) is filled by one `queue.writeBuffer` when an upload
 *   is encoded (that write lands before the batch runs), then copied into the texture at the
 *   upload's place in the batch;
 * - the readback buffer (`MAP_READ | COPY_DST`) receives the texture at a download's place; after
 *   the batch it is mapped and its rows copied, without their padding, into the host array.
 *
 * Both are created at the first transfer that needs them and kept until the image goes away.
 */
export class ImageHostCopy extends HostClaim implements HostCopy {
  readonly #pool: StagingPool;
  readonly #queue: GPUQueue;
  readonly #shape: ImageShape;
  readonly #view: ImageData;
  readonly #rowBytes: number;
  readonly #paddedRow: number;
  #scratch: Uint8Array | null = null;
  #upload: GPUBuffer | null = null;
  #download: GPUBuffer | null = null;
  #released = false;
  #uploadStaged = false;
  #downloadStaged = false;

  constructor(pool: StagingPool, queue: GPUQueue, shape: ImageShape, label: string, initial?: ImageData) {
    super(label);
    this.#pool = pool;
    this.#queue = queue;
    this.#shape = shape;
    this.#view = newImageArray(shape.dtype, shape.width * shape.height * shape.layers * shape.channels);
    this.#rowBytes = shape.width * shape.channels * imageBytesPerElement(shape.dtype);
    this.#paddedRow = paddedRowBytes(this.#rowBytes);
    if (initial) this.#view.set(initial);
  }

  /** Bytes per row in the staging buffers (a multiple of 256). */
  get bytesPerRow(): number {
    return this.#paddedRow;
  }

  /** The host data, valid across evaluations. */
  view(): ImageData {
    this.assertIdle('data()');
    return this.#view;
  }

  /** Copies `data` (right type and length) into the host data. */
  write(data: ImageData): void {
    this.assertIdle('setData()');
    this.#view.set(data);
  }

  /** Encodes host → texture at this point of the batch. */
  encodeUpload(encoder: GPUCommandEncoder, texture: GPUTexture): void {
    this.claim();
    // After a readback earlier in this batch the texture already holds what the host will
    // receive: uploading the host's older data would undo the batch's work.
    if (this.#downloadStaged) return;
    const { width, height, layers } = this.#shape;
    const rows = height * layers;
    const bytes = this.#paddedRow * rows;
    if (!this.#uploadStaged) {
      this.#upload ??= this.#pool.acquire({ label: `${this.label} upload`, size: bytes, usage: BufferUsage.COPY_SRC | BufferUsage.COPY_DST }, 'staging').buffer;
      const view = this.#view;
      if (this.#paddedRow === this.#rowBytes) {
        this.#queue.writeBuffer(this.#upload, 0, view.buffer, view.byteOffset, bytes);
      } else {
        this.#scratch ??= new Uint8Array(bytes);
        const scratch = this.#scratch;
        const source = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
        for (let y = 0; y < rows; y++) scratch.set(source.subarray(y * this.#rowBytes, (y + 1) * this.#rowBytes), y * this.#paddedRow);
        this.#queue.writeBuffer(this.#upload, 0, scratch);
      }
      this.#uploadStaged = true;
    }
    encoder.copyBufferToTexture({ buffer: this.#upload!, bytesPerRow: this.#paddedRow, rowsPerImage: height }, { texture }, { width, height, depthOrArrayLayers: layers });
  }

  /** Encodes texture → host at this point of the batch; the data arrives when the batch settles. */
  encodeDownload(encoder: GPUCommandEncoder, texture: GPUTexture): void {
    this.claim();
    const { width, height, layers } = this.#shape;
    this.#download ??= this.#pool.acquire({ label: `${this.label} readback`, size: this.#paddedRow * height * layers, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST }, 'staging').buffer;
    encoder.copyTextureToBuffer({ texture }, { buffer: this.#download, bytesPerRow: this.#paddedRow, rowsPerImage: height }, { width, height, depthOrArrayLayers: layers });
    this.#downloadStaged = true;
  }

  async settle(batchDone: Promise<unknown>, ran: Promise<boolean>): Promise<void> {
    const download = this.#downloadStaged ? this.#download : null;
    this.#uploadStaged = false;
    this.#downloadStaged = false;
    try {
      if (!download) {
        await batchDone;
        return;
      }
      // Mapped at once, before anything is awaited: while the map is pending, a release (the image
      // destroyed meanwhile) destroys the buffer instead of pooling it under the copy in flight.
      const mapped = download.mapAsync(MapMode.READ);
      const [didRun] = await Promise.all([ran, mapped]);
      if (this.#released) return;
      try {
        // A batch whose commands did not run copied nothing into the readback buffer.
        if (!didRun) return;
        const range = new Uint8Array(download.getMappedRange());
        const target = new Uint8Array(this.#view.buffer, this.#view.byteOffset, this.#view.byteLength);
        if (this.#paddedRow === this.#rowBytes) target.set(range.subarray(0, target.byteLength));
        else for (let y = 0; y < this.#shape.height * this.#shape.layers; y++) target.set(range.subarray(y * this.#paddedRow, y * this.#paddedRow + this.#rowBytes), y * this.#rowBytes);
      } finally {
        download.unmap();
      }
    } catch (error) {
      // Released while in flight (image or manager destroyed): the map was aborted on purpose.
      if (!this.#released) throw error;
    } finally {
      this.unclaim();
    }
  }

  /** Gives the staging buffers back to the manager's pool (which destroys what it cannot keep). */
  release(): void {
    this.#released = true;
    this.#pool.give(this.#upload);
    this.#pool.give(this.#download);
    this.#upload = null;
    this.#download = null;
  }
}
