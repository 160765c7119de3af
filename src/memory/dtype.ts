import { isOwnName, lookupName, withArticle } from '../core/options.js';
import { DTypeError, UnsupportedError } from '../errors.js';
import { float32ToFloat16Bits } from './float16.js';

/** Element types a tensor can hold. `f16` needs the device feature `shader-f16`. */
export type DType = 'f32' | 'i32' | 'u32' | 'f16';

/**
 * The typed array that holds a tensor's host data. `f16` data is a `Uint16Array` of IEEE half
 * bits (Node has no `Float16Array` before v24); see {@link float16BitsToFloat32}.
 */
export type TypedArrayFor<D extends DType> = D extends 'f32' ? Float32Array : D extends 'i32' ? Int32Array : D extends 'u32' ? Uint32Array : Uint16Array;

/** Any typed array kompute-ts accepts as tensor data. */
export type TensorData = Float32Array | Int32Array | Uint32Array | Uint16Array;

/** What {@link dtypeOf} infers for a typed array; `Uint16Array` is taken as f16 bits. */
export type DTypeOf<T> = T extends Float32Array ? 'f32' : T extends Int32Array ? 'i32' : T extends Uint32Array ? 'u32' : T extends Uint16Array ? 'f16' : DType;

interface DTypeInfo {
  readonly bytes: number;
  readonly wgsl: string;
  readonly array: new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => TensorData;
}

const INFO: Readonly<Record<DType, DTypeInfo>> = {
  f32: { bytes: 4, wgsl: 'f32', array: Float32Array },
  i32: { bytes: 4, wgsl: 'i32', array: Int32Array },
  u32: { bytes: 4, wgsl: 'u32', array: Uint32Array },
  f16: { bytes: 2, wgsl: 'f16', array: Uint16Array },
};

/** The data types kompute-ts knows, in a fixed order. */
export const DTYPES: readonly DType[] = ['f32', 'i32', 'u32', 'f16'];

/** Bytes per element of `dtype`. */
export function bytesPerElement(dtype: DType): number {
  return INFO[dtype].bytes;
}

/** The WGSL scalar type of `dtype`. */
export function wgslType(dtype: DType): string {
  return INFO[dtype].wgsl;
}

/** A typed array of `dtype` viewing `length` elements of `buffer`. */
export function viewOf<D extends DType>(dtype: D, buffer: ArrayBufferLike, length: number): TypedArrayFor<D> {
  return new INFO[dtype].array(buffer, 0, length) as TypedArrayFor<D>;
}

/** Throws a {@link DTypeError} unless `value` is one of the known data types. */
export function checkDType(argument: string, value: unknown): asserts value is DType {
  if (isOwnName(INFO, value)) return;
  if (value === 'f64' || value === 'i64' || value === 'u64') {
    throw new DTypeError(
      argument,
      `${value} is not supported: WGSL has no 64-bit types`,
      value === 'f64' ? 'use f32 (Float32Array)' : 'use i32/u32 (Int32Array/Uint32Array), or split values into two u32 words',
    );
  }
  throw new DTypeError(argument, `unknown data type ${JSON.stringify(value)}`, `use one of ${DTYPES.join(', ')}`);
}

/** The data type of a typed array, or a clear error naming the alternative. */
export function dtypeOf(argument: string, data: ArrayBufferView): DType {
  if (data instanceof Float32Array) return 'f32';
  if (data instanceof Int32Array) return 'i32';
  if (data instanceof Uint32Array) return 'u32';
  if (data instanceof Uint16Array) return 'f16';
  const name = data.constructor.name;
  const alternative: Record<string, string> = {
    Float64Array: 'f64 is not supported by WGSL: convert with Float32Array.from(data)',
    BigInt64Array: 'i64 is not supported by WGSL: use Int32Array',
    BigUint64Array: 'u64 is not supported by WGSL: use Uint32Array',
    Int8Array: '8-bit storage is not addressable in WGSL: widen to Int32Array',
    Uint8Array: '8-bit storage is not addressable in WGSL: widen to Uint32Array (or pack 4 bytes per u32)',
    Uint8ClampedArray: '8-bit storage is not addressable in WGSL: widen to Uint32Array',
    Int16Array: '16-bit integers are not addressable in WGSL: widen to Int32Array',
  };
  throw new DTypeError(argument, `${name} is not a supported tensor data type`, lookupName(alternative, name) ?? 'use Float32Array, Int32Array or Uint32Array');
}

/**
 * Converts user values into a typed array of `dtype` (a copy for number arrays, the same array
 * for a typed array of the right type). Rejects typed arrays of another type.
 */
export function toTypedArray<D extends DType>(argument: string, dtype: D, values: ArrayLike<number>): TypedArrayFor<D> {
  if (ArrayBuffer.isView(values)) {
    const actual = dtypeOf(argument, values);
    if (actual !== dtype) {
      throw new DTypeError(argument, `got ${withArticle(values.constructor.name)} (${actual}) for ${withArticle(dtype)} tensor`, `pass ${INFO[dtype].array.name} data`);
    }
    return values as unknown as TypedArrayFor<D>;
  }
  if (!Array.isArray(values)) {
    throw new DTypeError(argument, `expected a typed array or an array of numbers, got ${typeof values}`, "pass numbers or a typed array of the tensor's dtype");
  }
  const out = new INFO[dtype].array(new ArrayBuffer(values.length * INFO[dtype].bytes), 0, values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw new DTypeError(argument, `element ${i} is ${typeof v}, not a number`, 'pass numbers only');
    if (dtype === 'i32' || dtype === 'u32') {
      const [low, high] = dtype === 'i32' ? [-(2 ** 31), 2 ** 31 - 1] : [0, 2 ** 32 - 1];
      if (!Number.isInteger(v) || v < low || v > high) {
        throw new DTypeError(argument, `element ${i} is ${v}, not ${withArticle(dtype)} value (an integer from ${low} to ${high})`, 'round or clamp the values first, or use an f32 tensor');
      }
    }
    out[i] = dtype === 'f16' ? float32ToFloat16Bits(v) : v;
  }
  return out as TypedArrayFor<D>;
}

/** Throws {@link UnsupportedError} when `dtype` needs a device feature the device lacks. */
export function checkDTypeSupported(dtype: DType, features: ReadonlySet<string>): void {
  if (dtype === 'f16' && !features.has('shader-f16')) {
    throw new UnsupportedError('f16 tensors need the device feature shader-f16, which this device lacks', 'use f32 tensors, or a device with shader-f16');
  }
}
