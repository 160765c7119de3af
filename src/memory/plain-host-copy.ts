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
  // Whether the batch being encoded already reads this tensor back (see encodeUpload).
  #downloadStaged = false;

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

  encodeUpload(stage: TransferStage, target: GPUBuffer): void {
    this.claim();
    // After a readback earlier in this batch, the GPU buffer already holds what the host will
    // receive; uploading the host's older bytes would undo the batch's work.
    if (this.#downloadStaged) return;
    stage.stageUpload(this.#bytes, target);
  }

  encodeDownload(stage: TransferStage, source: GPUBuffer): void {
    this.claim();
    this.#downloadStaged = true;
    stage.stageDownload(source, this.#bytes.byteLength, (data) => this.#bytes.set(data));
  }

  // The sequence's transfer arena delivers the downloaded bytes, and only when the batch ran.
  settle(batchDone: Promise<unknown>, _ran: Promise<boolean>): Promise<void> {
    this.#downloadStaged = false;
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
