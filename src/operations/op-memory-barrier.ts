import type { Memory } from '../memory/memory.js';
import type { EncodeContext } from './encode-context.js';
import { TensorListOperation } from './tensor-list.js';

/**
 * Accepted for Kompute compatibility and records nothing: WebGPU orders every copy and dispatch
 * of a submission itself, so explicit barriers are never needed.
 */
export class OpMemoryBarrier extends TensorListOperation {
  /** @param tensors - at least one tensor (checked, then ignored) */
  constructor(tensors: readonly Memory[]) {
    super('OpMemoryBarrier', tensors, 1);
  }

  encode(_context: EncodeContext): void {}
}
