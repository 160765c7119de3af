import { BufferUsage } from '../backends/webgpu-constants.js';
import { ArgumentError, DTypeError, SizeError } from '../errors.js';
import { checkImageCopy } from '../memory/memory-copy.js';
import type { Memory } from '../memory/memory.js';
import { Tensor } from '../memory/tensor.js';
import { TensorView } from '../memory/tensor-view.js';
import type { EncodeContext } from './encode-context.js';
import { TensorListOperation } from './tensor-list.js';

/** A tensor or a view of one: memory that lives in a GPU buffer. */
type Linear = Tensor | TensorView;

function isLinear(memory: Memory): memory is Linear {
  return memory instanceof Tensor || memory instanceof TensorView;
}

function bufferOf(memory: Linear): GPUBuffer {
  return memory.gpuBuffer;
}

function tensorOf(memory: Linear): Tensor {
  return memory instanceof TensorView ? memory.tensor : memory;
}

/**
 * Copies the first tensor's, view's or image's GPU data into every other one: tensor to tensor
 * (same dtype and size), image to image (same width, height and format), tensor to image and
 * image to tensor (same dtype and element count; the tensor holds the rows tightly packed). A
 * view (`tensor.view(offset, length)`) copies only its range, to or from any of them; two views
 * of one tensor cannot be copied into each other (WebGPU copies only between different buffers).
 * Like Kompute, the destinations' host data is updated too (read back from the GPU, so it is the
 * copied data even when the source's host copy is stale; for a view, only the view's range of the
 * host copy); `Storage` destinations have none.
 */
export class OpCopy extends TensorListOperation {
  /** @param tensors - the source first, then one or more destinations (tensors, views or images) */
  constructor(tensors: readonly Memory[]) {
    super('OpCopy', tensors, 2);
  }

  override validate(action: string): void {
    super.validate(action);
    const [source, ...targets] = this.tensors as [Memory, ...Memory[]];
    if (isLinear(source) && (bufferOf(source).usage & BufferUsage.COPY_SRC) === 0) {
      throw new ArgumentError('tensors[0]', `${source.label} wraps a buffer without COPY_SRC usage`, 'create the buffer with COPY_SRC to copy from it');
    }
    targets.forEach((target, i) => {
      if (target === source) {
        throw new ArgumentError(`tensors[${i + 1}]`, `OpCopy from ${source.label} to itself`, 'copy into another tensor');
      }
      if (isLinear(target) && (bufferOf(target).usage & BufferUsage.COPY_DST) === 0) {
        throw new ArgumentError(`tensors[${i + 1}]`, `${target.label} wraps a buffer without COPY_DST usage`, 'create the buffer with COPY_DST to copy into it');
      }
      if (isLinear(source) && isLinear(target) && tensorOf(source) === tensorOf(target)) {
        throw new ArgumentError(
          `tensors[${i + 1}]`,
          `OpCopy from ${source.label} to ${target.label}: both are parts of ${tensorOf(source).label}, and WebGPU copies only between different buffers`,
          'copy through a second tensor (two OpCopy), or write a shader that moves the elements',
        );
      }
      if (source.kind === 'image' || target.kind === 'image') {
        checkImageCopy(`tensors[${i + 1}]`, source, target);
        return;
      }
      if (target.dtype !== source.dtype) {
        throw new DTypeError(`tensors[${i + 1}]`, `OpCopy from ${source.label} (${source.dtype}) to ${target.label} (${target.dtype})`, 'copy between tensors of one dtype');
      }
      if (target.size !== source.size) {
        throw new SizeError(
          `tensors[${i + 1}]`,
          `OpCopy from ${source.label} (${source.size} elements) to ${target.label} (${target.size} elements)`,
          'copy between tensors of one size (a view of the larger one, tensor.view(offset, length), copies part of it)',
        );
      }
    });
  }

  encode(recorder: EncodeContext): void {
    const [source, ...targets] = this.tensors as [Memory, ...Memory[]];
    for (const target of targets) {
      if (isLinear(source) && isLinear(target)) {
        const from = source.byteRange;
        const to = target.byteRange;
        recorder.copyBuffer(bufferOf(source), bufferOf(target), Math.min(from.bytes, to.bytes), from.offset, to.offset);
      } else recorder.copyMemory(source, target);
      recorder.download(target);
    }
  }
}
