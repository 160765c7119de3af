import { DTypeError, SizeError } from '../errors.js';

/** Push-constant values: a typed array, or numbers (stored as f32). */
export type PushConstants = Float32Array | Int32Array | Uint32Array | readonly number[];

/**
 * The most push-constant bytes one dispatch can carry: each dispatch gets one slot of this size
 * in its sequence's uniform buffer (256 is also WebGPU's largest uniform offset alignment).
 */
export const MAX_PUSH_CONSTANT_BYTES = 256;

/** The scalar type of push-constant values. */
export type PushType = 'f32' | 'i32' | 'u32';

/** The typed array that holds push constants of each scalar type. */
const PUSH_ARRAYS = { f32: Float32Array, i32: Int32Array, u32: Uint32Array } as const;

/** The scalar type a typed array of push constants holds. */
export function pushTypeOf(data: Float32Array | Int32Array | Uint32Array): PushType {
  return data instanceof Int32Array ? 'i32' : data instanceof Uint32Array ? 'u32' : 'f32';
}

/**
 * Push constants as a typed array of their own (a copy, so later changes by the caller don't
 * leak in). Numbers become `numberType` values (f32 unless the shader's struct says otherwise).
 */
export function toPushData(argument: string, values: PushConstants, numberType: PushType = 'f32'): Float32Array | Int32Array | Uint32Array {
  let data: Float32Array | Int32Array | Uint32Array;
  if (values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint32Array) {
    data = values.slice();
  } else if (Array.isArray(values)) {
    if (values.some((v) => typeof v !== 'number')) throw new DTypeError(argument, 'push constants must be numbers', 'pass numbers or a Float32Array, Int32Array or Uint32Array');
    if (numberType !== 'f32' && values.some((v) => !Number.isInteger(v))) {
      throw new DTypeError(argument, `the shader's push constants are ${numberType}, but not every value is an integer`, 'pass whole numbers');
    }
    data = PUSH_ARRAYS[numberType].from(values);
  } else {
    throw new DTypeError(argument, 'push constants must be a Float32Array, Int32Array, Uint32Array or an array of numbers', 'convert the values to one of those');
  }
  if (data.byteLength > MAX_PUSH_CONSTANT_BYTES) {
    throw new SizeError(argument, `${data.byteLength} bytes of push constants exceed the maximum of ${MAX_PUSH_CONSTANT_BYTES}`, 'pass larger parameters in a tensor');
  }
  return data;
}
