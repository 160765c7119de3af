import { DTypeError, UnsupportedError } from '../errors.js';

/**
 * Element types an image can hold. 32-bit types work with 1, 2 or 4 channels everywhere; the 8-
 * and 16-bit integer types work with 4 channels everywhere (WebGPU core storage formats) and with
 * 1 or 2 channels only on devices with the `texture-formats-tier1` feature.
 */
export type ImageDType = 'f32' | 'i32' | 'u32' | 'u8' | 'i8' | 'u16' | 'i16';

/** Channels per texel an image can have (WebGPU has no 3-channel storage formats). */
export type ImageChannels = 1 | 2 | 4;

/** The typed array that holds an image's host data. */
export type ImageArrayFor<D extends ImageDType> = D extends 'f32'
  ? Float32Array
  : D extends 'i32'
    ? Int32Array
    : D extends 'u32'
      ? Uint32Array
      : D extends 'u8'
        ? Uint8Array
        : D extends 'i8'
          ? Int8Array
          : D extends 'u16'
            ? Uint16Array
            : Int16Array;

/** The image dtype a typed array gives. */
export type ImageDTypeFor<T> = T extends Float32Array
  ? 'f32'
  : T extends Int32Array
    ? 'i32'
    : T extends Uint32Array
      ? 'u32'
      : T extends Uint8Array | Uint8ClampedArray
        ? 'u8'
        : T extends Int8Array
          ? 'i8'
          : T extends Uint16Array
            ? 'u16'
            : T extends Int16Array
              ? 'i16'
              : ImageDType;

/** Any typed array an image accepts as data. */
export type ImageData = Float32Array | Int32Array | Uint32Array | Uint8Array | Uint8ClampedArray | Int8Array | Uint16Array | Int16Array;

type ImageArrayConstructor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => ImageData;

interface ImageDTypeInfo {
  readonly bytes: number;
  /** The texture format's number part, e.g. `32float`. */
  readonly suffix: string;
  /** The WGSL scalar type shaders read and write: f32, i32 or u32. */
  readonly wgsl: 'f32' | 'i32' | 'u32';
  readonly array: ImageArrayConstructor;
  readonly range: readonly [number, number] | null;
}

const INFO: Readonly<Record<ImageDType, ImageDTypeInfo>> = {
  f32: { bytes: 4, suffix: '32float', wgsl: 'f32', array: Float32Array, range: null },
  i32: { bytes: 4, suffix: '32sint', wgsl: 'i32', array: Int32Array, range: [-(2 ** 31), 2 ** 31 - 1] },
  u32: { bytes: 4, suffix: '32uint', wgsl: 'u32', array: Uint32Array, range: [0, 2 ** 32 - 1] },
  u8: { bytes: 1, suffix: '8uint', wgsl: 'u32', array: Uint8Array, range: [0, 255] },
  i8: { bytes: 1, suffix: '8sint', wgsl: 'i32', array: Int8Array, range: [-128, 127] },
  u16: { bytes: 2, suffix: '16uint', wgsl: 'u32', array: Uint16Array, range: [0, 65535] },
  i16: { bytes: 2, suffix: '16sint', wgsl: 'i32', array: Int16Array, range: [-32768, 32767] },
};

/** The image data types, in a fixed order. */
export const IMAGE_DTYPES: readonly ImageDType[] = ['f32', 'i32', 'u32', 'u8', 'i8', 'u16', 'i16'];

/** The feature that makes 1- and 2-channel 8/16-bit formats usable as storage textures. */
const TIER1_FEATURE = 'texture-formats-tier1';

const PREFIX: Readonly<Record<ImageChannels, string>> = { 1: 'r', 2: 'rg', 4: 'rgba' };

/** The WebGPU texture format of an image, e.g. `rgba32float`. */
export function textureFormat(dtype: ImageDType, channels: ImageChannels): GPUTextureFormat {
  return `${PREFIX[channels]}${INFO[dtype].suffix}` as GPUTextureFormat;
}

/** Bytes of one element (one channel of one texel). */
export function imageBytesPerElement(dtype: ImageDType): number {
  return INFO[dtype].bytes;
}

