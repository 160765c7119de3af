import type { Memory } from '../memory/memory.js';
import { isCoherent } from '../memory/tensor.js';
import type { EncodeContext } from './encode-context.js';
import { TensorListOperation } from './tensor-list.js';

/**
 * Copies each `Device` tensor's GPU buffer (or image's texture) to its host data; `data()` shows it once the
 * evaluation's promise resolved. A no-op for `Host`/`DeviceAndHost` and `Storage` tensors.
 */
export class OpSyncLocal extends TensorListOperation {
  /** @param tensors - at least one tensor or image, all of one manager */
  constructor(tensors: readonly Memory[]) {
    super('OpSyncLocal', tensors, 1);
  }

  encode(recorder: EncodeContext): void {
    for (const tensor of this.tensors) if (!isCoherent(tensor)) recorder.download(tensor);
  }
}
