/** What `mgr.deviceInfo()` reports (Kompute's `getDeviceProperties`). */
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
 * Optional features requested whenever the adapter offers them. Dawn offers the experimental
 * `chromium-experimental-subgroup-matrix` (OpMatMulInt8) only under the allow_unsafe_apis flag.
 */
export const USEFUL_FEATURES = ['timestamp-query', 'shader-f16', 'subgroups', 'texture-formats-tier1', 'texture-formats-tier2', 'chromium-experimental-subgroup-matrix'] as const;

/** Reads the limits that matter for compute into a plain object. */
export function readLimits(limits: GPUSupportedLimits): Record<string, number> {
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

/** The device feature of Dawn's subgroup matrices (matrix units, tensor cores on NVIDIA). */
export const SUBGROUP_MATRIX_FEATURE = 'chromium-experimental-subgroup-matrix';

/** One entry of `GPUAdapterInfo.subgroupMatrixConfigs`: `M × K` · `K × N` → `M × N`. */
export interface SubgroupMatrixConfig {
  readonly componentType: string;
  readonly resultComponentType: string;
  readonly M: number;
  readonly N: number;
  readonly K: number;
}

/**
 * Adapter info by device, recorded by the manager: Dawn's `device.adapterInfo` leaves
 * `subgroupMatrixConfigs` empty, while the adapter's own info lists them.
 */
const adapterInfos = new WeakMap<GPUDevice, GPUAdapterInfo>();

/** Records the adapter info of `device` (from `adapter.info`) for {@link subgroupMatrixConfigsOf}. */
export function rememberAdapterInfo(device: GPUDevice, info: GPUAdapterInfo | undefined): void {
  if (info && typeof device === 'object' && device !== null) adapterInfos.set(device, info);
}

type InfoWithConfigs = { subgroupMatrixConfigs?: readonly SubgroupMatrixConfig[] };

/** The subgroup matrix shapes and types `device` supports; empty without {@link SUBGROUP_MATRIX_FEATURE}. */
export function subgroupMatrixConfigsOf(device: GPUDevice): readonly SubgroupMatrixConfig[] {
  if (!device.features.has(SUBGROUP_MATRIX_FEATURE)) return [];
  const remembered = adapterInfos.get(device) as InfoWithConfigs | undefined;
  const own = (device as GPUDevice & { adapterInfo?: InfoWithConfigs }).adapterInfo;
  const configs = remembered?.subgroupMatrixConfigs?.length ? remembered.subgroupMatrixConfigs : (own?.subgroupMatrixConfigs ?? []);
  // Dawn's config objects keep their fields in getters: copy them into plain objects.
  return [...configs].map((c) => ({ componentType: c.componentType, resultComponentType: c.resultComponentType, M: c.M, N: c.N, K: c.K }));
}
