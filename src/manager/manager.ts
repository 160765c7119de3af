import { type Algorithm, type AlgorithmOptions, createAlgorithm } from '../algorithm/algorithm.js';
import { createParamBlock, type ParamBlock, type ParamsOptions } from '../algorithm/param-block.js';
import type { AlgorithmResources } from '../algorithm/resources.js';
import { loadWgslReflect } from '../algorithm/wgsl-parse.js';
import { checkSamplerOptions, createSampler, type Sampler, type SamplerOptions } from '../algorithm/sampler.js';
import type { StructValues } from '../algorithm/struct-layout.js';
import { devicePlatform } from '../backends/device-platform.js';
import { type GpuDevice } from '../backends/gpu-devices.js';
import { BufferUsage } from '../backends/webgpu-constants.js';
import { ArgumentError, DTypeError, SizeError } from '../errors.js';
import { bytesPerElement, checkDType, type DType, type DTypeOf, dtypeOf, type TensorData, toTypedArray } from '../memory/dtype.js';
import { checkMemoryType, MemoryType } from '../memory/memory-type.js';
import { anyValue, checkOptions, describeValue, type OptionRules, stringValue, withArticle } from '../core/options.js';
import { checkLength, createTensor, paddedBytes, type Tensor, TENSOR_BUFFER_USAGE, type TensorOptions } from '../memory/tensor.js';
import { checkChannels, checkImageData, checkImageExtent, createImage, type Image, type ImageOptions } from '../memory/image.js';
import { checkImageDType, type ImageData, type ImageDType, type ImageDTypeFor, IMAGE_DTYPES, imageArrayFits, imageDTypeOf } from '../memory/image-format.js';
import type { Memory } from '../memory/memory.js';
import { OpSyncDevice } from '../operations/op-sync-device.js';
import { OpSyncLocal } from '../operations/op-sync-local.js';
import { createSequence, type Sequence, type SequenceOptions } from '../sequence/sequence.js';
import { debugFromEnvironment, SyncCheck } from '../sequence/sync-check.js';
import type { MemoryReport } from '../core/buffer-ledger.js';
import { DeviceContext } from '../core/device-context.js';
import { checkManagerOptions, type ExternalDeviceOptions, type ManagerOptions } from './manager-options.js';
import { requestOwnedDevice } from './open-device.js';
import { forgottenManagers, type ManagerHandle, tearDown } from './teardown.js';
import { $internal } from '../core/internal.js';
import { consoleLogger, defaultLogLevel, type EventLevel, type EventListener, isEventLevel } from '../core/events.js';
import { TraceRecorder } from '../core/trace.js';
import { rememberAdapterInfo } from '../core/subgroup-matrix.js';
import { type DeviceInfo, describeDevice } from './device-info.js';
import type { GPU, GPUAdapterInfo, GPUBuffer, GPUDevice } from '../backends/webgpu-types.js';

/**
 * The top owner of GPU resources. It creates tensors, algorithms and
 * sequences, tracks them weakly, and destroys whatever is still alive when it is destroyed:
 * sequences, then algorithms, then tensors, then the device if it created the device.
 */
export class Manager {
  readonly #context: DeviceContext;
  readonly #adapterInfo: GPUAdapterInfo | undefined;
  #selected: GpuDevice | undefined;
  /** What teardown needs (the device-lost handler and the finalizer hold it, never the Manager). */
  readonly #handle: ManagerHandle;

  private constructor(device: GPUDevice, owns: boolean, gpu: GPU | null, info: GPUAdapterInfo | undefined, options: ExternalDeviceOptions) {
    const context = new DeviceContext(device, options.stagingPoolBytes, options.hostData);
    if (options.onWarning) context.setWarningSink(options.onWarning);
    if (options.debug ?? debugFromEnvironment()) context.syncCheck = new SyncCheck((code, message) => context.warn(code, message));
    context.transfer = (memory, direction) => oneOffTransfer(context, memory as Memory, direction);
    const onLost = options.onDeviceLost;
    const handle: ManagerHandle = { context, ownsDevice: owns, gpu };
    this.#context = context;
    this.#handle = handle;
    this.#adapterInfo = info;
    rememberAdapterInfo(device, info);
    void device.lost.then((lost) => {
      // Our own teardown (destroy() or the finalizer) marks the context first, so this is a real loss.
      if (context.state !== 'alive') return;
      tearDown(handle, lost);
      onLost?.(context.lostError());
    });
    forgottenManagers.register(this, handle, this);
    const level = defaultLogLevel();
    if (level) context.events.on(consoleLogger(), level);
    if (context.events.enabled) {
      const name = [info?.vendor, info?.architecture, info?.device].filter(Boolean).join(' ') || 'unnamed adapter';
      context.events.emit('manager.created', 'info', `${owns ? 'created a device' : 'wraps a device'} on ${name}`, { data: { ownsDevice: owns } });
    }
  }

