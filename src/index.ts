/**
 * kompute-ts: general-purpose GPU compute for TypeScript on WebGPU, after Kompute's design.
 *
 * A {@link Manager} owns every GPU resource it creates: {@link Tensor}s (typed GPU memory),
 * {@link Algorithm}s (WGSL compute shaders bound to tensors) and {@link Sequence}s (recorded
 * operations evaluated on the GPU).
 * @module
 */
export { Manager, type ManagerOptions, type ExternalDeviceOptions } from './manager/manager.js';
export type { MemoryReport } from './manager/buffer-ledger.js';
export type { DeviceInfo } from './manager/device-info.js';
export { Tensor, type TensorOptions } from './memory/tensor.js';
export { MemoryType } from './memory/memory-type.js';
export { type DType, type TypedArrayFor, type TensorData, DTYPES, bytesPerElement } from './memory/dtype.js';
export { float16BitsToFloat32, float32ToFloat16Bits } from './memory/float16.js';
export { Algorithm, type AlgorithmOptions } from './algorithm/algorithm.js';
export { MAX_PUSH_CONSTANT_BYTES, type PushConstants } from './algorithm/push-constants.js';
export { Sequence, type SequenceOptions, type OpTiming } from './sequence/sequence.js';
export { EncodeContext } from './sequence/encode-context.js';
export { Operation } from './operations/operation.js';
export { OpSyncDevice } from './operations/op-sync-device.js';
export { OpSyncLocal } from './operations/op-sync-local.js';
export { OpCopy } from './operations/op-copy.js';
export { OpAlgoDispatch } from './operations/op-algo-dispatch.js';
export { OpMult } from './operations/op-mult.js';
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
  type ShaderMessage,
} from './errors.js';
