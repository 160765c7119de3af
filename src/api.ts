/**
 * The public API of kompute-ts, shared by both entry points: src/index.ts (Node, with Dawn) and
 * src/browser.ts (browsers). Add exports here, not to the entry points.
 * @module
 */
export { Manager } from './manager/manager.js';
export type { ManagerOptions, ExternalDeviceOptions } from './manager/manager-options.js';
export type { HostDataOption, HostDataPlacement } from './core/host-placement.js';
export type { MemoryReport } from './core/buffer-ledger.js';
export type { DeviceInfo } from './manager/device-info.js';
export type { GpuDevice } from './backends/gpu-devices.js';
export { runOnDevices, type WorkerFunction, type WorkerContext } from './manager/run-on-devices.js';
export type { RunOnDevicesOptions, WorkerOutcome, WorkerManagerOptions } from './backends/worker-protocol.js';
export { Tensor, type TensorOptions } from './memory/tensor.js';
export { TensorView, type TensorViewOptions } from './memory/tensor-view.js';
export { Memory } from './memory/memory.js';
export { Image, type ImageDimension, type ImageOptions } from './memory/image.js';
export { type ImageDType, type ImageChannels, type ImageArrayFor, type ImageData, type ImageDTypeFor, IMAGE_DTYPES } from './memory/image-format.js';
export { MemoryType } from './memory/memory-type.js';
export { DEFAULT_STAGING_POOL_BYTES } from './core/staging-pool.js';
export { type DType, type TypedArrayFor, type TensorData, DTYPES, bytesPerElement } from './memory/dtype.js';
export { float16BitsToFloat32, float32ToFloat16Bits } from './memory/float16.js';
export { Algorithm, type AlgorithmOptions } from './algorithm/algorithm.js';
export type { NamedTensors, BindingAccess } from './algorithm/generated-bindings.js';
export { MAX_PUSH_CONSTANT_BYTES, type PushConstants } from './algorithm/push-constants.js';
export type { AlgorithmResources, Bindable } from './algorithm/resources.js';
export { Sampler, type SamplerOptions } from './algorithm/sampler.js';
export { ParamBlock, type ParamsOptions } from './algorithm/param-block.js';
export type { StructValues } from './algorithm/struct-layout.js';
export type { SpecializationConstants } from './algorithm/constants.js';
export { defaultDispatch, shaderWorkgroupSize } from './algorithm/dispatch-size.js';
export { Sequence, type SequenceOptions, type OpTiming } from './sequence/sequence.js';
export { EncodeContext } from './operations/encode-context.js';
export { Operation } from './operations/operation.js';
export { OpSyncDevice } from './operations/op-sync-device.js';
export { OpSyncLocal } from './operations/op-sync-local.js';
export { OpCopy } from './operations/op-copy.js';
export { OpAlgoDispatch } from './operations/op-algo-dispatch.js';
export { OpMult } from './kernels/op-mult.js';
export { OpMemoryBarrier } from './operations/op-memory-barrier.js';
// Built-in kernels (matmul, map, reductions, softmax, scan, fill, iota).
export * from './kernels/index.js';
export {
  KomputeError,
  DestroyedError,
  DeviceLostError,
  ShaderCompileError,
  ValidationError,
  OutOfMemoryError,
  UnsupportedError,
  ArgumentError,
  SizeError,
  DTypeError,
  AlgorithmBindingError,
  StateError,
  WorkerError,
  type WorkerFailure,
  type ShaderMessage,
} from './errors.js';
export { StructType, type StructSchema, type StructSchemaType, type StructMember, type StructValue, type StructColumns } from './algorithm/struct-array.js';
export { consoleLogger, EVENT_LEVELS, type EventLevel, type EventKind, type KomputeEvent, type EventListener } from './core/events.js';
export { TraceRecorder, toChromeTrace, type Trace, type ChromeTrace, type ChromeTraceEvent } from './core/trace.js';