  /**
   * Calls `listener` with every event of this manager at `level` or above (default `debug`):
   * resources created, rebuilt, destroyed and collected, staging-pool reuse, each evaluation's
   * phases (validated, planned, encoded, submitted, waited, completed), map waits, device loss and
   * warnings. Returns the function that stops it. While no listener is registered nothing is
   * built or emitted. A console log in one line: `mgr.on(consoleLogger(), 'debug')`; in Node,
   * `KOMPUTE_TS_LOG=debug` does the same for every manager without a code change.
   */
  on(listener: EventListener, level: EventLevel = 'debug'): () => void {
    if (typeof listener !== 'function') throw new ArgumentError('listener', `expected a function, got ${typeof listener}`, 'pass (event) => ... or consoleLogger()');
    if (!isEventLevel(level)) throw new ArgumentError('level', `expected one of debug, info, warn, error, got ${String(level)}`, "e.g. mgr.on(consoleLogger(), 'info')");
    return this.#context.events.on(listener, level);
  }

  /**
   * Starts recording a timeline of this manager's evaluations: host spans for each phase and,
   * where the device has `timestamp-query`, the GPU time of every dispatch (the sequences are
   * timed while the trace records). `stop()` returns the {@link Trace}; `toChromeTrace(trace)`
   * writes it in the Chrome trace event format (Perfetto, chrome://tracing).
   */
  startTrace(): TraceRecorder {
    this.#context.assertAlive('startTrace()');
    return new TraceRecorder(this.#context.events, this.#context.features.has('timestamp-query'));
  }

  /**
   * Requests an adapter and a device that the manager owns (and destroys with itself). In a
   * browser it uses `navigator.gpu`; in Node, Dawn from the `webgpu` package.
   */
  static async create(options: ManagerOptions = {}): Promise<Manager> {
    checkManagerOptions(options, [
      'device',
      'powerPreference',
      'adapter',
      'requiredFeatures',
      'requiredLimits',
      'onDeviceLost',
      'gpu',
      'dawnFlags',
      'stagingPoolBytes',
      'debug',
      'onWarning',
      'hostData',
    ]);
    const reflection = loadWgslReflect();
    const { gpu, adapter, device, selected } = await requestOwnedDevice(options);
    // The WGSL reflection (its own chunk in a bundle) is loaded while the device is requested.
    await reflection.catch(() => undefined);
    const mgr = new Manager(device, true, gpu, adapter.info, options);
    mgr.#selected = selected;
    return mgr;
  }

  /**
   * Every GPU of the machine, identical ones included, with the index and (on Linux) the PCI
   * bus address that `Manager.create({ device })` accepts (Kompute's `listDevices()`). In a
   * browser: the one adapter it hands out, not selectable.
   */
  static listDevices(options: { readonly dawnFlags?: readonly string[] } = {}): Promise<GpuDevice[]> {
    checkManagerOptions(options, ['dawnFlags']);
    return devicePlatform().listDevices(options.dawnFlags ?? []);
  }

  /** The entry of {@link Manager.listDevices} this manager was opened on with `options.device`; undefined otherwise. */
  get selectedDevice(): GpuDevice | undefined {
    return this.#selected;
  }

  /**
   * Bring your own device: the manager creates and tracks resources on `device` and destroys
   * them on `destroy()`, but never destroys the device itself.
   */
  static fromDevice(device: GPUDevice, options: ExternalDeviceOptions = {}): Manager {
    if (!device || typeof device.createBuffer !== 'function') throw new ArgumentError('device', 'expected a GPUDevice', 'pass the device from adapter.requestDevice()');
    checkManagerOptions(options, ['onDeviceLost', 'adapterInfo', 'stagingPoolBytes', 'debug', 'onWarning', 'hostData']);
    const info = options.adapterInfo ?? (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    // Algorithms made before the WGSL reflection arrives are checked when it does.
    loadWgslReflect().catch(() => undefined);
    return new Manager(device, false, null, info, options);
  }

  /** The device in use (owned by the manager only when it was created by {@link Manager.create}). */
  get device(): GPUDevice {
    this.#context.assertAlive('device');
    return this.#context.device;
  }

  /** True when the manager created (and will destroy) its device. */
  get ownsDevice(): boolean {
    return this.#handle.ownsDevice;
  }

  /** True until the manager is destroyed or its device is lost. */
  isInit(): boolean {
    return this.#context.state === 'alive';
  }

  /**
   * A tensor from data: a typed array (`Float32Array` f32, `Int32Array` i32, `Uint32Array` u32,
   * `Uint16Array` f16 bits) or numbers (f32 unless `options.dtype` says otherwise). Or, with a
   * length and a dtype, a zero-filled tensor.
   */
  tensor<T extends TensorData>(data: T, options?: TensorOptions): Tensor<DTypeOf<T>>;
  tensor(data: readonly number[], options?: TensorOptions): Tensor;
  tensor<D extends DType>(length: number, dtype: D, options?: TensorOptions): Tensor<D>;
  tensor(dataOrLength: TensorData | readonly number[] | number, dtypeOrOptions?: DType | TensorOptions, maybeOptions?: TensorOptions): Tensor {
    this.#context.assertAlive('tensor()');
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
      return createTensor(this.#context, { dtype: dtypeOrOptions, size: length, type: checkMemoryType('options.type', options.type), label: options.label });
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
    return createTensor(this.#context, { dtype, size: data.length, type: checkMemoryType('options.type', options.type), data, label: options.label });
  }

  /**
   * Wraps a GPU buffer you own as a tensor of `length` elements. The manager never destroys it
   *; it needs STORAGE usage, and COPY_SRC | COPY_DST for sync operations.
   */
  tensorFromBuffer<D extends DType>(buffer: GPUBuffer, dtype: D, length: number, options?: TensorOptions): Tensor<D> {
    this.#context.assertAlive('tensorFromBuffer()');
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
    return createTensor(this.#context, { dtype, size: length, type, external: buffer, label: opts.label });
  }

  /**
   * A 2-D image of `width × height` texels with `channels` (1, 2 or 4) elements each. `data` is
   * `width × height × channels` values, row after row with a texel's channels side by side: a
   * typed array (`Float32Array` f32, `Int32Array` i32, `Uint32Array` u32, `Uint8Array` u8,
   * `Int8Array` i8, `Uint16Array` u16, `Int16Array` i16) or numbers (f32 unless `options.dtype`
   * says otherwise); `null` gives zeros of `options.dtype` (default f32).
   */
  image<T extends ImageData>(data: T, width: number, height: number, channels: 1 | 2 | 4, options?: ImageOptions): Image<ImageDTypeFor<T>>;
  image<D extends ImageDType = 'f32'>(data: readonly number[] | null, width: number, height: number, channels: 1 | 2 | 4, options?: ImageOptions & { readonly dtype?: D }): Image<D>;
  image(data: ImageData | readonly number[] | null, width: number, height: number, channels: 1 | 2 | 4, imageOptions?: ImageOptions): Image {
    this.#context.assertAlive('image()');
    const options = checkOptions('options', imageOptions, IMAGE_OPTIONS);
    checkImageExtent(this.#context, width, height);
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
    const max = (this.#context.limits as unknown as Record<string, number>)[limit] ?? 256;
    if (layers > max) throw new SizeError(dimension === '3d' ? 'options.depth' : 'options.layers', `${layers} exceeds this device's ${limit} (${max})`, 'split the image into several');
    const values = data === null ? undefined : checkImageData('data', dtype, data as ArrayLike<number>, width * height * layers * ch);
    return createImage(this.#context, {
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
    });
  }

  /**
   * An algorithm: a WGSL compute shader bound to resources. With an array (Kompute's form),
   * `resources[i]` is `@group(0) @binding(i)` (`undefined` leaves a hole). With an object, each
   * resource binds to the variable of that name the shader declares, in any group
   * (`{ params, input, output, samp }`), or to a key `'@group(g) @binding(b)'`; tensors under
   * names the shader does not declare get generated declarations (`var<storage, read|read_write>
   * a: array<f32>;` ..., group 0 in key order; see `options.access`). Resources are tensors,
   * images, samplers ({@link Manager.sampler}) and parameter blocks ({@link Manager.params}).
   */
  algorithm(resources: AlgorithmResources, wgsl: string, options?: AlgorithmOptions): Algorithm {
    this.#context.assertAlive('algorithm()');
    return createAlgorithm(this.#context, resources, wgsl, options);
  }

  /** A texture sampler for `var s: sampler;` (or `sampler_comparison` with `compare`); `descriptor` is WebGPU's. */
  sampler(descriptor?: SamplerOptions): Sampler {
    this.#context.assertAlive('sampler()');
    return createSampler(this.#context, checkSamplerOptions(descriptor));
  }

  /**
   * A parameter block for a `var<uniform>` struct: values by member name (`{ deltaT: 0.04 }`) or
   * numbers in member order, laid out from the struct the first algorithm it is bound to
   * declares (offsets, vectors, matrices, f32 / i32 / u32 / f16; integers range-checked).
   */
  params(values: StructValues, options: ParamsOptions = {}): ParamBlock {
    this.#context.assertAlive('params()');
    if (typeof options !== 'object' || options === null) throw new ArgumentError('options', 'expected an options object', 'pass { label } or nothing');
    for (const key of Object.keys(options)) if (key !== 'label') throw new ArgumentError(`options.${key}`, 'is not a params option', 'the only option is label');
    return createParamBlock(this.#context, values, options);
  }

  /** A sequence to record operations into and evaluate. */
  sequence(options?: SequenceOptions): Sequence {
    this.#context.assertAlive('sequence()');
    return createSequence(this.#context, checkOptions('options', options, SEQUENCE_OPTIONS, ''));
  }

  /** The adapter's vendor, architecture, description, and the device's features and limits. */
  deviceInfo(): DeviceInfo {
    this.#context.assertAlive('deviceInfo()');
    return describeDevice(this.#adapterInfo, this.#context.device);
  }

  /** Live resources and bytes on the device, exact at every moment. */
  memory(): MemoryReport {
    const { registry, ledger } = this.#context;
    const bytes = ledger.bytes();
    const otherBytes = bytes.uniform + bytes.query;
    return {
      tensors: registry.count('tensor'),
      algorithms: registry.count('algorithm'),
      sequences: registry.count('sequence'),
      images: registry.count('image'),
      views: registry.count('view'),
      samplers: registry.count('sampler'),
      params: registry.count('params'),
      paramBytes: bytes.params,
      deviceBytes: bytes.device,
      imageBytes: bytes.texture,
      stagingBytes: bytes.staging,
      otherBytes,
      poolBytes: bytes.pool,
      totalBytes: bytes.device + bytes.texture + bytes.staging + otherBytes + bytes.pool + bytes.params,
    };
  }

  /**
   * Frees the idle buffers kept for reuse: staging buffers, and destroyed tensors' GPU buffers
   * (`memory().poolBytes` becomes 0). Never needed
   * for correctness: the pool is bounded by the `stagingPoolBytes` option and freed on destroy().
   */
  trimStagingPool(): void {
    this.#context.assertAlive('trimStagingPool()');
    this.#context.pool.trim();
  }

  /**
   * Destroys every resource the manager created (sequences, algorithms, tensors, images; evaluations in
   * flight reject with DestroyedError), then the device if the manager created it, and drops the
   * Dawn instance so a Node process can exit. Idempotent and quiet.
   */
  destroy(): void {
    if (this.#context.state === 'destroyed') return;
    forgottenManagers.unregister(this);
    const context = this.#context;
    if (context.events.enabled && context.state === 'alive') context.events.emit('manager.destroyed', 'info', 'destroying the manager and everything it holds');
    tearDown(this.#handle, null);
  }

  [Symbol.dispose](): void {
    this.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.destroy();
  }

  /** @internal For tests (src/core/internal.ts): the WebGPU entry point held (null once destroyed). */
  get [$internal](): { readonly heldGpu: GPU | null } {
    const handle = this.#handle;
    return {
      get heldGpu() {
        return handle.gpu;
      },
    };
  }
}

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
const SEQUENCE_OPTIONS: OptionRules = { timestamps: (v) => (typeof v === 'boolean' ? null : 'true or false'), label: stringValue };

/** True for what looks like an options object given where a dtype name belongs. */
function isOptionsLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/** `tensor.read()` / `write()`: one sync operation on a sequence of its own, destroyed after. */
async function oneOffTransfer(context: DeviceContext, memory: Memory, direction: 'upload' | 'download'): Promise<void> {
  const sequence = createSequence(context);
  try {
    await sequence.eval(direction === 'upload' ? new OpSyncDevice([memory]) : new OpSyncLocal([memory]));
  } finally {
    sequence.destroy();
  }
}
