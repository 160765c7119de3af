import type { Algorithm, DispatchState } from '../algorithm/algorithm.js';
import { MAX_PUSH_CONSTANT_BYTES } from '../algorithm/push-constants.js';
import type { HostCopy, TransferStage } from '../memory/host-copy.js';
import type { Memory } from '../memory/memory.js';
import { encodeMemoryCopy } from '../memory/memory-copy.js';
import { isLinear } from '../memory/tensor-view.js';
import { $internal } from '../core/internal.js';
import { EncodeContext } from '../operations/encode-context.js';
import type { GPUBindGroup, GPUBuffer, GPUCommandBuffer, GPUCommandEncoder, GPUQuerySet } from '../backends/webgpu-types.js';

/** The shared transfer buffers an evaluation encodes against (see TransferArena). */
export interface ArenaBuffers {
  readonly upload: GPUBuffer | null;
  readonly hostUpload: Uint8Array;
  readonly pushGroup: GPUBindGroup | null;
  readonly readback: GPUBuffer | null;
}

/** Timestamp queries for the timed passes of one evaluation. */
export interface TimestampSlots {
  readonly querySet: GPUQuerySet;
}

interface Delivery {
  readonly offset: number;
  readonly bytes: number;
  readonly deliver: (data: Uint8Array) => void;
}

const NONE: readonly never[] = Object.freeze([]);
const NO_COPIES: ReadonlySet<HostCopy> = new Set();

/**
 * The sequence's recorder: the {@link EncodeContext} operations record into, plus what only the
 * sequence drives (operation indices, the transfer buffers' cursors, the deliveries and host copies
 * to settle, timed passes, finishing). One command encoder per evaluation, with consecutive
 * dispatches sharing one compute pass (and redundant pipeline and bind-group changes skipped).
 */
export class Recorder extends EncodeContext implements TransferStage {
  readonly #encoder: GPUCommandEncoder;
  /**
   * True until anything but a small upload was recorded: uploads up to then are written with
   * `queue.writeBuffer` just before the submit (what a raw program does), not copied out of the
   * upload buffer by the command buffer. Anyone handed the encoder (a custom operation, a large
   * host copy, an image) ends it, since what they record is out of sight.
   */
  #leading = true;
  #leadingWrites: { readonly target: GPUBuffer; readonly offset: number; readonly data: Uint8Array }[] | null = null;
  /** The dispatches recorded, in order, while the batch is nothing but dispatches without push constants (else null). */
  #tape: DispatchState[] | null = [];
  readonly #arena: ArenaBuffers;
  readonly #timestamps: TimestampSlots | null;
  // Created on first use: most evaluations of a validated batch move no host data.
  #copies: Set<HostCopy> | null = null;
  #deliveries: Delivery[] | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #passPipeline: GPUComputePipeline | null = null;
  #passGroup: GPUBindGroup | null = null;
  #pushCursor = 0;
  #uploadCursor: number;
  #downloadCursor = 0;
  #opIndex = 0;
  #timedOps: number[] | null = null;
  /** GPU writes per buffer since a host copy first asked (see writesTo); null until one does. */
  #writes: Map<GPUBuffer, number> | null = null;

  constructor(encoder: GPUCommandEncoder, arena: ArenaBuffers, pushSlots: number, timestamps: TimestampSlots | null) {
    super();
    this.#encoder = encoder;
    this.#arena = arena;
    this.#timestamps = timestamps;
    this.#uploadCursor = pushSlots * MAX_PUSH_CONSTANT_BYTES;
  }

  /** The evaluation's command encoder (whoever records into it directly ends the leading uploads). */
  override get encoder(): GPUCommandEncoder {
    this.#leading = false;
    this.#tape = null;
    return this.#encoder;
  }

  /** Small uploads recorded before any other command: to write with `queue.writeBuffer` before the submit. */
  get leadingWrites(): readonly { readonly target: GPUBuffer; readonly offset: number; readonly data: Uint8Array }[] {
    return this.#leadingWrites ?? NONE;
  }

  /** Marks the start of operation `index` of the batch. */
  beginOp(index: number): void {
    this.#opIndex = index;
  }

