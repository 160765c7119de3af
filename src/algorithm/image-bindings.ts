import { ShaderStage } from '../backends/webgpu-constants.js';
import { $internal } from '../core/internal.js';
import { AlgorithmBindingError } from '../errors.js';
import type { Image } from '../memory/image.js';
import { imageWgslType, sampleType } from '../memory/image-format.js';
import type { ShaderBinding } from './shader-interface.js';
import type { GPUBindGroupLayoutEntry } from '../backends/webgpu-types.js';

/** Storage-texture formats that allow `read_write` access without the `texture-formats-tier2` feature. */
const READ_WRITE_FORMATS = new Set(['r32float', 'r32sint', 'r32uint']);

/** Checks a binding that an image is bound to: its kind, dimension, format and access. */
export function checkImageBinding(where: string, argument: string, b: ShaderBinding, image: Image): void {
  if (b.kind === 'storage-texture') {
    if (b.textureType !== 'texture_storage_2d') {
      throw new AlgorithmBindingError(argument, `${where} is ${b.textureType} but ${image.label} is a 2-D image`, `declare it as texture_storage_2d<${image.format}, ...>`);
    }
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
    if (b.textureType !== 'texture_2d') {
      throw new AlgorithmBindingError(argument, `${where} is ${b.textureType} but ${image.label} is a 2-D image`, `declare it as texture_2d<${imageWgslType(image.dtype)}>`);
    }
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
    return { binding, visibility: ShaderStage.COMPUTE, texture: { sampleType: sampleType(image.dtype, image[$internal].context.features), viewDimension: '2d' } };
  }
  const declaredAccess = declared?.kind === 'storage-texture' ? declared.textureAccess : '';
  const access: GPUStorageTextureAccess = declaredAccess === 'read' ? 'read-only' : declaredAccess === 'read_write' ? 'read-write' : 'write-only';
  return { binding, visibility: ShaderStage.COMPUTE, storageTexture: { access, format: image.format, viewDimension: '2d' } };
}
