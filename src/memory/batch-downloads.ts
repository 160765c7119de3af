import { StateError } from '../errors.js';
import { type ByteRange, overlaps, subtractRanges } from './byte-range.js';

/** A range a batch reads back, with the batch's count of GPU writes when the readback was recorded. */
interface Readback {
  readonly range: ByteRange;
  readonly writes: number;
}

/**
 * The ranges of a tensor that the batch being encoded reads back, for an upload later in the same
 * batch. Those bytes reach the host data only after the batch completed, so the upload cannot send
 * them: where no dispatch binding the buffer or copy into it came between, the GPU buffer still
 * holds them and the upload skips them; where one did, nothing recorded in this batch can send
 * what the readback captured, and the upload is a {@link StateError} rather than a silent wrong
 * value.
 */
export class BatchDownloads {
  /** Disjoint ranges, each with the write count of its latest readback. */
  #readbacks: Readback[] = [];

  /** Records a readback of `range` when the batch has recorded `writes` GPU writes. */
  record(range: ByteRange, writes: number): void {
    const next: Readback[] = [];
    for (const r of this.#readbacks) for (const piece of subtractRanges(r.range, [range])) next.push({ range: piece, writes: r.writes });
    next.push({ range, writes });
    this.#readbacks = next;
  }

  /** The pieces of `range` an upload at write count `writes` must send; throws where a GPU write came after a readback of its bytes. */
  uploadPieces(range: ByteRange, writes: number, label: string): ByteRange[] {
    if (this.#readbacks.length === 0) return [range];
    for (const r of this.#readbacks) {
      if (r.writes !== writes && overlaps(r.range, range)) {
        throw new StateError(
          `${label}: an upload of bytes [${range.offset}, ${range.offset + range.bytes}) follows, in the same evaluation, a readback of bytes [${r.range.offset}, ${r.range.offset + r.range.bytes}) and a dispatch or copy after it: the host data receives the readback only when the evaluation completes`,
          'evaluate the upload (OpSyncDevice) in a later evaluation, or leave out the readback',
        );
      }
    }
    return subtractRanges(
      range,
      this.#readbacks.map((r) => r.range),
    );
  }
}
