/**
 * What a device offers for subgroup matrices (matrix units): the feature name, and the shapes the
 * adapter lists. Ground floor: the manager records the adapter info, the int8 kernels read it.
 * @module
 */
import type { GPUDevice } from '../backends/webgpu-types.js';
import { rememberedAdapterInfo } from './adapter-info.js';
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

type InfoWithConfigs = { subgroupMatrixConfigs?: readonly SubgroupMatrixConfig[] };

/** The subgroup matrix shapes and types `device` supports; empty without {@link SUBGROUP_MATRIX_FEATURE}. */
export function subgroupMatrixConfigsOf(device: GPUDevice): readonly SubgroupMatrixConfig[] {
  if (!device.features.has(SUBGROUP_MATRIX_FEATURE)) return [];
  const remembered = rememberedAdapterInfo(device) as InfoWithConfigs | undefined;
  const own = (device as GPUDevice & { adapterInfo?: InfoWithConfigs }).adapterInfo;
  const configs = remembered?.subgroupMatrixConfigs?.length ? remembered.subgroupMatrixConfigs : (own?.subgroupMatrixConfigs ?? []);
  // Dawn's config objects keep their fields in getters: copy them into plain objects.
  return [...configs].map((c) => ({ componentType: c.componentType, resultComponentType: c.resultComponentType, M: c.M, N: c.N, K: c.K }));
}
