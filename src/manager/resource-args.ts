import { BufferUsage } from '../backends/webgpu-constants.js';
import { ArgumentError, DTypeError, SizeError } from '../errors.js';
import { bytesPerElement, checkDType, type DType, dtypeOf, type TensorData, toTypedArray } from '../memory/dtype.js';
import { checkMemoryType, MemoryType } from '../memory/memory-type.js';
import { anyValue, checkOptions, describeValue, type OptionRules, stringValue, withArticle } from '../core/options.js';
import { checkLength, paddedBytes, TENSOR_BUFFER_USAGE, type TensorOptions } from '../memory/tensor.js';
import { checkChannels, checkImageData, checkImageExtent, type ImageOptions } from '../memory/image.js';
import { checkImageDType, type ImageData, type ImageDType, IMAGE_DTYPES, imageArrayFits, imageDTypeOf } from '../memory/image-format.js';
import { DeviceContext } from '../core/device-context.js';
import type { GPUBuffer } from '../backends/webgpu-types.js';
import type { TensorInit } from '../memory/tensor.js';
import type { ImageInit } from '../memory/image.js';

const TENSOR_OPTIONS: OptionRules = { type: anyValue, dtype: anyValue, label: stringValue };
const FROM_BUFFER_OPTIONS: OptionRules = { type: anyValue, label: stringValue };
const positiveInteger = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? null : 'a positive integer');
const IMAGE_OPTIONS: OptionRules = {
  type: anyValue,
  dtype: anyValue,
  label: stringValue,
  layers: positiveInteger,
  depth: positiveInteger,
  bgra: (v) => (typeof v === 'boolean' ? null : 'true or false'),
};

/** True for what looks like an options object given where a dtype name belongs. */
function isOptionsLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/** `mgr.tensor(data, options?)` or `mgr.tensor(length, dtype, options?)`. */
export function tensorInit(dataOrLength: TensorData | readonly number[] | number, dtypeOrOptions?: DType | TensorOptions, maybeOptions?: TensorOptions): TensorInit {
  if (typeof dataOrLength === 'number') {
    const length = checkLength('length', dataOrLength);
    if (isOptionsLike(dtypeOrOptions)) {
      throw new DTypeError('dtype', `expected a data type after the length, got ${describeValue(dtypeOrOptions)}`, "pass mgr.tensor(length, 'f32', options)");
    }
    checkDType('dtype', dtypeOrOptions);
    const options = checkOptions('options', maybeOptions, TENSOR_OPTIONS);
    if (options.dtype !== undefined && options.dtype !== dtypeOrOptions) {
      checkDType('options.dtype', options.dtype);
      throw new DTypeError('options.dtype', `is ${options.dtype} but the dtype argument is ${dtypeOrOptions}`, 'give the dtype once');
    }
    return { dtype: dtypeOrOptions, size: length, type: checkMemoryType('options.type', options.type), label: options.label };
  }
  if (!ArrayBuffer.isView(dataOrLength) && !Array.isArray(dataOrLength)) {
    throw new ArgumentError('data', 'expected a typed array, an array of numbers, or a length', 'e.g. mgr.tensor([1, 2, 3]) or mgr.tensor(3, "f32")');
  }
  if (typeof dtypeOrOptions === 'string')
    throw new ArgumentError('options', `expected an options object, got ${describeValue(dtypeOrOptions)}`, 'pass a dtype as second argument only together with a length, or { dtype } with data');
  if (maybeOptions !== undefined) throw new ArgumentError('options', 'a third argument is only taken after a length and a dtype', 'pass mgr.tensor(data, options)');
  const options = checkOptions<TensorOptions>('options', dtypeOrOptions as TensorOptions | undefined, TENSOR_OPTIONS);
  let dtype: DType;
  if (ArrayBuffer.isView(dataOrLength)) {
    dtype = dtypeOf('data', dataOrLength);
    if (options.dtype !== undefined && options.dtype !== dtype) {
      checkDType('options.dtype', options.dtype);
      throw new DTypeError('options.dtype', `is ${options.dtype} but the data is ${withArticle(dataOrLength.constructor.name)} (${dtype})`, 'drop options.dtype, or convert the data');
    }
  } else {
    dtype = options.dtype ?? 'f32';
    checkDType('options.dtype', dtype);
  }
  const data = toTypedArray('data', dtype, dataOrLength as ArrayLike<number>);
  checkLength('data.length', data.length);
  return { dtype, size: data.length, type: checkMemoryType('options.type', options.type), data, label: options.label };
}

