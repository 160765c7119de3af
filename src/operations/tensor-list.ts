import { ArgumentError } from '../errors.js';
import { Tensor } from '../memory/tensor.js';
import { Operation } from './operation.js';

/** Checks an operation's tensor argument: an array of at least `min` tensors of one manager. */
export function checkTensorList(op: string, tensors: unknown, min: number): readonly Tensor[] {
  if (!Array.isArray(tensors)) throw new ArgumentError('tensors', `${op} expects an array of tensors`, `pass [tensor, ...] to ${op}`);
  if (tensors.length < min) {
    throw new ArgumentError('tensors', `${op} needs at least ${min} tensor${min > 1 ? 's' : ''}, got ${tensors.length}`, `pass at least ${min}`);
  }
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new ArgumentError(`tensors[${i}]`, `${op} got something that is not a Tensor`, 'create tensors with mgr.tensor()');
    if (t.owner !== (tensors[0] as Tensor).owner) throw new ArgumentError(`tensors[${i}]`, `${t.label} belongs to another manager than ${(tensors[0] as Tensor).label}`, 'use tensors of one manager in one operation');
  });
  return [...(tensors as Tensor[])];
}

/** An operation over a list of tensors: the sync, copy and barrier operations. */
export abstract class TensorListOperation extends Operation {
  readonly #name: string;
  readonly #tensors: readonly Tensor[];

  protected constructor(name: string, tensors: readonly Tensor[], min: number) {
    super();
    this.#name = name;
    this.#tensors = checkTensorList(name, tensors, min);
  }

  get name(): string {
    return this.#name;
  }

  get tensors(): readonly Tensor[] {
    return this.#tensors;
  }
}
