import { type SubgroupMatrixConfig, subgroupMatrixConfigsOf } from '../core/subgroup-matrix.js';

/** What `mgr.deviceInfo()` reports (Kompute's `getDeviceProperties`). */
import type { GPUAdapterInfo, GPUDevice, GPUSupportedLimits } from '../backends/webgpu-types.js';
export interface DeviceInfo {
  /** The adapter's vendor, e.g. `nvidia` or `mesa` (empty when unknown). */
  readonly vendor: string;
  /** The adapter's architecture, e.g. `software` (empty when unknown). */
  readonly architecture: string;
  /** The device's name or id (empty when unknown). */
  readonly device: string;
  /** A human-readable description of the adapter (driver and version for Dawn). */
  readonly description: string;
  /** Features enabled on the device. */
  readonly features: readonly string[];
  /** The device's limits, by name. */
  readonly limits: Readonly<Record<string, number>>;
  /**
   * The subgroup matrix shapes and types the device supports (Dawn's `subgroupMatrixConfigs`, e.g.
   * `{ componentType: 'i8', resultComponentType: 'i32', M: 16, N: 16, K: 32 }`); empty unless the
   * device has `chromium-experimental-subgroup-matrix`.
   */
  readonly subgroupMatrixConfigs: readonly SubgroupMatrixConfig[];
}

const LIMIT_NAMES = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
  'maxBindGroups',
  'maxBindingsPerBindGroup',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageTexturesPerShaderStage',
  'maxTextureDimension2D',
  'minStorageBufferOffsetAlignment',
  'minUniformBufferOffsetAlignment',
] as const;

/**
 * Optional features requested whenever the adapter offers them (`float32-filterable`: a filtering
 * sampler on an f32 image; `bgra8unorm-storage`: `bgra8unorm` storage images). Dawn offers the experimental
 * `chromium-experimental-subgroup-matrix` (OpMatMulInt8) only under the allow_unsafe_apis flag.
 */
export const USEFUL_FEATURES = [
  'timestamp-query',
  'shader-f16',
  'subgroups',
  'texture-formats-tier1',
  'texture-formats-tier2',
  'float32-filterable',
  'bgra8unorm-storage',
  'chromium-experimental-subgroup-matrix',
] as const;

/** Reads the limits that matter for compute into a plain object. */
function readLimits(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of LIMIT_NAMES) {
    const value = (limits as unknown as Record<string, number | undefined>)[name];
    if (typeof value === 'number') out[name] = value;
  }
  return out;
}

/** Builds the report from adapter info (when known) and the device. */
export function describeDevice(info: GPUAdapterInfo | undefined, device: GPUDevice): DeviceInfo {
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    features: [...(device.features as unknown as Iterable<string>)].sort(),
    limits: readLimits(device.limits),
    subgroupMatrixConfigs: subgroupMatrixConfigsOf(device),
  };
}
