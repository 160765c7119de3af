import { StateError } from '../errors.js';
import type { ByteRange } from './byte-range.js';
import type { TensorData } from './dtype.js';
import type { GPUBuffer, GPUCommandEncoder } from '../backends/webgpu-types.js';

/**
 * What a host copy needs from the evaluation being encoded: copies that run at their place in
 * the batch's command stream.
 */
export interface TransferStage {
  readonly encoder: GPUCommandEncoder;
  /**
   * A count of the GPU writes to `buffer` recorded so far in this batch (dispatches that bind it,
   * copies into it), from the first time it is asked for: a host copy compares two counts to tell
   * whether the GPU may have changed the buffer since it recorded a readback of it.
   */
  writesTo(buffer: GPUBuffer): number;
  /** Copies `data` (the host bytes as they are now) into `target` at `targetOffset` (default 0), at this point of the batch. */
  stageUpload(data: Uint8Array, target: GPUBuffer, targetOffset?: number): void;
  /** Copies `bytes` of `source` from `sourceOffset` at this point of the batch; `deliver` gets them once the batch completed. */
  stageDownload(source: GPUBuffer, sourceOffset: number, bytes: number, deliver: (data: Uint8Array) => void): void;
}

/**
 * What an evaluation needs of any host copy (a tensor's or an image's): claiming it while the
 * evaluation moves its data, and settling it afterwards.
 */
export interface HostCopy {
  /** True while an evaluation is moving the data (from its evalAsync() until its transfers are done). */
  readonly busy: boolean;
  /** Marks the data as taken by an evaluation that is about to move it. */
  claim(): void;
  /** Ends a claim; called once the evaluation's run has ended, whatever its outcome. */
  unclaim(): void;
  /**
   * After submission: resolves once the data is back in place (`batchDone` settles when the GPU
   * finished). `ran` resolves false when the batch's commands did not run: it failed before its
   * submission, or WebGPU rejected it (a validation error); readbacks then deliver nothing.
   */
  settle(batchDone: Promise<unknown>, ran: Promise<boolean>): Promise<void>;
  /**
   * Called once the batch is encoded, just before its submission: unmaps the staging buffers the
   * batch copies from or into (they stay mapped while the batch is encoded, so host data can be
   * read at any point of the encoding).
   */
  beforeSubmit?(): void;
  /** Frees staging memory; pending work is abandoned quietly. */
  release(): void;
}

/**
 * A tensor's host data and how it moves to and from the GPU buffer. Two strategies:
 * {@link MappedHostCopy} for large tensors (the data lives in mapped staging memory, no
 * JavaScript copy), {@link PlainHostCopy} for small ones (a plain typed array, moved through the
 * sequence's shared transfer buffers so a batch costs one GPU round trip however many small
 * tensors it moves).
 */
export interface TensorHostCopy extends HostCopy {
  /** The host data as a typed array. */
  view(): TensorData;
  /** Copies `data` (right type and length) into the host data. */
  write(data: TensorData): void;
  /**
   * Encodes host → GPU of `range` (the host bytes go to the same bytes of `target`) at this point
   * of the batch. Bytes a download earlier in the batch brings back are skipped: the GPU already
   * holds what the host will receive.
   */
  encodeUpload(stage: TransferStage, target: GPUBuffer, range: ByteRange): void;
  /** Encodes GPU → host of `range` (the same bytes of `source` into the host data) at this point of the batch. */
  encodeDownload(stage: TransferStage, source: GPUBuffer, range: ByteRange): void;
}

/** Tensors up to this many bytes keep a plain host array and share the sequence's transfer buffers. */
export const SMALL_TRANSFER_BYTES = 64 * 1024;

/**
 * The claim bookkeeping every host copy shares: an evaluation claims the data from its
 * evalAsync() (or when it encodes a transfer) until its transfers are done, and while it is
 * claimed, reading or writing the host data fails with {@link busyError}.
 */
export abstract class HostClaim {
  readonly #label: string;
  #busy = false;

  protected constructor(label: string) {
    this.#label = label;
  }

  /** The label of the resource whose host data this is (for messages and staging-buffer labels). */
  protected get label(): string {
    return this.#label;
  }

  /** True while an evaluation is moving the data (from its evalAsync() until its transfers are done). */
  get busy(): boolean {
    return this.#busy;
  }

  /** Marks the data as taken by an evaluation that is about to move it. */
  claim(): void {
    this.#busy = true;
  }

  /** Ends a claim. */
  unclaim(): void {
    this.#busy = false;
  }

  /** Throws {@link busyError} while the data is claimed. */
  protected assertIdle(action: string): void {
    if (this.#busy) throw busyError(this.#label, action);
  }
}

/** The error of touching host data while an evaluation moves it. */
function busyError(label: string, action: string): StateError {
  return new StateError(`${label}.${action}: the host data is being transferred by a running evaluation`, 'await the evaluation (eval() or evalAwait()) before touching the data');
}
