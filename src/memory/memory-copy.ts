import { ArgumentError, DTypeError, SizeError, UnsupportedError } from '../errors.js';
import { Image } from './image.js';
import { imageBytesPerElement, ROW_ALIGNMENT } from './image-format.js';
import type { Memory } from './memory.js';
import type { Tensor } from './tensor.js';
import type { TensorView } from './tensor-view.js';
import type { GPUCommandEncoder } from '../backends/webgpu-types.js';

/**
 * Checks that `source` can be copied into `target` when at least one of them is an image:
 * image → image needs the same width, height and format; tensor ↔ image needs the same dtype
 * and element count (the tensor holds the image's rows tightly packed).
 */
export function checkImageCopy(argument: string, source: Memory, target: Memory): void {
  const what = `OpCopy from ${source.label} to ${target.label}`;
  if (source.dtype !== target.dtype) {
    throw new DTypeError(argument, `${what}: ${source.dtype} to ${target.dtype}`, 'copy between memory of one dtype (tensors hold only f32, i32, u32 or f16)');
  }
  if (source instanceof Image && target instanceof Image) {
    if (source.width !== target.width || source.height !== target.height) {
      throw new SizeError(argument, `${what}: ${source.width}×${source.height} to ${target.width}×${target.height}`, 'copy between images of one width and height');
    }
    if (source.layers !== target.layers || source.dimension !== target.dimension) {
      throw new SizeError(argument, `${what}: ${source.layers} to ${target.layers} ${source.dimension === '3d' ? 'slices' : 'layers'}`, 'copy between images of one shape');
    }
    if (source.channels !== target.channels) {
      throw new SizeError(argument, `${what}: ${source.channels} to ${target.channels} channels`, 'copy between images of one channel count');
    }
    return;
  }
  if ((source instanceof Image ? source : (target as Image)).layers > 1) {
    throw new UnsupportedError(
      `${argument}: ${what}: copies between tensors and layered or 3-D images are not supported`,
      'copy between images, or sync the image to the host and set the tensor from its data',
    );
  }
  if (source.size !== target.size) {
    throw new SizeError(argument, `${what}: ${source.size} elements to ${target.size} elements`, 'a tensor copied to or from an image has width × height × channels elements');
  }
  const image = (source instanceof Image ? source : target) as Image;
  const linear = (source instanceof Image ? target : source) as Tensor | TensorView;
  const texel = image.channels * imageBytesPerElement(image.dtype);
  if (linear.byteRange.offset % texel !== 0) {
    throw new ArgumentError(
      argument,
      `${what}: ${linear.label} starts at byte ${linear.byteRange.offset}, not a multiple of ${image.label}'s ${texel}-byte texels`,
      `start the view at a multiple of ${texel / imageBytesPerElement(image.dtype)} elements`,
    );
  }
}

/**
 * Encodes a GPU copy involving an image. A tensor holds rows tightly packed, while WebGPU wants
 * `bytesPerRow` in buffer↔texture copies to be a multiple of 256: when a row is not, the copy is
 * encoded one row at a time (each row's offset is a multiple of the texel size, as required).
 */
export function encodeMemoryCopy(encoder: GPUCommandEncoder, source: Memory, target: Memory): void {
  if (source instanceof Image && target instanceof Image) {
    encoder.copyTextureToTexture({ texture: source.texture }, { texture: target.texture }, { width: source.width, height: source.height, depthOrArrayLayers: source.layers });
    return;
  }
  const image = (source instanceof Image ? source : target) as Image;
  const tensor = (source instanceof Image ? target : source) as Tensor | TensorView;
  const { width, height } = image;
  const rowBytes = width * image.channels * imageBytesPerElement(image.dtype);
  const texture = image.texture;
  const buffer = tensor.gpuBuffer;
  const base = tensor.byteRange.offset;
  const toImage = image === target;
  const copy = (offset: number, y: number, rows: number, bytesPerRow: number | undefined): void => {
    const layout: GPUTexelCopyBufferInfo = { buffer, offset: base + offset };
    if (bytesPerRow !== undefined) {
      layout.bytesPerRow = bytesPerRow;
      layout.rowsPerImage = rows;
    }
    const texel: GPUTexelCopyTextureInfo = { texture, origin: { x: 0, y } };
    if (toImage) encoder.copyBufferToTexture(layout, texel, { width, height: rows });
    else encoder.copyTextureToBuffer(texel, layout, { width, height: rows });
  };
  if (height === 1) copy(0, 0, 1, undefined);
  else if (rowBytes % ROW_ALIGNMENT === 0) copy(0, 0, height, rowBytes);
  else for (let y = 0; y < height; y++) copy(y * rowBytes, y, 1, undefined);
}
