import { TextureUsage } from '../backends/webgpu-constants.js';
import { ArgumentError, SizeError, StateError, UnsupportedError } from '../errors.js';
import type { DeviceContext } from '../core/device-context.js';
import type { Releasable } from '../core/registry.js';
import { $create, assertCreationKey, type CreationKey } from '../core/internal.js';
import type { TransferStage } from './host-copy.js';
import { checkFormatSupported, type ImageArrayFor, type ImageChannels, type ImageData, type ImageDType, imageBytesPerElement, paddedRowBytes, textureFormat, toImageArray } from './image-format.js';
import { ImageHostCopy } from './image-host-copy.js';
import { Memory } from './memory.js';
import { MemoryType } from './memory-type.js';
import type { GPUBindingResource, GPUTexture, GPUTextureFormat } from '../backends/webgpu-types.js';

/** The view dimensions an image is bound with. */
export type ImageViewDimension = '2d' | '2d-array' | '3d';

/** Options of `mgr.image(...)`. */
export interface ImageOptions {
  /** Where the data lives; default {@link MemoryType.Device}. */
  readonly type?: MemoryType;
  /** Element type for `number[]` data or no data (default `f32`); typed arrays carry their own. */
  readonly dtype?: ImageDType;
  /** Name used in error messages and WebGPU labels. */
  readonly label?: string;
  /**
   * Layers of a layered image (default 1): bound as `texture_2d_array<T>` or
   * `texture_storage_2d_array<format, access>`; data is layer after layer.
   */
  readonly layers?: number;
  /** Depth of a 3-D image (default: a 2-D image): bound as `texture_3d<T>` or `texture_storage_3d<format, access>`; data is slice after slice. */
  readonly depth?: number;
  /** With `dtype: 'unorm8'` and 4 channels: the `bgra8unorm` format (a canvas's), on devices with `bgra8unorm-storage`. */
  readonly bgra?: boolean;
}

/** How an image's texture is laid out: a 2-D image (with layers) or a 3-D one. */
export type ImageDimension = '2d' | '3d';

/**
 * Texture usage of every image: bound as a storage or a sampled texture, copied both ways.
 */
const IMAGE_TEXTURE_USAGE = TextureUsage.STORAGE_BINDING | TextureUsage.TEXTURE_BINDING | TextureUsage.COPY_SRC | TextureUsage.COPY_DST;

/** What an image is created from (the manager's factory checks it first). */
export interface ImageInit<D extends ImageDType = ImageDType> {
  readonly dtype: D;
  readonly width: number;
  readonly height: number;
  readonly channels: ImageChannels;
  readonly type: MemoryType;
  /** Array layers (2-D) or depth (3-D); 1 for a plain 2-D image. */
  readonly layers?: number;
  readonly dimension?: ImageDimension;
  readonly bgra?: boolean;
  readonly data?: ImageData | undefined;
  readonly label?: string | undefined;
}

/** The one creation path of an image: an image owned and tracked by the manager of `context`. */
export function createImage<D extends ImageDType>(context: DeviceContext, init: ImageInit<D>): Image<D> {
  return new Image($create, context, init);
}

/** The GPU side of an image; swapped wholesale by `rebuild()`. */
class ImageCore implements Releasable {
  view: GPUTextureView | null = null;
  constructor(
    private readonly context: DeviceContext,
    public texture: GPUTexture,
    public hostCopy: ImageHostCopy | null,
  ) {}

  release(): void {
    this.hostCopy?.release();
    this.hostCopy = null;
    this.view = null;
    this.context.ledger.destroyTexture(this.texture);
  }
}

/**
 * A 2-D image on the GPU (a texture of `width × height` texels with 1, 2 or 4 channels), after
 * Kompute's `kp::Image`. Shaders bind it as `texture_storage_2d<format, access>` or as a sampled
 * `texture_2d<T>`. Its host data is a tightly packed typed array of `width × height × channels`
 * elements, row after row with the channels of a texel side by side. Same memory types, sync
 * operations, copies and lifecycle as a {@link Tensor}.
 */
export class Image<D extends ImageDType = ImageDType> extends Memory {
  readonly #dtype: D;
  readonly #channels: ImageChannels;
  readonly #memoryType: MemoryType;
  #width: number;
  #height: number;
  readonly #layers: number;
  readonly #dimension: ImageDimension;
  readonly #bgra: boolean;
  #core: ImageCore;
  #generation = 0;

