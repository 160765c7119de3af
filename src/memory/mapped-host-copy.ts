import { BufferUsage, MapMode } from '../backends/webgpu-constants.js';
import { StateError } from '../errors.js';
import { BatchDownloads } from './batch-downloads.js';
import { type ByteRange, covers, overlaps } from './byte-range.js';
import { type DType, type TensorData, viewOf } from './dtype.js';
import { HostClaim, type TensorHostCopy, type TransferStage } from './host-copy.js';
import type { HostDataPlacement } from '../core/host-placement.js';
import type { StagingPool } from '../core/staging-pool.js';
import type { GPUBuffer } from '../backends/webgpu-types.js';

/** A ranged download that lands in a staging buffer of its own, to be copied into the host data. */
interface RangeDelivery {
  readonly range: ByteRange;
  readonly buffer: GPUBuffer;
  /**
   * The arrived range whose staging buffer this download reuses (still mapped until the batch is
   * submitted): what the range holds again if the batch does not run.
   */
  readonly reusing?: ArrivedRange;
  /**
   * Set when a whole download later in the batch supersedes a reusing download, whose copy is
   * encoded already: its staging buffer is unmapped and mapped like the others, then given back.
   */
  overtaken?: boolean;
}

/** A ranged download that has arrived (its staging buffer is mapped) and is not yet copied into the host data. */
interface ArrivedRange extends RangeDelivery {
  readonly bytes: ArrayBuffer;
}

/**
 * A large tensor's host data, kept in mapped staging memory as Kompute keeps it (its `data()` is a
 * view of the mapped staging buffer). Moving data between host and GPU then costs no JavaScript
 * copy in the common cases:
 *
 * - the upload buffer (`MAP_WRITE | COPY_SRC`) stays mapped while idle; `data()` and `setData()`
 *   write straight into it. An upload unmaps it, copies it (or the range uploaded) to the GPU
 *   buffer and maps it again (WebGPU keeps a `MAP_WRITE` buffer's contents across mappings).
 * - the readback buffer (`MAP_READ | COPY_DST`) receives GPU → host copies at the same offsets;
 *   once mapped, `data()` is a view of it.
 *
 * Whichever of the two holds the newest host data is `current`. A view handed out by `data()`
 * stays valid until the next evaluation that unmaps the buffer it views: WebGPU detaches a mapped
 * range when the buffer is unmapped, so call `data()` again after each evaluation.
 *
 * Both buffers stay mapped while a batch is encoded and are unmapped just before its submission
 * ({@link beforeSubmit}), so any point of the encoding can read the host data as it is.
 *
 * Ranged downloads (a view's `OpSyncLocal`) cost what the range costs, not the tensor: the range
 * goes to a staging buffer of its size, which stays mapped once the batch completed, and is
 * copied into the host data (a JavaScript copy of the range) only when the host data is next
 * read or moved. A range downloaded again before that supersedes the arrived one, which is then
 * never copied: a loop of ranged syncs costs no copy per sync (on the H200 the copy of 1 MB was
 * 34.5 µs, half the cost of the sync itself). Only when the same batch also reads the whole
 * tensor back does a range land in the readback buffer directly.
 *
 * With the `'host-memory'` placement (see {@link HostDataPlacement}: where the upload buffer is
 * device memory, slow for the host to read) the readback buffer is always `current`: `data()`,
 * `setData()` and readbacks use it, and an upload copies (the range of) it into the upload
 * buffer, which the host then only ever writes.
 */
export class MappedHostCopy extends HostClaim implements TensorHostCopy {
  readonly #pool: StagingPool;
  readonly #dtype: DType;
  readonly #length: number;
  readonly #bytes: number;
  /** `'host-memory'`: the host data never lives in the upload buffer. */
  readonly #hostResident: boolean;
  #upload: GPUBuffer | null = null;
  #uploadRange: ArrayBuffer | null = null;
  #download: GPUBuffer | null = null;
  #downloadRange: ArrayBuffer | null = null;
  #current: 'upload' | 'download' = 'upload';
  #view: TensorData | null = null;
  #released = false;
  // Per batch being encoded:
  #unmapUpload = false;
  #unmapDownload = false;
  #uploadUnmapped = false;
  #downloadUnmapped = false;
  /** The staging buffers downloads of this batch reuse were unmapped for its submission. */
  #reusedUnmapped = false;
  /** Ranges whose GPU data the host receives from this batch. */
  #downloaded = new BatchDownloads();
  #deliveries: RangeDelivery[] = [];
  /** Ranged downloads of completed batches not yet copied into the host data, oldest first. */
  #arrived: ArrivedRange[] = [];
  /** Arrived ranges a readback of this batch supersedes: given back once it ran, arrived again if it did not. */
  #superseded: ArrivedRange[] = [];

