import type { Algorithm } from '../algorithm/algorithm.js';
import { MAX_PUSH_CONSTANT_BYTES } from '../algorithm/push-constants.js';
import type { HostMirror } from '../memory/host-mirror.js';
import type { Tensor } from '../memory/tensor.js';

/** Where push-constant slots of one evaluation go: one 256-byte slot per dispatch that has them. */
export interface PushArena {
  readonly bindGroup: GPUBindGroup;
  readonly bytes: Uint8Array;
}

/**
 * Timestamp writes for one evaluation: each timed operation gets its own compute pass with a
 * begin and an end query (WebGPU only times passes).
 */
export interface TimestampSlots {
  readonly querySet: GPUQuerySet;
}

/**
 * What an operation records into: one command encoder per evaluation, with consecutive dispatches
 * sharing one compute pass. Operations call these methods from their `encode()`; they never
 * create or free GPU memory themselves.
 */
export class EncodeContext {
  readonly encoder: GPUCommandEncoder;
  readonly #arena: PushArena | null;
  readonly #timestamps: TimestampSlots | null;
  readonly #mirrors = new Set<HostMirror>();
  #pass: GPUComputePassEncoder | null = null;
  #pushSlots = 0;
  #opIndex = 0;
  #timedOps: number[] = [];

  /** @internal */
  constructor(encoder: GPUCommandEncoder, arena: PushArena | null, timestamps: TimestampSlots | null) {
    this.encoder = encoder;
    this.#arena = arena;
    this.#timestamps = timestamps;
  }

  /** @internal Marks the start of operation `index` of the batch. */
  beginOp(index: number): void {
    this.#opIndex = index;
  }

  /** Dispatches `algorithm`, with `push` (or the algorithm's own) push constants. */
  dispatch(algorithm: Algorithm, push: Float32Array | Int32Array | Uint32Array | null): void {
    const values = push ?? algorithm.pushData;
    let slot: { group: GPUBindGroup; offset: number } | null = null;
    if (values && this.#arena) {
      const offset = this.#pushSlots++ * MAX_PUSH_CONSTANT_BYTES;
      this.#arena.bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
      slot = { group: this.#arena.bindGroup, offset };
    }
    algorithm.encodeDispatch(this.#computePass(), slot);
    if (this.#timestamps) this.#endPass();
  }

  /** Copies `bytes` from one GPU buffer to another. */
  copyBuffer(source: GPUBuffer, target: GPUBuffer, bytes: number): void {
    this.#endPass();
    this.encoder.copyBufferToBuffer(source, 0, target, 0, bytes);
  }

  /** Copies the tensor's host data to its GPU buffer. */
  upload(tensor: Tensor): void {
    const mirror = tensor.hostMirror;
    if (!mirror) return;
    this.#endPass();
    this.#mirrors.add(mirror);
    mirror.encodeUpload(this.encoder, tensor.buffer);
  }

  /** Copies the tensor's GPU buffer to its host data (readable once the evaluation completes). */
  download(tensor: Tensor): void {
    const mirror = tensor.hostMirror;
    if (!mirror) return;
    this.#endPass();
    this.#mirrors.add(mirror);
    mirror.encodeDownload(this.encoder, tensor.buffer);
  }

  /** @internal Push-constant bytes written so far. */
  get pushBytesUsed(): number {
    return this.#pushSlots * MAX_PUSH_CONSTANT_BYTES;
  }

  /** @internal Host mirrors this evaluation transfers. */
  get mirrors(): ReadonlySet<HostMirror> {
    return this.#mirrors;
  }

  /** @internal Indices of the operations that got a timed pass, in query order. */
  get timedOps(): readonly number[] {
    return this.#timedOps;
  }

  /** @internal Ends any open pass and finishes the command buffer. */
  finish(): GPUCommandBuffer {
    this.#endPass();
    return this.encoder.finish();
  }

  #computePass(): GPUComputePassEncoder {
    if (this.#pass) return this.#pass;
    const descriptor: GPUComputePassDescriptor = {};
    if (this.#timestamps) {
      const q = this.#timedOps.length * 2;
      descriptor.timestampWrites = { querySet: this.#timestamps.querySet, beginningOfPassWriteIndex: q, endOfPassWriteIndex: q + 1 };
      this.#timedOps.push(this.#opIndex);
    }
    this.#pass = this.encoder.beginComputePass(descriptor);
    return this.#pass;
  }

  #endPass(): void {
    this.#pass?.end();
    this.#pass = null;
  }
}