  /** Dispatches `algorithm`, with `push` (or else the algorithm's own) push constants. */
  override dispatch(algorithm: Algorithm, push: ArrayBufferView | null): void {
    algorithm[$internal].context.syncCheck?.dispatched(algorithm);
    if (this.#writes !== null) for (const memory of algorithm.getTensors()) if (isLinear(memory)) this.#wrote(memory.gpuBuffer);
    const values = push ?? algorithm.pushData;
    const pass = this.#computePass();
    const state = algorithm.dispatchState();
    if (values) this.#tape = null;
    else this.#tape?.push(state);
    const { pipeline, group, extra, workgroup } = state;
    if (pipeline !== this.#passPipeline) {
      pass.setPipeline(pipeline);
      this.#passPipeline = pipeline;
    }
    if (group !== this.#passGroup) {
      pass.setBindGroup(0, group);
      this.#passGroup = group;
    }
    for (const [index, other] of extra) pass.setBindGroup(index, other);
    if (values) {
      const offset = this.#pushCursor;
      this.#pushCursor += MAX_PUSH_CONSTANT_BYTES;
      this.#arena.hostUpload.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
      pass.setBindGroup(1, this.#arena.pushGroup!, [offset]);
    }
    pass.dispatchWorkgroups(workgroup[0], workgroup[1], workgroup[2]);
    if (this.#timestamps) this.#endPass();
  }

  /** Copies `bytes` from one GPU buffer to another (from `sourceOffset` to `targetOffset`, default 0). */
  override copyBuffer(source: GPUBuffer, target: GPUBuffer, bytes: number, sourceOffset = 0, targetOffset = 0): void {
    this.#endPass();
    this.#leading = false;
    this.#tape = null;
    this.#wrote(target);
    this.#encoder.copyBufferToBuffer(source, sourceOffset, target, targetOffset, bytes);
  }

  /**
   * Copies GPU data between tensors and images: image to image (same width, height and format),
   * tensor to image and image to tensor (same element count, rows tightly packed in the tensor).
   */
  override copyMemory(source: Memory, target: Memory): void {
    this.#endPass();
    this.#leading = false;
    this.#tape = null;
    if (isLinear(target)) this.#wrote(target.gpuBuffer);
    encodeMemoryCopy(this.#encoder, source, target);
  }

  /** Copies the host data of a tensor or image to its GPU memory. */
  override upload(memory: Memory): void {
    if (!this.#beginTransfer(memory)) return;
    memory[$internal].context.syncCheck?.uploaded(memory);
    memory.encodeUpload(this);
  }

  /** Copies the GPU memory of a tensor or image to its host data (readable once the evaluation completed). */
  override download(memory: Memory): void {
    if (!this.#beginTransfer(memory)) return;
    memory[$internal].context.syncCheck?.downloaded(memory);
    memory.encodeDownload(this);
  }

  /** Ends the compute pass and notes the host copy a transfer of `memory` moves; false when it has none (Storage). */
  #beginTransfer(memory: Memory): boolean {
    const copy = memory.hostCopy;
    if (!copy) return false;
    this.#endPass();
    this.#tape = null;
    this.#copies ??= new Set();
    this.#copies.add(copy);
    return true;
  }

  /** TransferStage: stages small host bytes in the shared upload buffer. */
  stageUpload(data: Uint8Array, target: GPUBuffer, targetOffset = 0): void {
    if (this.#leading) {
      this.#leadingWrites ??= [];
      this.#leadingWrites.push({ target, offset: targetOffset, data });
      return;
    }
    const offset = this.#uploadCursor;
    this.#uploadCursor += data.byteLength;
    this.#arena.hostUpload.set(data, offset);
    this.#encoder.copyBufferToBuffer(this.#arena.upload!, offset, target, targetOffset, data.byteLength);
  }

  /** TransferStage: reads small GPU data back through the shared readback buffer. */
  stageDownload(source: GPUBuffer, sourceOffset: number, bytes: number, deliver: (data: Uint8Array) => void): void {
    const offset = this.#downloadCursor;
    this.#downloadCursor += bytes;
    this.#leading = false;
    this.#encoder.copyBufferToBuffer(source, sourceOffset, this.#arena.readback!, offset, bytes);
    this.#deliveries ??= [];
    this.#deliveries.push({ offset, bytes, deliver });
  }

  /** TransferStage: GPU writes to `buffer` recorded since this was first asked for it. */
  writesTo(buffer: GPUBuffer): number {
    this.#writes ??= new Map();
    const count = this.#writes.get(buffer);
    if (count !== undefined) return count;
    this.#writes.set(buffer, 0);
    return 0;
  }

  #wrote(buffer: GPUBuffer): void {
    const count = this.#writes?.get(buffer);
    if (count !== undefined) this.#writes!.set(buffer, count + 1);
  }

  /** The dispatches of a batch of nothing but dispatches without push constants, or null. */
  get tape(): readonly DispatchState[] | null {
    return this.#timestamps ? null : this.#tape;
  }

  /** Bytes of the upload buffer this evaluation filled. */
  get uploadBytesUsed(): number {
    return this.#uploadCursor;
  }

  /** Bytes of the readback buffer this evaluation uses. */
  get downloadBytesUsed(): number {
    return this.#downloadCursor;
  }

  /** Small downloads to hand out after completion. */
  get deliveries(): readonly Delivery[] {
    return this.#deliveries ?? NONE;
  }

  /** Host copies this evaluation transfers. */
  get copies(): ReadonlySet<HostCopy> {
    return this.#copies ?? NO_COPIES;
  }

  /** Indices of the operations that got a timed pass, in query order. */
  get timedOps(): readonly number[] {
    return this.#timedOps ?? NONE;
  }

  /** Ends any open pass and finishes the command buffer; the host copies' staging buffers are unmapped for the submission. */
  finish(): GPUCommandBuffer {
    this.#endPass();
    const commands = this.#encoder.finish();
    if (this.#copies) for (const copy of this.#copies) copy.beforeSubmit?.();
    return commands;
  }

  #computePass(): GPUComputePassEncoder {
    if (this.#pass) return this.#pass;
    if (!this.#timestamps) {
      // No descriptor at all: converting even an empty one costs Dawn's bindings a microsecond.
      this.#leading = false;
      this.#pass = this.#encoder.beginComputePass();
      return this.#pass;
    }
    this.#timedOps ??= [];
    const q = this.#timedOps.length * 2;
    this.#timedOps.push(this.#opIndex);
    this.#leading = false;
    this.#pass = this.#encoder.beginComputePass({ timestampWrites: { querySet: this.#timestamps.querySet, beginningOfPassWriteIndex: q, endOfPassWriteIndex: q + 1 } });
    return this.#pass;
  }

  #endPass(): void {
    this.#pass?.end();
    this.#pass = null;
    this.#passPipeline = null;
    this.#passGroup = null;
  }
}
