import type { Memory } from '../memory/memory.js';
import { isCoherent } from '../memory/tensor.js';
import type { EncodeContext } from './encode-context.js';
import { TensorListOperation } from './tensor-list.js';

/**
 * Copies each `Device` tensor's or image's host data to its GPU buffer or texture. A no-op for `Host` and
 * `DeviceAndHost` tensors (kept coherent by every evaluation) and for `Storage` tensors (no host
 * data). The upload comes straight from the mapped staging memory that `data()` returns.
 */
export class OpSyncDevice extends TensorListOperation {
  /** @param tensors - at least one tensor or image, all of one manager */
  constructor(tensors: readonly Memory[]) {
    super('OpSyncDevice', tensors, 1);
  }

  encode(recorder: EncodeContext): void {
    for (const tensor of this.tensors) if (!isCoherent(tensor)) recorder.upload(tensor);
  }
}
