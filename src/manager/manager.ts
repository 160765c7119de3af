import { type Algorithm, type AlgorithmOptions, createAlgorithm } from '../algorithm/algorithm.js';
import { createParamBlock, type ParamBlock, type ParamsOptions } from '../algorithm/param-block.js';
import type { AlgorithmResources } from '../algorithm/resources.js';
import { loadWgslReflect } from '../algorithm/wgsl-parse.js';
import { checkSamplerOptions, createSampler, type Sampler, type SamplerOptions } from '../algorithm/sampler.js';
import type { StructValues } from '../algorithm/struct-layout.js';
import { devicePlatform } from '../backends/device-platform.js';
import { type GpuDevice } from '../backends/gpu-devices.js';
import { ArgumentError } from '../errors.js';
import { type DType, type DTypeOf, type TensorData } from '../memory/dtype.js';
import { checkOptions, type OptionRules, stringValue } from '../core/options.js';
import { createTensor, type Tensor, type TensorOptions } from '../memory/tensor.js';
import { createImage, type Image, type ImageOptions } from '../memory/image.js';
import { type ImageData, type ImageDType, type ImageDTypeFor } from '../memory/image-format.js';
import type { Memory } from '../memory/memory.js';
import { OpSyncDevice } from '../operations/op-sync-device.js';
import { OpSyncLocal } from '../operations/op-sync-local.js';
import { createSequence, type Sequence, type SequenceOptions } from '../sequence/sequence.js';
import { debugFromEnvironment, SyncCheck } from '../sequence/sync-check.js';
import type { MemoryReport } from '../core/buffer-ledger.js';
import { DeviceContext } from '../core/device-context.js';
import { checkManagerOptions, type ExternalDeviceOptions, type ManagerOptions } from './manager-options.js';
import { externalTensorInit, imageInit, tensorInit } from './resource-args.js';
import { requestOwnedDevice } from './open-device.js';
import { forgottenManagers, type ManagerHandle, tearDown } from './teardown.js';
import { $internal } from '../core/internal.js';
import { consoleLogger, defaultLogLevel, type EventLevel, type EventListener, isEventLevel } from '../core/events.js';
import { TraceRecorder } from '../core/trace.js';
import { rememberAdapterInfo } from '../core/adapter-info.js';
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
    return createTensor(this.#context, tensorInit(dataOrLength, dtypeOrOptions, maybeOptions));
  }

  /**
   * Wraps a GPU buffer you own as a tensor of `length` elements. The manager never destroys it
   *; it needs STORAGE usage, and COPY_SRC | COPY_DST for sync operations.
   */
  tensorFromBuffer<D extends DType>(buffer: GPUBuffer, dtype: D, length: number, options?: TensorOptions): Tensor<D> {
    this.#context.assertAlive('tensorFromBuffer()');
    return createTensor(this.#context, externalTensorInit(buffer, dtype, length, options));
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
    return createImage(this.#context, imageInit(this.#context, data, width, height, channels, imageOptions));
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

const SEQUENCE_OPTIONS: OptionRules = { timestamps: (v) => (typeof v === 'boolean' ? null : 'true or false'), label: stringValue };

/** `tensor.read()` / `write()`: one sync operation on a sequence of its own, destroyed after. */
async function oneOffTransfer(context: DeviceContext, memory: Memory, direction: 'upload' | 'download'): Promise<void> {
  const sequence = createSequence(context);
  try {
    await sequence.eval(direction === 'upload' ? new OpSyncDevice([memory]) : new OpSyncLocal([memory]));
  } finally {
    sequence.destroy();
  }
}
