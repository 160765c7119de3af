import { isCoherent, type Tensor } from '../memory/tensor.js';
import type { EncodeContext } from '../sequence/encode-context.js';
import { Operation } from './operation.js';
import { checkTensorList } from './tensor-list.js';

/**
 * Copies each `Device` tensor's host data to its GPU buffer. A no-op for `Host` and
 * `DeviceAndHost` tensors (kept coherent by every evaluation) and for `Storage` tensors (no host
 * data). The upload comes straight from the mapped staging memory that `data()` returns.
 */
export class OpSyncDevice extends Operation {
  readonly #tensors: readonly Tensor[];

  /** @param tensors - at least one tensor, all of one manager */
  constructor(tensors: readonly Tensor[]) {
    super();
    this.#tensors = checkTensorList('OpSyncDevice', tensors, 1);
  }

  get name(): string {
    return 'OpSyncDevice';
  }

  get tensors(): readonly Tensor[] {
    return this.#tensors;
  }

  encode(context: EncodeContext): void {
    for (const tensor of this.#tensors) if (!isCoherent(tensor)) context.upload(tensor);
  }
}
