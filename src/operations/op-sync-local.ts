import { isCoherent, type Tensor } from '../memory/tensor.js';
import type { EncodeContext } from '../sequence/encode-context.js';
import { TensorListOperation } from './tensor-list.js';

/**
 * Copies each `Device` tensor's GPU buffer to its host data; `data()` shows it once the
 * evaluation's promise resolved. A no-op for `Host`/`DeviceAndHost` and `Storage` tensors.
 */
export class OpSyncLocal extends TensorListOperation {
  /** @param tensors - at least one tensor, all of one manager */
  constructor(tensors: readonly Tensor[]) {
    super('OpSyncLocal', tensors, 1);
  }

  encode(context: EncodeContext): void {
    for (const tensor of this.tensors) if (!isCoherent(tensor)) context.download(tensor);
  }
}
