import type { Tensor } from '../memory/tensor.js';
import type { EncodeContext } from '../sequence/encode-context.js';
import { Operation } from './operation.js';
import { checkTensorList } from './tensor-list.js';

/**
 * Accepted for Kompute compatibility and records nothing: WebGPU orders every copy and dispatch
 * of a submission itself, so explicit barriers are never needed.
 */
export class OpMemoryBarrier extends Operation {
  readonly #tensors: readonly Tensor[];

  /** @param tensors - at least one tensor (checked, then ignored) */
  constructor(tensors: readonly Tensor[]) {
    super();
    this.#tensors = checkTensorList('OpMemoryBarrier', tensors, 1);
  }

  get name(): string {
    return 'OpMemoryBarrier';
  }

  get tensors(): readonly Tensor[] {
    return this.#tensors;
  }

  encode(_context: EncodeContext): void {}
}
