/**
 * The adapter info of each device, as the manager recorded it from `adapter.info`: Dawn's
 * `device.adapterInfo` leaves `subgroupMatrixConfigs` empty, while the adapter's own info lists
 * them, and kernels choose their shape from the vendor.
 * @module
 */
import type { GPUAdapterInfo, GPUDevice } from '../backends/webgpu-types.js';

const adapterInfos = new WeakMap<GPUDevice, GPUAdapterInfo>();

/** Records the adapter info of `device` (from `adapter.info`). */
export function rememberAdapterInfo(device: GPUDevice, info: GPUAdapterInfo | undefined): void {
  if (info && typeof device === 'object' && device !== null) adapterInfos.set(device, info);
}

/** The adapter info recorded for `device`, if any. */
export function rememberedAdapterInfo(device: GPUDevice): GPUAdapterInfo | undefined {
  return adapterInfos.get(device);
}

/** The adapter info of `device`: what the manager recorded, else the device's own `adapterInfo`. */
export function adapterInfoOf(device: GPUDevice): GPUAdapterInfo | undefined {
  return adapterInfos.get(device) ?? (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
}
