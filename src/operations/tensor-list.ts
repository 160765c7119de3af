import { $internal, assertSameManager } from '../core/internal.js';
import { ArgumentError } from '../errors.js';
import { Memory } from '../memory/memory.js';
import { Operation } from './operation.js';

/** Checks an operation's tensor argument: an array of at least `min` tensors or images of one manager. */
export function checkTensorList(op: string, tensors: unknown, min: number): readonly Memory[] {
  if (!Array.isArray(tensors)) throw new ArgumentError('tensors', `${op} expects an array of tensors`, `pass [tensor, ...] to ${op}`);
  if (tensors.length < min) {
    throw new ArgumentError('tensors', `${op} needs at least ${min} tensor${min > 1 ? 's' : ''}, got ${tensors.length}`, `pass at least ${min}`);
  }
  tensors.forEach((t, i) => {
    if (!(t instanceof Memory)) throw new ArgumentError(`tensors[${i}]`, `${op} got something that is not a Tensor or an Image`, 'create tensors with mgr.tensor() and images with mgr.image()');
    assertSameManager(`tensors[${i}]`, t, (tensors[0] as Memory)[$internal].context, op);
  });
  return [...(tensors as Memory[])];
}

/** An operation over a list of tensors and images: the sync, copy and barrier operations. */
export abstract class TensorListOperation extends Operation {
  readonly #name: string;
  readonly #tensors: readonly Memory[];

  protected constructor(name: string, tensors: readonly Memory[], min: number) {
    super();
    this.#name = name;
    this.#tensors = checkTensorList(name, tensors, min);
  }

  get name(): string {
    return this.#name;
  }

  get tensors(): readonly Memory[] {
    return this.#tensors;
  }
}