/** The WGSL scalar type a shader uses for the image's texels (`f32`, `i32` or `u32`). */
export function imageWgslType(dtype: ImageDType): 'f32' | 'i32' | 'u32' {
  return INFO[dtype].wgsl;
}

/** The sample type of a sampled-texture binding of this dtype. */
export function sampleType(dtype: ImageDType): GPUTextureSampleType {
  const wgsl = INFO[dtype].wgsl;
  return wgsl === 'f32' ? 'unfilterable-float' : wgsl === 'i32' ? 'sint' : 'uint';
}

/** A zero-filled typed array of `dtype`. */
export function newImageArray(dtype: ImageDType, length: number): ImageData {
  return new INFO[dtype].array(new ArrayBuffer(length * INFO[dtype].bytes), 0, length);
}

/** Throws a {@link DTypeError} unless `value` is an image data type. */
export function checkImageDType(argument: string, value: unknown): asserts value is ImageDType {
  if (typeof value === 'string' && value in INFO) return;
  const hint = value === 'f16' ? 'f16 images are not supported: use f32' : `use one of ${IMAGE_DTYPES.join(', ')}`;
  throw new DTypeError(argument, `${JSON.stringify(value)} is not an image data type`, hint);
}

/** The image data type of a typed array (`Uint8ClampedArray` counts as u8). */
export function imageDTypeOf(argument: string, data: ArrayBufferView): ImageDType {
  if (data instanceof Float32Array) return 'f32';
  if (data instanceof Int32Array) return 'i32';
  if (data instanceof Uint32Array) return 'u32';
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return 'u8';
  if (data instanceof Int8Array) return 'i8';
  if (data instanceof Uint16Array) return 'u16';
  if (data instanceof Int16Array) return 'i16';
  throw new DTypeError(argument, `${data.constructor.name} is not a supported image data type`, 'use Float32Array, Int32Array, Uint32Array, Uint8Array, Int8Array, Uint16Array or Int16Array');
}

/**
 * User values as a typed array of `dtype`: the same array for a typed array of that type, a
 * checked copy for numbers. Integer types reject non-integers and values out of range.
 */
export function toImageArray(argument: string, dtype: ImageDType, values: ArrayLike<number>): ImageData {
  const info = INFO[dtype];
  if (ArrayBuffer.isView(values)) {
    const actual = imageDTypeOf(argument, values);
    if (actual !== dtype) throw new DTypeError(argument, `got ${values.constructor.name} (${actual}) for a ${dtype} image`, `pass ${info.array.name} data`);
    return values as unknown as ImageData;
  }
  if (!Array.isArray(values)) {
    throw new DTypeError(argument, `expected a typed array or an array of numbers, got ${typeof values}`, "pass numbers or a typed array of the image's dtype");
  }
  const out = newImageArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw new DTypeError(argument, `element ${i} is ${typeof v}, not a number`, 'pass numbers only');
    if (info.range && (!Number.isInteger(v) || v < info.range[0] || v > info.range[1])) {
      throw new DTypeError(argument, `element ${i} is ${v}, not a ${dtype} value (an integer from ${info.range[0]} to ${info.range[1]})`, 'round or clamp the values first, or use an f32 image');
    }
    out[i] = v;
  }
  return out;
}

/** Throws {@link UnsupportedError} when the format cannot be a storage texture on this device. */
export function checkFormatSupported(dtype: ImageDType, channels: ImageChannels, features: ReadonlySet<string>): void {
  if (INFO[dtype].bytes >= 4 || channels === 4 || features.has(TIER1_FEATURE)) return;
  throw new UnsupportedError(
    `${textureFormat(dtype, channels)} images need the device feature ${TIER1_FEATURE}, which this device lacks`,
    `use 4 channels (${textureFormat(dtype, 4)}), or a 32-bit dtype (${textureFormat(INFO[dtype].wgsl, channels)})`,
  );
}

/**
 * Bytes per row in buffer↔texture copies: WebGPU requires `bytesPerRow` to be a multiple of 256,
 * so rows of staging buffers are padded to it.
 */
export const ROW_ALIGNMENT = 256;

/** A row of `rowBytes` rounded up to {@link ROW_ALIGNMENT}. */
export function paddedRowBytes(rowBytes: number): number {
  return Math.ceil(rowBytes / ROW_ALIGNMENT) * ROW_ALIGNMENT;
}
