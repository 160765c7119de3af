import { describeValue, isOwnName } from '../core/options.js';
import { ArgumentError } from '../errors.js';

/**
 * Where a tensor's data lives, after Kompute's `Memory::MemoryTypes`.
 *
 * - `Device`: a GPU buffer plus host staging; {@link OpSyncDevice} and {@link OpSyncLocal} move
 *   data between them. The default.
 * - `Host` and `DeviceAndHost`: the host data is kept coherent with the GPU automatically: each
 *   evaluation uploads it before and downloads it after the operations that use the tensor, so
 *   the sync operations are no-ops. (WebGPU has no host-coherent GPU memory, so the two behave
 *   the same; both names exist for Kompute code.)
 * - `Storage`: GPU only; there is no host copy and `data()` throws.
 */
export const MemoryType = {
  Device: 'Device',
  Host: 'Host',
  DeviceAndHost: 'DeviceAndHost',
  Storage: 'Storage',
} as const;

/** One of the {@link MemoryType} values. */
export type MemoryType = (typeof MemoryType)[keyof typeof MemoryType];

/** True when the host copy is kept coherent around each evaluation without sync operations. */
export function isHostCoherent(type: MemoryType): boolean {
  return type === MemoryType.Host || type === MemoryType.DeviceAndHost;
}

/** The memory type `type` names (default `Device`), or an ArgumentError naming `argument`. */
export function checkMemoryType(argument: string, type: unknown): MemoryType {
  if (type === undefined) return MemoryType.Device;
  if (isOwnName(MemoryType, type)) return MemoryType[type];
  throw new ArgumentError(argument, `unknown memory type ${describeValue(type)}`, `use one of ${Object.keys(MemoryType).join(', ')} (MemoryType.Device, ...)`);
}
