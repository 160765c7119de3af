import { DTypeError, SizeError } from '../errors.js';

/** Push-constant values: a typed array, or numbers (stored as f32). */
export type PushConstants = Float32Array | Int32Array | Uint32Array | readonly number[];

/**
 * The most push-constant bytes one dispatch can carry: each dispatch gets one slot of this size
 * in its sequence's uniform buffer (256 is also WebGPU's largest uniform offset alignment).
 */
export const MAX_PUSH_CONSTANT_BYTES = 256;

/** Push constants as a typed array of their own (a copy, so later changes by the caller don't leak in). */
export function toPushData(argument: string, values: PushConstants): Float32Array | Int32Array | Uint32Array {
  let data: Float32Array | Int32Array | Uint32Array;
  if (values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint32Array) {
    data = values.slice();
  } else if (Array.isArray(values)) {
    if (values.some((v) => typeof v !== 'number')) throw new DTypeError(argument, 'push constants must be numbers');
    data = Float32Array.from(values);
  } else {
    throw new DTypeError(argument, 'push constants must be a Float32Array, Int32Array, Uint32Array or an array of numbers');
  }
  if (data.byteLength > MAX_PUSH_CONSTANT_BYTES) {
    throw new SizeError(argument, `${data.byteLength} bytes of push constants exceed the maximum of ${MAX_PUSH_CONSTANT_BYTES}`, 'pass larger parameters in a tensor');
  }
  return data;
}
