import { BatchDownloads } from './batch-downloads.js';
import type { ByteRange } from './byte-range.js';
import { type DType, type TensorData, viewOf } from './dtype.js';
import { HostClaim, type TensorHostCopy, type TransferStage } from './host-copy.js';
import type { GPUBuffer } from '../backends/webgpu-types.js';

/**
 * A small tensor's host data: a plain typed array that stays valid across evaluations. Uploads
 * and downloads go through the sequence's shared transfer buffers (one write and one map per
 * batch for all small tensors together), because for a few bytes the fixed cost of a GPU round
 * trip per tensor, not the copy, is what counts. The array is made when first needed (data(),
 * setData(), a transfer), so a tensor created and destroyed without touching its host data
 * allocates none.
 */
export class PlainHostCopy extends HostClaim implements TensorHostCopy {
  readonly #dtype: DType;
  readonly #length: number;
  readonly #paddedBytes: number;
  #bytes: Uint8Array | null = null;
  #view: TensorData | null = null;
  /** What the batch being encoded reads back (made on first use: most batches read nothing back). */
  #downloaded: BatchDownloads | null = null;

  constructor(dtype: DType, length: number, paddedBytes: number, label: string, initial?: TensorData) {
    super(label);
    this.#dtype = dtype;
    this.#length = length;
    this.#paddedBytes = paddedBytes;
    if (initial) this.#array().set(initial);
  }

  view(): TensorData {
    this.assertIdle('data()');
    return this.#array();
  }

  write(data: TensorData): void {
    this.assertIdle('setData()');
    this.#array().set(data);
  }

  /** The host data (zeros until written), made on first use. */
  #array(): TensorData {
    if (this.#view) return this.#view;
    const buffer = new ArrayBuffer(this.#paddedBytes);
    this.#bytes = new Uint8Array(buffer);
    this.#view = viewOf(this.#dtype, buffer, this.#length);
    return this.#view;
  }

  #byteView(): Uint8Array {
    this.#array();
    return this.#bytes!;
  }

  encodeUpload(stage: TransferStage, target: GPUBuffer, range: ByteRange): void {
    this.claim();
    // Where a readback earlier in this batch covers the range, the GPU buffer already holds what
    // the host will receive; uploading the host's older bytes would undo the batch's work.
    const bytes = this.#byteView();
    const pieces = this.#downloaded ? this.#downloaded.uploadPieces(range, stage.writesTo(target), this.label) : [range];
    for (const piece of pieces) {
      stage.stageUpload(bytes.subarray(piece.offset, piece.offset + piece.bytes), target, piece.offset);
    }
  }

  encodeDownload(stage: TransferStage, source: GPUBuffer, range: ByteRange): void {
    this.claim();
    this.#downloaded ??= new BatchDownloads();
    this.#downloaded.record(range, stage.writesTo(source));
    const offset = range.offset;
    const bytes = this.#byteView();
    stage.stageDownload(source, offset, range.bytes, (data) => bytes.set(data, offset));
  }

  // The sequence's transfer arena delivers the downloaded bytes (in the batch's order), and only when the batch ran.
  settle(batchDone: Promise<unknown>, _ran: Promise<boolean>): Promise<void> {
    this.#downloaded = null;
    // One reaction, no async frame: this runs for every small tensor of every evaluation.
    return batchDone.then(
      () => this.unclaim(),
      (error: unknown) => {
        this.unclaim();
        throw error;
      },
    );
  }

  release(): void {}
}
