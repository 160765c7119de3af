import type { Algorithm } from '../algorithm/algorithm.js';
import type { PushConstants } from '../algorithm/push-constants.js';
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../memory/tensor.js';
import type { EncodeContext } from './encode-context.js';
import { Operation } from './operation.js';

const NO_TENSORS: readonly Tensor[] = Object.freeze([]);

/**
 * Dispatches an algorithm. Push constants given here apply to this dispatch only: the
 * algorithm's own values are left unchanged (Kompute overwrote them), so one sequence can
 * dispatch the same algorithm with different values.
 */
export class OpAlgoDispatch extends Operation {
  /** The algorithm dispatched. */
  readonly algorithm: Algorithm;
  readonly #algorithms: readonly Algorithm[];
  readonly #push: Uint32Array | null;

  /**
   * @param algorithm - what to dispatch
   * @param pushConstants - values for this dispatch only, of the algorithm's push-constant byte size
   */
  constructor(algorithm: Algorithm, pushConstants?: PushConstants) {
    super();
    if (typeof algorithm?.checkPushConstants !== 'function') throw new ArgumentError('algorithm', 'OpAlgoDispatch expects an Algorithm', 'create one with mgr.algorithm()');
    this.algorithm = algorithm;
    this.#algorithms = [algorithm];
    this.#push = pushConstants === undefined ? null : algorithm.checkPushConstants('pushConstants', pushConstants).words;
  }

  get name(): string {
    return 'OpAlgoDispatch';
  }

  get tensors(): readonly Tensor[] {
    return NO_TENSORS;
  }

  override get algorithms(): readonly Algorithm[] {
    return this.#algorithms;
  }

  override get pushSlots(): number {
    return (this.#push ?? this.algorithm.pushData) ? 1 : 0;
  }

  /** @internal */
  override get replayable(): boolean {
    return true;
  }

  encode(recorder: EncodeContext): void {
    recorder.dispatch(this.algorithm, this.#push);
  }
}
