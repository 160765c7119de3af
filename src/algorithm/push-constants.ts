import { AlgorithmBindingError, DTypeError, SizeError } from '../errors.js';
import { encodeStruct, type StructLayout } from './struct-layout.js';

/**
 * Push-constant values: a typed array, numbers in member order (vectors flattened), or an object
 * keyed by the struct's member names (`{ scale: 2, offset: [1, 0] }`).
 */
export type PushConstants = Float32Array | Int32Array | Uint32Array | readonly number[] | Readonly<Record<string, unknown>>;

/**
 * The most push-constant bytes one dispatch can carry: each dispatch gets one slot of this size
 * in its sequence's uniform buffer (256 is also WebGPU's largest uniform offset alignment).
 */
export const MAX_PUSH_CONSTANT_BYTES = 256;

/** The scalar type of push-constant values. */
export type PushType = 'f32' | 'i32' | 'u32';

/** Push constants ready to upload: their bytes as 32-bit words, and how to show them back. */
export interface PushData {
  readonly words: Uint32Array;
  /** The typed array `getPushConstants()` returns (f32 unless the struct or the values said otherwise). */
  readonly shown: PushType;
}

const ARRAYS = { f32: Float32Array, i32: Int32Array, u32: Uint32Array } as const;

function typeOfArray(values: unknown): PushType | null {
  return values instanceof Float32Array ? 'f32' : values instanceof Int32Array ? 'i32' : values instanceof Uint32Array ? 'u32' : null;
}

/** The values as the user sees them: a typed array of `data.shown` over a copy of the words. */
export function showPush(data: PushData | null): Float32Array | Int32Array | Uint32Array {
  if (!data) return new Float32Array(0);
  return new ARRAYS[data.shown](data.words.slice().buffer);
}

/**
 * Push constants as words, converted per member from `layout` (the shader's push-constant struct)
 * when it is known: integers range-checked, f16 members converted, offsets and padding followed.
 * A typed array for a struct of that one scalar type is copied as it is; without a layout
 * (unreadable shader), numbers become f32 and typed arrays are copied.
 */
export function toPushData(argument: string, values: PushConstants, layout: StructLayout | null): PushData {
  const arrayType = typeOfArray(values);
  if (ArrayBuffer.isView(values) && arrayType === null) {
    throw new DTypeError(argument, `push constants must be a Float32Array, Int32Array, Uint32Array or numbers, got a ${values.constructor.name}`, 'convert the values to one of those');
  }
  if (Array.isArray(values) && values.some((v) => typeof v !== 'number'))
    throw new DTypeError(argument, 'push constants must be numbers', 'pass numbers, a Float32Array, Int32Array or Uint32Array, or { member: value }');
  let words: Uint32Array;
  let shown: PushType;
  if (layout === null || (arrayType !== null && layout.scalar === arrayType)) {
    if (arrayType) {
      const copy = (values as Float32Array | Int32Array | Uint32Array).slice();
      words = new Uint32Array(copy.buffer);
      shown = arrayType;
    } else if (Array.isArray(values)) {
      if (values.some((v) => typeof v !== 'number')) throw new DTypeError(argument, 'push constants must be numbers', 'pass numbers or a Float32Array, Int32Array or Uint32Array');
      words = new Uint32Array(Float32Array.from(values as number[]).buffer);
      shown = 'f32';
    } else {
      throw new DTypeError(argument, 'push constants must be a Float32Array, Int32Array, Uint32Array or an array of numbers', 'by member name ({ k: 1 }) works when the shader declares the struct');
    }
  } else {
    if (arrayType !== null && layout.scalar !== null && layout.scalar !== 'f16') {
      throw new AlgorithmBindingError(
        argument,
        `the shader's push-constant struct ${layout.name} holds ${layout.scalar} values but a ${values.constructor.name} was given`,
        `pass numbers or a ${ARRAYS[layout.scalar as PushType].name}`,
      );
    }
    if (typeof values !== 'object' || values === null) {
      throw new DTypeError(
        argument,
        `push constants must be numbers, a typed array or an object of ${layout.name}'s members, got ${values === null ? 'null' : typeof values}`,
        'pass [v0, v1, ...] or { member: value }',
      );
    }
    const bytes = encodeStruct(layout, values, argument);
    words = new Uint32Array(bytes.buffer);
    shown = layout.scalar === 'i32' || layout.scalar === 'u32' ? layout.scalar : layout.scalar === 'f32' ? 'f32' : 'u32';
  }
  if (words.byteLength > MAX_PUSH_CONSTANT_BYTES) {
    throw new SizeError(
      argument,
      `${words.byteLength} bytes of push constants exceed the maximum of ${MAX_PUSH_CONSTANT_BYTES}`,
      'pass larger parameters in a parameter block (mgr.params) or a tensor',
    );
  }
  return { words, shown };
}
