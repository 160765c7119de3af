import type { Algorithm } from '../algorithm/algorithm.js';
import type { Memory } from '../memory/memory.js';
import type { GPUBuffer, GPUCommandEncoder } from '../backends/webgpu-types.js';

/**
 * What an operation may record into from its `encode()`: dispatches, copies, and transfers between
 * host and GPU memory, all on the evaluation's one command encoder. The sequence hands each
 * operation its recorder (src/sequence/recorder.ts) through this contract; operations never create
 * or free GPU memory themselves.
 */
export abstract class EncodeContext {
  /** The evaluation's command encoder. */
  abstract readonly encoder: GPUCommandEncoder;

  /** Dispatches `algorithm`, with `push` (or else the algorithm's own) push constants. */
  abstract dispatch(algorithm: Algorithm, push: ArrayBufferView | null): void;

  /** Copies `bytes` from one GPU buffer to another, from `sourceOffset` to `targetOffset` (default 0). */
  abstract copyBuffer(source: GPUBuffer, target: GPUBuffer, bytes: number, sourceOffset?: number, targetOffset?: number): void;

  /**
   * Copies GPU data between tensors and images: image to image (same width, height and format),
   * tensor to image and image to tensor (same element count, rows tightly packed in the tensor).
   */
  abstract copyMemory(source: Memory, target: Memory): void;

  /** Copies the host data of a tensor or image to its GPU memory. */
  abstract upload(memory: Memory): void;

  /** Copies the GPU memory of a tensor or image to its host data (readable once the evaluation completed). */
  abstract download(memory: Memory): void;
}
