import { isCoherent, type Tensor } from '../memory/tensor.js';
import type { EncodeContext } from '../sequence/encode-context.js';
import { Operation } from './operation.js';
import { checkTensorList } from './tensor-list.js';

/**
 * Copies each `Device` tensor's GPU buffer to its host data; `data()` shows it once the
 * evaluation's promise resolved. A no-op for `Host`/`DeviceAndHost` and `Storage` tensors.
 */
export class OpSyncLocal extends Operation {
  readonly #tensors: readonly Tensor[];

  /** @param tensors - at least one tensor, all of one manager */
  constructor(tensors: readonly Tensor[]) {
    super();
    this.#tensors = checkTensorList('OpSyncLocal', tensors, 1);
  }

  get name(): string {
    return 'OpSyncLocal';
  }

  get tensors(): readonly Tensor[] {
    return this.#tensors;
  }

  encode(context: EncodeContext): void {
    for (const tensor of this.#tensors) if (!isCoherent(tensor)) context.download(tensor);
  }
}
