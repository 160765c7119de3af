import { $internal } from '../core/internal.js';
import type { Algorithm } from '../algorithm/algorithm.js';
import type { Memory } from '../memory/memory.js';
import type { EncodeContext } from './encode-context.js';

/**
 * A step recorded into a sequence. Operations own no GPU memory: they only
 * reference tensors and algorithms, which their manager owns. Subclass it for custom steps.
 */
export abstract class Operation {
  /** Name used in errors and timestamps. */
  abstract get name(): string;

  /** Tensors and images the operation reads or writes. */
  abstract get tensors(): readonly Memory[];

  /** Algorithms the operation dispatches. */
  get algorithms(): readonly Algorithm[] {
    return [];
  }

  /**
   * @internal True when `encode()` records the same commands on every evaluation while nothing
   * it references is rebuilt or destroyed (the built-in dispatching operations): a sequence may
   * then replay what a validated evaluation recorded instead of encoding again.
   */
  get replayable(): boolean {
    return false;
  }

  /** Push-constant slots the operation uses per evaluation (one per dispatch that has them). */
  get pushSlots(): number {
    return 0;
  }

  /**
   * Checks that everything referenced can still be used; runs at `record()` and before every
   * evaluation, so a destroyed tensor fails with DestroyedError instead of reaching the GPU.
   */
  validate(action: string): void {
    // Runs before every evaluation: check cheaply, build the error message only on failure.
    for (const memory of this.tensors) if (!memory.isInit()) memory[$internal].assertUsable(`${action} ${this.name}`);
    for (const algorithm of this.algorithms) if (!algorithm.isUsableWithTensors()) algorithm[$internal].assertUsable(`${action} ${this.name}`);
  }

  /** Records the operation's GPU work. */
  abstract encode(recorder: EncodeContext): void;
}
