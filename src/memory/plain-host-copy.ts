import { type ByteRange, subtractRanges } from './byte-range.js';
import { type DType, type TensorData, viewOf } from './dtype.js';
import { HostClaim, type TensorHostCopy, type TransferStage } from './host-copy.js';
import type { GPUBuffer } from '../backends/webgpu-types.js';

/**
 * A small tensor's host data: a plain typed array that stays valid across evaluations. Uploads
 * and downloads go through the sequence's shared transfer buffers (one write and one map per
 * batch for all small tensors together), because for a few bytes the fixed cost of a GPU round
 * trip per tensor, not the copy, is what counts.
 */
export class PlainHostCopy extends HostClaim implements TensorHostCopy {
  readonly #bytes: Uint8Array;
  readonly #view: TensorData;
  // The byte ranges the batch being encoded already reads back (see encodeUpload).
  #downloaded: ByteRange[] = [];

  constructor(dtype: DType, length: number, paddedBytes: number, label: string, initial?: TensorData) {
    super(label);
    const buffer = new ArrayBuffer(paddedBytes);
    this.#bytes = new Uint8Array(buffer);
    this.#view = viewOf(dtype, buffer, length);
    if (initial) this.#view.set(initial);
  }

  view(): TensorData {
    this.assertIdle('data()');
    return this.#view;
  }

  write(data: TensorData): void {
    this.assertIdle('setData()');
    this.#view.set(data);
  }

  encodeUpload(stage: TransferStage, target: GPUBuffer, range: ByteRange): void {
    this.claim();
    // Where a readback earlier in this batch covers the range, the GPU buffer already holds what
    // the host will receive; uploading the host's older bytes would undo the batch's work.
    for (const piece of subtractRanges(range, this.#downloaded)) {
      stage.stageUpload(this.#bytes.subarray(piece.offset, piece.offset + piece.bytes), target, piece.offset);
    }
  }

  encodeDownload(stage: TransferStage, source: GPUBuffer, range: ByteRange): void {
    this.claim();
    this.#downloaded.push(range);
    const offset = range.offset;
    stage.stageDownload(source, offset, range.bytes, (data) => this.#bytes.set(data, offset));
  }

  // The sequence's transfer arena delivers the downloaded bytes (in the batch's order), and only when the batch ran.
  async settle(batchDone: Promise<unknown>, _ran: Promise<boolean>): Promise<void> {
    this.#downloaded = [];
    try {
      await batchDone;
    } finally {
      this.unclaim();
    }
  }

  release(): void {}
}
