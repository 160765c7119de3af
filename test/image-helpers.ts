/**
 * Helpers of the image tests: reading an image back whatever its memory type, test data per
 * dtype, and the formats the device supports.
 */
import { type Image, type ImageChannels, type ImageDType, IMAGE_DTYPES, type Manager, MemoryType, OpCopy, OpSyncLocal } from '../src/index.js';

/** Element bytes per image dtype (as the library documents them). */
export const ELEMENT_BYTES: Readonly<Record<ImageDType, number>> = { f32: 4, i32: 4, u32: 4, u8: 1, i8: 1, u16: 2, i16: 2, unorm8: 1, snorm8: 1, f16: 2 };

/** The WGSL scalar a shader reads and writes an image of each dtype as. */
export const WGSL_SCALAR: Readonly<Record<ImageDType, 'f32' | 'i32' | 'u32'>> = {
  f32: 'f32',
  i32: 'i32',
  u32: 'u32',
  u8: 'u32',
  i8: 'i32',
  u16: 'u32',
  i16: 'i32',
  unorm8: 'f32',
  snorm8: 'f32',
  f16: 'f32',
};

/** The texture format of a dtype and channel count, written out independently of the library. */
export function formatOf(dtype: ImageDType, channels: ImageChannels): string {
  const prefix = { 1: 'r', 2: 'rg', 4: 'rgba' }[channels];
  const suffix = { f32: '32float', i32: '32sint', u32: '32uint', u8: '8uint', i8: '8sint', u16: '16uint', i16: '16sint', unorm8: '8unorm', snorm8: '8snorm', f16: '16float' }[dtype];
  return `${prefix}${suffix}`;
}

/** True when the device can make images of this dtype and channel count. */
export function supported(mgr: Manager, dtype: ImageDType, channels: ImageChannels): boolean {
  return ELEMENT_BYTES[dtype] === 4 || channels === 4 || mgr.deviceInfo().features.includes('texture-formats-tier1');
}

/** The exact (32-bit and integer) dtypes, whose texels shaders compute on exactly; the normalized and half-float ones are tested in test/image-formats.test.ts. */
export const EXACT_DTYPES: readonly ImageDType[] = IMAGE_DTYPES.filter((d) => d !== 'unorm8' && d !== 'snorm8' && d !== 'f16');

/** Every exact dtype × channel combination. */
export const COMBINATIONS: readonly (readonly [ImageDType, ImageChannels])[] = EXACT_DTYPES.flatMap((d) => ([1, 2, 4] as const).map((c) => [d, c] as const));

/** Deterministic values of `dtype` that leave room for +1 without overflow. */
export function valuesFor(dtype: ImageDType, length: number, seed = 0): number[] {
  return Array.from({ length }, (_, i) => {
    const k = (i * 7 + seed * 13) % 100;
    if (dtype === 'f32') return k * 0.5 - 20.25;
    if (dtype === 'i32' || dtype === 'i8' || dtype === 'i16') return k - 50;
    return k;
  });
}

/**
 * An image's contents on the GPU as numbers, whatever its memory type: Device images through
 * OpSyncLocal, Host/DeviceAndHost directly, Storage images through a copy into a Device image.
 */
export async function readImage(mgr: Manager, image: Image): Promise<number[]> {
  if (image.memoryType === MemoryType.Storage) {
    const probe = mgr.image(null, image.width, image.height, image.channels, { dtype: image.dtype });
    const seq = mgr.sequence();
    try {
      await seq.eval(new OpCopy([image, probe]), new OpSyncLocal([probe]));
      return Array.from(probe.data());
    } finally {
      seq.destroy();
      probe.destroy();
    }
  }
  if (image.memoryType === MemoryType.Device) {
    const seq = mgr.sequence();
    try {
      await seq.eval(new OpSyncLocal([image]));
    } finally {
      seq.destroy();
    }
  }
  return Array.from(image.data());
}

/** A shader reading `src` as a sampled texture and writing `src + 1` to a storage texture. */
export function plusOneShader(dtype: ImageDType, channels: ImageChannels): string {
  const t = WGSL_SCALAR[dtype];
  return /* wgsl */ `
@group(0) @binding(0) var src: texture_2d<${t}>;
@group(0) @binding(1) var dst: texture_storage_2d<${formatOf(dtype, channels)}, write>;
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  textureStore(dst, id.xy, textureLoad(src, id.xy, 0) + vec4<${t}>(1));
}
`;
}