  /** @internal Use `mgr.image(...)`; inside the library, {@link createImage}. */
  constructor(key: CreationKey, context: DeviceContext, init: ImageInit<D>) {
    assertCreationKey(key, 'Image', 'mgr.image(...)');
    super(context, 'Image', init.label);
    checkFormatSupported(init.dtype, init.channels, context.features);
    this.#dtype = init.dtype;
    this.#channels = init.channels;
    this.#memoryType = init.type;
    this.#width = init.width;
    this.#height = init.height;
    this.#layers = init.layers ?? 1;
    this.#dimension = init.dimension ?? '2d';
    this.#bgra = init.bgra === true;
    if (this.#bgra && (init.dtype !== 'unorm8' || init.channels !== 4)) {
      throw new ArgumentError('options.bgra', `bgra8unorm holds 4 unorm8 channels, not ${init.channels} × ${init.dtype}`, "pass { dtype: 'unorm8', bgra: true } with 4 channels");
    }
    if (this.#bgra && !context.features.has('bgra8unorm-storage')) {
      throw new UnsupportedError(
        'bgra8unorm images need the device feature bgra8unorm-storage, which this device lacks',
        "use an rgba8unorm image ({ dtype: 'unorm8' }) and swap the channels in the shader (.bgra)",
      );
    }
    this.#core = this.#allocate(init.width, init.height, init.data, 'width');
    this.track('image', this.#core);
  }

  /** @internal */
  protected get core(): Releasable {
    return this.#core;
  }

  /** Always `image`. */
  get kind(): 'image' {
    return 'image';
  }

  /** Texels per row. */
  get width(): number {
    return this.#width;
  }

  /** Rows. */
  get height(): number {
    return this.#height;
  }

  /** Array layers of a 2-D image, or the depth of a 3-D one (1 for a plain 2-D image). */
  get layers(): number {
    return this.#layers;
  }

  /** `2d` (with {@link layers} layers) or `3d` (with {@link layers} slices). */
  get dimension(): ImageDimension {
    return this.#dimension;
  }

  /** Elements per texel: 1, 2 or 4. */
  get channels(): ImageChannels {
    return this.#channels;
  }

  /** Number of elements: width × height × layers × channels. */
  get size(): number {
    return this.#width * this.#height * this.#layers * this.#channels;
  }

  /** Element type. */
  get dtype(): D {
    return this.#dtype;
  }

  /** The WebGPU texture format, e.g. `rgba32float`; a shader's `texture_storage_2d` must name it. */
  get format(): GPUTextureFormat {
    return this.#bgra ? ('bgra8unorm' as GPUTextureFormat) : textureFormat(this.#dtype, this.#channels);
  }

  /** Bytes of data: size × bytes per element. */
  get byteLength(): number {
    return this.size * imageBytesPerElement(this.#dtype);
  }

  /** Where the data lives. */
  get memoryType(): MemoryType {
    return this.#memoryType;
  }

  /** The GPU texture (for interop with your own WebGPU code); replaced by `rebuild()`. */
  get texture(): GPUTexture {
    this.assertUsable('texture');
    return this.#core.texture;
  }

  /**
   * The host copy: `size` elements, row after row. It holds what the last {@link OpSyncLocal}
   * (or, for `Host` images, the last evaluation) brought back, or what you wrote into it. Throws
   * for `Storage` images and while a running evaluation transfers the image.
   */
  data(): ImageArrayFor<D> {
    this.assertUsable('data()');
    return this.#hostCopyFor('data()').view() as ImageArrayFor<D>;
  }

  /** Copies `values` into the host copy: exactly `size` values of this image's type. */
  setData(values: ImageArrayFor<D> | ArrayLike<number>): void {
    this.assertUsable('setData()');
    const copy = this.#hostCopyFor('setData()');
    const data = toImageArray('values', this.#dtype, values);
    if (data.length !== this.size) {
      throw new SizeError('values', `got ${data.length} values for a ${this.#width}×${this.#height}×${this.#channels} image of ${this.size}`, 'use rebuild() to change the size');
    }
    copy.write(data);
  }

  /**
   * Reallocates the image with new contents (`data`, exactly width × height × channels values)
   * or zeros (`null`), optionally with a new width and height. The dtype, channels and memory
   * type stay. Algorithms bound to the image pick up the new texture at their next dispatch.
   */
  rebuild(data: ImageArrayFor<D> | ArrayLike<number> | null, width: number = this.#width, height: number = this.#height): void {
    this.assertUsable('rebuild()');
    if (this.#core.hostCopy?.busy) {
      throw new StateError(`${this.label}.rebuild(): a running evaluation is transferring this image`, 'await it first');
    }
    checkImageExtent(this.context, width, height);
    const values = data === null ? undefined : checkImageData('data', this.#dtype, data, width * height * this.#layers * this.#channels);
    const fresh = this.#allocate(width, height, values, 'width');
    const old = this.#core;
    // Keep the same core object: the manager's registry is keyed by it.
    old.release();
    old.texture = fresh.texture;
    old.hostCopy = fresh.hostCopy;
    old.view = null;
    this.#width = width;
    this.#height = height;
    this.#generation++;
    this.context.bumpEpoch();
  }

  /** @internal */
  get generation(): number {
    return this.#generation;
  }

  /** @internal */
  get hostCopy(): ImageHostCopy | null {
    return this.#core.hostCopy;
  }

  /** @internal Images never wrap a user's texture. */
  get isExternal(): boolean {
    return false;
  }

  /** @internal Images have staging buffers of their own. */
  get arenaBytes(): number {
    return 0;
  }

  /** @internal */
  encodeUpload(stage: TransferStage): void {
    this.#core.hostCopy!.encodeUpload(stage.encoder, this.#core.texture);
  }

  /** @internal */
  encodeDownload(stage: TransferStage): void {
    this.#core.hostCopy!.encodeDownload(stage.encoder, this.#core.texture);
  }

  /** @internal A view of the whole texture, made once per texture (`2d-array` for a layered image, or when asked). */
  bindingResource(viewDimension?: ImageViewDimension): GPUBindingResource {
    const core = this.#core;
    const dimension = viewDimension ?? this.viewDimension;
    if (dimension !== this.viewDimension) return core.texture.createView({ label: this.label, dimension });
    core.view ??= core.texture.createView({ label: this.label, dimension });
    return core.view;
  }

  /** @internal The view dimension a binding of this image has by default. */
  get viewDimension(): ImageViewDimension {
    return this.#dimension === '3d' ? '3d' : this.#layers > 1 ? '2d-array' : '2d';
  }

  #hostCopyFor(action: string): ImageHostCopy {
    const copy = this.#core.hostCopy;
    if (!copy) {
      throw new StateError(`${this.label}.${action}: Storage images have no host copy`, 'create the image with { type: MemoryType.Device } (or Host) to read or write it from JavaScript');
    }
    return copy;
  }

  #allocate(width: number, height: number, data: ImageData | undefined, argument: string): ImageCore {
    const context = this.context;
    const format = this.format;
    const rowBytes = width * this.#channels * imageBytesPerElement(this.#dtype);
    const layers = this.#layers;
    const stagingBytes = paddedRowBytes(rowBytes) * height * layers;
    if (this.#memoryType !== MemoryType.Storage && stagingBytes > context.limits.maxBufferSize) {
      throw new SizeError(
        argument,
        `a ${width}×${height} ${format} image needs staging buffers of ${stagingBytes} bytes (rows padded to 256), over this device's maxBufferSize (${context.limits.maxBufferSize})`,
        'use a Storage image (no host copy), or split the image into tiles',
      );
    }
    const texture = context.capture(`creating ${this.label}`, () => {
      const t = context.ledger.createTexture(
        { label: this.label, size: { width, height, depthOrArrayLayers: layers }, format, usage: IMAGE_TEXTURE_USAGE, dimension: this.#dimension },
        rowBytes * height * layers,
      );
      // Storage images have no host copy: their initial data goes straight to the texture
      // (writeTexture has no 256-byte row rule).
      if (data && this.#memoryType === MemoryType.Storage) {
        context.device.queue.writeTexture({ texture: t }, data, { bytesPerRow: rowBytes, rowsPerImage: height }, { width, height, depthOrArrayLayers: layers });
      }
      return t;
    });
    const shape = { dtype: this.#dtype, width, height, layers, channels: this.#channels };
    const copy = this.#memoryType === MemoryType.Storage ? null : new ImageHostCopy(context.pool, context.device.queue, shape, this.label, data);
    return new ImageCore(context, texture, copy);
  }
}

/** Throws unless `channels` is 1, 2 or 4. */
export function checkChannels(channels: unknown): ImageChannels {
  if (channels === 1 || channels === 2 || channels === 4) return channels;
  const hint = channels === 3 ? 'WebGPU has no 3-channel storage formats: use 4 channels (RGBA) and ignore the fourth' : 'images have 1, 2 or 4 channels';
  throw new ArgumentError('channels', `must be 1, 2 or 4, got ${String(channels)}`, hint);
}

/** Throws unless width and height are positive integers within the device's texture limit. */
export function checkImageExtent(context: DeviceContext, width: unknown, height: unknown): void {
  const max = context.limits.maxTextureDimension2D;
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new ArgumentError(name, `must be a positive integer, got ${String(value)}`, 'images have at least one texel per row and one row');
    }
    if (value > max) throw new SizeError(name, `${value} exceeds this device's maxTextureDimension2D (${max})`, 'split the image into tiles');
  }
}

/** User data as a typed array of `dtype` with exactly `expected` elements. */
export function checkImageData(argument: string, dtype: ImageDType, values: ArrayLike<number>, expected: number): ImageData {
  const data = toImageArray(argument, dtype, values);
  if (data.length !== expected) {
    const what = data.length < expected ? 'too short' : 'too long';
    throw new SizeError(argument, `${what}: ${data.length} values for an image of ${expected} (width × height × channels)`, 'pass exactly width × height × channels values, row after row');
  }
  return data;
}
