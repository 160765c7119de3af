import { BufferUsage } from '../backends/webgpu-constants.js';
import { ArgumentError, DTypeError, SizeError } from '../errors.js';
import { checkImageCopy } from '../memory/memory-copy.js';
import type { Memory } from '../memory/memory.js';
import { Tensor } from '../memory/tensor.js';
import type { EncodeContext } from './encode-context.js';
import { TensorListOperation } from './tensor-list.js';

/**
 * Copies the first tensor's or image's GPU data into every other one: tensor to tensor (same
 * dtype and size), image to image (same width, height and format), tensor to image and image to
 * tensor (same dtype and element count; the tensor holds the rows tightly packed). Like Kompute,
 * the destinations' host data is updated too (read back from the GPU, so it is the copied data
 * even when the source's host copy is stale); `Storage` destinations have none.
 */
export class OpCopy extends TensorListOperation {
  /** @param tensors - the source first, then one or more destinations (tensors or images) */
  constructor(tensors: readonly Memory[]) {
    super('OpCopy', tensors, 2);
  }

  override validate(action: string): void {
    super.validate(action);
    const [source, ...targets] = this.tensors as [Memory, ...Memory[]];
    if (source instanceof Tensor && (source.buffer.usage & BufferUsage.COPY_SRC) === 0) {
      throw new ArgumentError('tensors[0]', `${source.label} wraps a buffer without COPY_SRC usage`, 'create the buffer with COPY_SRC to copy from it');
    }
    targets.forEach((target, i) => {
      if (target === source) {
        throw new ArgumentError(`tensors[${i + 1}]`, `OpCopy from ${source.label} to itself`, 'copy into another tensor');
      }
      if (target instanceof Tensor && (target.buffer.usage & BufferUsage.COPY_DST) === 0) {
        throw new ArgumentError(`tensors[${i + 1}]`, `${target.label} wraps a buffer without COPY_DST usage`, 'create the buffer with COPY_DST to copy into it');
      }
      if (source.kind === 'image' || target.kind === 'image') {
        checkImageCopy(`tensors[${i + 1}]`, source, target);
        return;
      }
      if (target.dtype !== source.dtype) {
        throw new DTypeError(`tensors[${i + 1}]`, `OpCopy from ${source.label} (${source.dtype}) to ${target.label} (${target.dtype})`, 'copy between tensors of one dtype');
      }
      if (target.size !== source.size) {
        throw new SizeError(`tensors[${i + 1}]`, `OpCopy from ${source.label} (${source.size} elements) to ${target.label} (${target.size} elements)`, 'copy between tensors of one size');
      }
    });
  }

  encode(recorder: EncodeContext): void {
    const [source, ...targets] = this.tensors as [Memory, ...Memory[]];
    for (const target of targets) {
      if (source instanceof Tensor && target instanceof Tensor) recorder.copyBuffer(source.buffer, target.buffer, source.paddedBytes);
      else recorder.copyMemory(source, target);
      recorder.download(target);
    }
  }
}
