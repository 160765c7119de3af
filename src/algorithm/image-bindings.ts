import { ShaderStage } from '../backends/webgpu-constants.js';
import { $internal } from '../core/internal.js';
import { AlgorithmBindingError, UnsupportedError } from '../errors.js';
import type { Image, ImageViewDimension } from '../memory/image.js';
import { imageWgslType, sampleType } from '../memory/image-format.js';
import type { ShaderBinding } from './shader-interface.js';
import type { GPUBindGroupLayoutEntry } from '../backends/webgpu-types.js';

/** Storage-texture formats that allow `read_write` access without the `texture-formats-tier2` feature. */
const READ_WRITE_FORMATS = new Set(['r32float', 'r32sint', 'r32uint']);

/** The view dimension of each texture type an image binds to. */
const VIEW: Readonly<Record<string, ImageViewDimension>> = {
  texture_2d: '2d',
  texture_storage_2d: '2d',
  texture_2d_array: '2d-array',
  texture_storage_2d_array: '2d-array',
  texture_3d: '3d',
  texture_storage_3d: '3d',
};

/** Texture types kompute-ts does not bind, and what works instead. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  texture_depth_2d: 'depth textures are not supported: declare texture_2d<f32> and bind an f32 image (1 channel) holding the depths',
  texture_depth_2d_array: 'depth textures are not supported: declare texture_2d_array<f32> and bind an f32 image with layers',
  texture_depth_cube: 'depth textures are not supported: declare texture_2d_array<f32> and bind an f32 image with 6 layers',
  texture_depth_cube_array: 'depth textures are not supported: declare texture_2d_array<f32> and bind an f32 image with layers',
  texture_depth_multisampled_2d: 'multisampled textures are not supported: declare texture_2d<f32> and bind an f32 image',
  texture_multisampled_2d: 'multisampled textures are not supported: declare texture_2d<T> and bind an image (resolve your samples first)',
  texture_external: 'external (video) textures are not supported: copy the frame into an image (mgr.image, unorm8, 4 channels) and declare texture_2d<f32>',
  texture_1d: '1-D textures are not supported: declare texture_2d<T> and bind an image of height 1 (read it at vec2(x, 0))',
  texture_storage_1d: '1-D textures are not supported: declare texture_storage_2d<format, access> and bind an image of height 1',
  texture_cube: 'cube textures are not supported: declare texture_2d_array<T> and bind an image with 6 layers',
  texture_cube_array: 'cube textures are not supported: declare texture_2d_array<T> and bind an image with 6 × n layers',
};

/** Throws {@link UnsupportedError} for a texture declaration kompute-ts cannot bind. */
export function checkTextureTypeSupported(where: string, b: ShaderBinding): void {
  const hint = UNSUPPORTED[b.textureType];
  if (hint) throw new UnsupportedError(`${where} is ${b.typeName}, a texture type kompute-ts does not bind`, hint);
}

/** How an image of this shape is declared (for hints). */
function shapeName(image: Image): string {
  return image.dimension === '3d' ? `a 3-D image (depth ${image.layers})` : image.layers > 1 ? `a 2-D image of ${image.layers} layers` : 'a 2-D image';
}

function checkDimension(where: string, argument: string, b: ShaderBinding, image: Image, storage: boolean): void {
  const view = VIEW[b.textureType];
  const wanted = image.dimension === '3d' ? '3d' : image.layers > 1 ? '2d-array' : null;
  const fits = view === '3d' ? image.dimension === '3d' : view === '2d-array' ? image.dimension === '2d' : view === '2d' && wanted === null;
  if (fits) return;
  const prefix = storage ? 'texture_storage_' : 'texture_';
  const declared = wanted === '3d' ? `${prefix}3d` : wanted === '2d-array' ? `${prefix}2d_array` : `${prefix}2d`;
  throw new AlgorithmBindingError(
    argument,
    `${where} is ${b.typeName} but ${image.label} is ${shapeName(image)}`,
    view === '3d'
      ? 'create the image with mgr.image(data, w, h, channels, { depth: d })'
      : view === '2d-array'
        ? 'create the image with mgr.image(data, w, h, channels, { layers: n })'
        : `declare it as ${declared}<...>`,
  );
}

/** The view dimension a binding of `image` needs, from its declaration. */
export function imageViewFor(image: Image, declared: ShaderBinding | undefined): ImageViewDimension {
  return (declared && VIEW[declared.textureType]) ?? image.viewDimension;
}

/** Checks a binding that an image is bound to: its kind, dimension, format and access. */
export function checkImageBinding(where: string, argument: string, b: ShaderBinding, image: Image): void {
  if (b.kind === 'storage-texture' || b.kind === 'texture') checkTextureTypeSupported(where, b);
  if (b.kind === 'storage-texture') {
    checkDimension(where, argument, b, image, true);
    if (b.textureFormat !== image.format) {
      throw new AlgorithmBindingError(
        argument,
        `${where} is ${b.typeName} but ${image.label} is ${image.format}`,
        `declare texture_storage_2d<${image.format}, ${b.textureAccess}>, or bind an image of format ${b.textureFormat}`,
      );
    }
    if (b.textureAccess === 'read_write' && !READ_WRITE_FORMATS.has(image.format) && !image[$internal].context.features.has('texture-formats-tier2')) {
      throw new AlgorithmBindingError(
        argument,
        `${where} declares read_write access, which ${image.format} storage textures do not allow on this device`,
        'use read or write access (a separate image for each), or a 1-channel 32-bit image',
      );
    }
    return;
  }
  if (b.kind === 'texture') {
    checkDimension(where, argument, b, image, false);
    const expected = imageWgslType(image.dtype);
    if (b.textureFormat !== expected) {
      throw new AlgorithmBindingError(argument, `${where} is ${b.typeName} but ${image.label} is ${image.format}, read as ${expected}`, `declare texture_2d<${expected}>`);
    }
    return;
  }
  throw new AlgorithmBindingError(
    argument,
    `${where} is ${b.kind === 'storage' || b.kind === 'uniform' ? `var<${b.kind}> ${b.typeName}` : b.typeName} but ${image.label} is an image`,
    `declare it as texture_storage_2d<${image.format}, read|write> or texture_2d<${imageWgslType(image.dtype)}>, or bind a tensor`,
  );
}

/** The bind-group layout entry of an image, following the shader's declaration. */
export function imageLayoutEntry(binding: number, image: Image, declared: ShaderBinding | undefined): GPUBindGroupLayoutEntry {
  if (declared?.kind === 'texture') {
    return { binding, visibility: ShaderStage.COMPUTE, texture: { sampleType: sampleType(image.dtype, image[$internal].context.features), viewDimension: imageViewFor(image, declared) } };
  }
  const declaredAccess = declared?.kind === 'storage-texture' ? declared.textureAccess : '';
  const access: GPUStorageTextureAccess = declaredAccess === 'read' ? 'read-only' : declaredAccess === 'read_write' ? 'read-write' : 'write-only';
  return { binding, visibility: ShaderStage.COMPUTE, storageTexture: { access, format: image.format, viewDimension: imageViewFor(image, declared) } };
}