/** `mgr.tensorFromBuffer(buffer, dtype, length, options?)`: a buffer the caller owns. */
export function externalTensorInit<D extends DType>(buffer: GPUBuffer, dtype: D, length: number, options?: TensorOptions): TensorInit<D> {
  const opts = checkOptions('options', options, FROM_BUFFER_OPTIONS);
  if (!buffer || typeof buffer.size !== 'number' || typeof buffer.usage !== 'number') throw new ArgumentError('buffer', 'expected a GPUBuffer', 'pass a buffer made by device.createBuffer()');
  checkDType('dtype', dtype);
  checkLength('length', length);
  const bytes = paddedBytes(length * bytesPerElement(dtype));
  if (bytes > buffer.size) throw new SizeError('length', `${length} ${dtype} elements need ${bytes} bytes but the buffer has ${buffer.size}`, 'wrap fewer elements or a larger buffer');
  const type = checkMemoryType('options.type', opts.type);
  const needed = type === MemoryType.Storage ? BufferUsage.STORAGE : TENSOR_BUFFER_USAGE;
  if ((buffer.usage & needed) !== needed) {
    throw new ArgumentError(
      'buffer',
      `its usage (0x${buffer.usage.toString(16)}) lacks STORAGE${type === MemoryType.Storage ? '' : ' | COPY_SRC | COPY_DST'}`,
      'create the buffer with those usages, or wrap it as { type: MemoryType.Storage }',
    );
  }
  return { dtype, size: length, type, external: buffer, label: opts.label };
}

/** `mgr.image(data, width, height, channels, options?)`. */
export function imageInit(context: DeviceContext, data: ImageData | readonly number[] | null, width: number, height: number, channels: 1 | 2 | 4, imageOptions?: ImageOptions): ImageInit {
  const options = checkOptions('options', imageOptions, IMAGE_OPTIONS);
  checkImageExtent(context, width, height);
  const ch = checkChannels(channels);
  if (data !== null && !ArrayBuffer.isView(data) && !Array.isArray(data)) {
    throw new ArgumentError('data', 'expected a typed array, an array of numbers, or null', 'e.g. mgr.image(new Float32Array(w * h * 4), w, h, 4) or mgr.image(null, w, h, 1)');
  }
  let dtype: ImageDType;
  if (data !== null && ArrayBuffer.isView(data)) {
    dtype = imageDTypeOf('data', data);
    if (options.dtype !== undefined && options.dtype !== dtype && typeof options.dtype === 'string' && IMAGE_DTYPES.includes(options.dtype) && imageArrayFits(options.dtype, data))
      dtype = options.dtype;
    if (options.dtype !== undefined && options.dtype !== dtype) {
      checkImageDType('options.dtype', options.dtype);
      throw new DTypeError('options.dtype', `is ${options.dtype} but the data is ${withArticle(data.constructor.name)} (${dtype})`, 'drop options.dtype, or convert the data');
    }
  } else {
    dtype = options.dtype ?? 'f32';
    checkImageDType('options.dtype', dtype);
  }
  if (options.layers !== undefined && options.depth !== undefined) {
    throw new ArgumentError('options.depth', 'an image has layers (texture_2d_array) or a depth (texture_3d), not both', 'pass one of them');
  }
  const layers = options.depth ?? options.layers ?? 1;
  const dimension = options.depth !== undefined ? '3d' : '2d';
  const limit = dimension === '3d' ? 'maxTextureDimension3D' : 'maxTextureArrayLayers';
  const max = (context.limits as unknown as Record<string, number>)[limit] ?? 256;
  if (layers > max) throw new SizeError(dimension === '3d' ? 'options.depth' : 'options.layers', `${layers} exceeds this device's ${limit} (${max})`, 'split the image into several');
  const values = data === null ? undefined : checkImageData('data', dtype, data as ArrayLike<number>, width * height * layers * ch);
  return {
    dtype,
    width,
    height,
    channels: ch,
    layers,
    dimension,
    bgra: options.bgra === true,
    type: checkMemoryType('options.type', options.type),
    data: values,
    label: options.label,
  };
}