  constructor(pool: StagingPool, placement: HostDataPlacement, dtype: DType, length: number, paddedBytes: number, label: string, initial?: TensorData) {
    super(label);
    this.#pool = pool;
    this.#hostResident = placement === 'host-memory';
    if (this.#hostResident) this.#current = 'download';
    this.#dtype = dtype;
    this.#length = length;
    this.#bytes = paddedBytes;
    if (initial) this.write(initial);
  }

  /** The host data as a typed array (a view of mapped staging memory). */
  view(): TensorData {
    this.assertIdle('data()');
    this.#applyArrived();
    if (this.#view) return this.#view;
    this.#view = viewOf(this.#dtype, this.#hostRange(), this.#length);
    return this.#view;
  }

  /** Copies `data` (already of the right type and length) into the host data. */
  write(data: TensorData): void {
    this.assertIdle('setData()');
    // Every byte is overwritten: what arrived is superseded.
    this.#dropArrived();
    if (this.#hostResident) {
      viewOf(this.#dtype, this.#mappedHost(), this.#length).set(data);
      return;
    }
    const range = this.#mappedUpload();
    viewOf(this.#dtype, range, this.#length).set(data);
    this.#select('upload');
  }

  /** Encodes host → GPU of `range`: copied from the upload buffer (unmapped for the submission) into `target`. */
  encodeUpload(stage: TransferStage, target: GPUBuffer, range: ByteRange): void {
    this.claim();
    this.#applyArrived();
    // Where a readback earlier in this batch covers the range, the GPU buffer already holds what
    // the host will receive, so uploading stale host data there would undo the batch's work.
    const pieces = this.#downloaded.uploadPieces(range, stage.writesTo(target), this.label);
    if (pieces.length === 0) return;
    // Only the pieces are copied to the GPU, so a pooled upload buffer about to receive them needs no clearing.
    const upload = new Uint8Array(this.#mappedUpload(!this.#hostResident));
    if (this.#current === 'download') {
      // The host data lives in the readback buffer, which the GPU cannot copy from: bring the
      // bytes over. A whole upload moves the host data's home to the upload buffer (unless it
      // lives in host memory for good).
      const download = new Uint8Array(this.#hostResident ? this.#mappedHost() : this.#downloadRange!);
      for (const p of pieces) upload.set(download.subarray(p.offset, p.offset + p.bytes), p.offset);
      if (!this.#hostResident && range.offset === 0 && range.bytes === this.#bytes && pieces.length === 1 && pieces[0]!.bytes === this.#bytes) this.#select('upload');
    }
    this.#unmapUpload = true;
    for (const p of pieces) stage.encoder.copyBufferToBuffer(this.#upload!, p.offset, target, p.offset, p.bytes);
  }

  /** Encodes GPU → host of `range`: copied into the readback buffer at its offset, or into a staging buffer of its own. */
  encodeDownload(stage: TransferStage, source: GPUBuffer, range: ByteRange): void {
    const encoder = stage.encoder;
    this.claim();
    const whole = range.offset === 0 && range.bytes === this.#bytes;
    // Arrived ranges this download covers are superseded; where another overlaps it, all land
    // first, in order (were the covered ones set aside, a batch that does not run would bring
    // them back after the newer ones that overlap them).
    if (this.#arrived.some((arrived) => overlaps(range, arrived.range) && !covers(range, arrived.range))) this.#applyArrived();
    this.#supersedeArrived(range);
    // A range lands in the readback buffer only when the batch remaps that buffer anyway (it also
    // reads the whole tensor back): otherwise remapping the whole buffer for a small range costs
    // more than the range (measured: 1 MB of 256 MB took 4.6-5.2 times a whole 1 MB tensor on the
    // H200, 2.7 times on lavapipe), so the range goes to a staging buffer of its size instead.
    if (whole || this.#unmapDownload) {
      if (!this.#download) {
        this.#download = this.#pool.acquire({ label: `${this.label} readback`, size: this.#bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST }, 'staging').buffer;
      }
      // A whole download supersedes the ranged downloads staged before it in this batch.
      if (whole) this.#dropDeliveries();
      this.#unmapDownload = true;
      encoder.copyBufferToBuffer(source, range.offset, this.#download, range.offset, range.bytes);
    } else {
      // A loop of syncs of one range reuses the staging buffer of the range that arrived last
      // (superseded above): it is then unmapped and mapped again, as a whole tensor's readback
      // buffer is, instead of going back to the pool and another coming out of it.
      const reusing = this.#takeSuperseded(range);
      const buffer = reusing?.buffer ?? this.#pool.acquire({ label: `${this.label} range readback`, size: range.bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST }, 'staging').buffer;
      encoder.copyBufferToBuffer(source, range.offset, buffer, 0, range.bytes);
      this.#deliveries.push(reusing ? { range, buffer, reusing } : { range, buffer });
    }
    this.#downloaded.record(range, stage.writesTo(source));
  }

  /** Unmaps what the batch copies from or into; the batch is submitted next. */
  beforeSubmit(): void {
    if (this.#unmapUpload && this.#upload && this.#uploadRange) {
      if (this.#current === 'upload') this.#view = null;
      this.#uploadRange = null;
      this.#upload.unmap();
      this.#uploadUnmapped = true;
    }
    if (this.#unmapDownload && this.#download) {
      if (this.#downloadRange) {
        if (this.#current === 'download') this.#view = null;
        this.#downloadRange = null;
        this.#download.unmap();
      }
      this.#downloadUnmapped = true;
    }
    for (const delivery of this.#deliveries) {
      if (delivery.reusing) {
        delivery.buffer.unmap();
        this.#reusedUnmapped = true;
      }
    }
  }

  /**
   * After the batch was submitted (or failed to encode): maps again what the batch unmapped, and
   * copies ranged downloads into the host data. The promise settles when the GPU has finished the
   * batch's copies.
   */
  async settle(_batchDone: Promise<unknown>, ran: Promise<boolean>): Promise<void> {
    const maps: Promise<void>[] = [];
    if (this.#uploadUnmapped && this.#upload) {
      const upload = this.#upload;
      maps.push(
        upload.mapAsync(MapMode.WRITE).then(() => {
          if (this.#upload === upload) this.#uploadRange = upload.getMappedRange();
        }),
      );
    }
    if (this.#downloadUnmapped && this.#download) {
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
    const deliveries = this.#deliveries;
    // A reused staging buffer is still mapped, holding its last range, when the batch failed to encode.
    const reusedMapped = !this.#reusedUnmapped;
    const staged = deliveries.map(async ({ buffer, reusing }) => {
      if (reusing && reusedMapped) return reusing.bytes;
      await buffer.mapAsync(MapMode.READ);
      return buffer.getMappedRange();
    });
    this.#reusedUnmapped = false;
    this.#unmapUpload = false;
    this.#unmapDownload = false;
    this.#uploadUnmapped = false;
    this.#downloadUnmapped = false;
    this.#downloaded = new BatchDownloads();
    const superseded = this.#superseded;
    const reused = reusedBy(deliveries);
    this.#superseded = [];
    this.#deliveries = [];
    try {
      await Promise.all(maps);
      const ranges = await Promise.all(staged);
      if ((await ran) && !this.#released) {
        deliveries.forEach(({ range, buffer, overtaken }, i) => {
          if (!overtaken) this.#arrived.push({ range, buffer, bytes: ranges[i]! });
        });
        deliveries.splice(0, deliveries.length, ...deliveries.filter((delivery) => delivery.overtaken));
      } else if (!this.#released) {
        // The readbacks that superseded them did not run: those ranges are still the newest (a
        // reused staging buffer still holds its range: a batch that does not run copies nothing).
        const remapped = new Map(deliveries.map((delivery, i) => [delivery.reusing, ranges[i]!]));
        for (const arrived of superseded) this.#arrived.push(remapped.has(arrived) ? { ...arrived, bytes: remapped.get(arrived)! } : arrived);
        superseded.length = 0;
        deliveries.splice(0, deliveries.length, ...deliveries.filter((delivery) => !delivery.reusing));
      }
    } catch (error) {
      // Released while in flight (tensor or manager destroyed): the maps were aborted on purpose.
      if (!this.#released) throw error;
    } finally {
      this.#give(deliveries);
      this.#giveSuperseded(superseded, reused);
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
    this.#give(this.#deliveries);
    this.#giveSuperseded(this.#superseded, reusedBy(this.#deliveries));
    this.#deliveries = [];
    this.#dropArrived();
    this.#superseded = [];
    this.#upload = null;
    this.#download = null;
  }

  /**
   * Forgets the ranged downloads staged so far in this batch. One that reuses a staging buffer
   * stays, overtaken: the batch copies into that buffer, which must be unmapped for it.
   */
  #dropDeliveries(): void {
    const kept: RangeDelivery[] = [];
    for (const delivery of this.#deliveries) {
      if (delivery.reusing) {
        delivery.overtaken = true;
        kept.push(delivery);
      } else this.#pool.give(delivery.buffer);
    }
    this.#deliveries = kept;
  }

  /** Copies the arrived ranges into the host data, oldest first, and gives their staging buffers back. */
  #applyArrived(): void {
    if (this.#arrived.length === 0) return;
    const host = new Uint8Array(this.#hostRange());
    for (const { range, bytes } of this.#arrived) host.set(new Uint8Array(bytes), range.offset);
    this.#dropArrived();
  }

  /** Moves the arrived ranges that `range` covers aside until the batch reading it back has run. */
  #supersedeArrived(range: ByteRange): void {
    if (this.#arrived.length === 0) return;
    const kept: ArrivedRange[] = [];
    for (const arrived of this.#arrived) (covers(range, arrived.range) ? this.#superseded : kept).push(arrived);
    this.#arrived = kept;
  }

  /** The superseded range of exactly `range` whose staging buffer no download of this batch reuses yet. */
  #takeSuperseded(range: ByteRange): ArrivedRange | undefined {
    const reused = reusedBy(this.#deliveries);
    return this.#superseded.find((arrived) => arrived.range.offset === range.offset && arrived.range.bytes === range.bytes && !reused.has(arrived));
  }

  /** Gives back the staging buffers of superseded ranges, but those a download reused (given with it). */
  #giveSuperseded(superseded: readonly ArrivedRange[], reused: ReadonlySet<ArrivedRange>): void {
    this.#give(superseded.filter((arrived) => !reused.has(arrived)));
  }

  /** Gives back the staging buffers of the arrived ranges, uncopied. */
  #dropArrived(): void {
    this.#give(this.#arrived);
    this.#arrived = [];
  }

  /** Where the host data lives now: the readback buffer's or the upload buffer's mapped range. */
  #hostRange(): ArrayBuffer {
    return this.#hostResident ? this.#mappedHost() : this.#current === 'download' ? this.#downloadRange! : this.#mappedUpload();
  }

  /** Gives the staging buffers of `ranges` back to the pool. */
  #give(ranges: readonly RangeDelivery[]): void {
    for (const { buffer } of ranges) this.#pool.give(buffer);
  }

  #select(which: 'upload' | 'download'): void {
    if (this.#current !== which) this.#view = null;
    this.#current = which;
  }

  /** The readback buffer's mapped range, where `'host-memory'` keeps the data; taken (mapped, zero-filled) when missing. */
  #mappedHost(): ArrayBuffer {
    if (this.#downloadRange) return this.#downloadRange;
    if (!this.#download) {
      const { buffer, range } = this.#takeMapped('host data', BufferUsage.MAP_READ | BufferUsage.COPY_DST, true);
      this.#download = buffer;
      this.#downloadRange = range;
      return range;
    }
    throw new StateError(`${this.label}: host data is not mapped`, 'await the running evaluation first');
  }

  /** The upload buffer's mapped range, taking the buffer (mapped, zero-filled unless `clear` is false) when missing. */
  #mappedUpload(clear = true): ArrayBuffer {
    if (this.#uploadRange) return this.#uploadRange;
    if (!this.#upload) {
      const { buffer, range } = this.#takeMapped('upload', BufferUsage.MAP_WRITE | BufferUsage.COPY_SRC, clear);
      this.#upload = buffer;
      this.#uploadRange = range;
      return range;
    }
    throw new StateError(`${this.label}: host data is not mapped`, 'await the running evaluation first');
  }

  /**
   * A staging buffer of the host data's size from the pool, mapped at creation; zero-filled when
   * `clear` (a new buffer is zero-filled already; a pooled one holds its last user's data).
   */
  #takeMapped(what: string, usage: number, clear: boolean): { buffer: GPUBuffer; range: ArrayBuffer } {
    const { buffer, range, reused } = this.#pool.acquire({ label: `${this.label} ${what}`, size: this.#bytes, usage, mappedAtCreation: true }, 'staging');
    if (reused && clear) new Uint8Array(range!).fill(0);
    return { buffer, range: range! };
  }
}

/** The superseded ranges whose staging buffers `deliveries` reuse. */
function reusedBy(deliveries: readonly RangeDelivery[]): Set<ArrivedRange> {
  const reused = new Set<ArrivedRange>();
  for (const { reusing } of deliveries) if (reusing) reused.add(reusing);
  return reused;
}
