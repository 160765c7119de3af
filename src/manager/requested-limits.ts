import type { GPUSupportedLimits } from '../backends/webgpu-types.js';
/**
 * The limits `Manager.create()` asks `requestDevice` for. Written against the WebGPU spec rather
 * than one implementation: Dawn (Node, Chromium), wgpu (Deno) and bun-webgpu (Bun) report and
 * validate limits differently.
 */

/**
 * The WebGPU spec's default of each limit this module may request (the value a device gets when
 * the limit is not asked for). `max*` limits are better when higher, `min*` ones when lower.
 */
export const SPEC_DEFAULT_LIMITS: Readonly<Record<string, number>> = {
  maxTextureDimension1D: 8192,
  maxTextureDimension2D: 8192,
  maxTextureDimension3D: 2048,
  maxTextureArrayLayers: 256,
  maxBindGroups: 4,
  maxBindGroupsPlusVertexBuffers: 24,
  maxBindingsPerBindGroup: 1000,
  maxDynamicUniformBuffersPerPipelineLayout: 8,
  maxDynamicStorageBuffersPerPipelineLayout: 4,
  maxSampledTexturesPerShaderStage: 16,
  maxSamplersPerShaderStage: 16,
  maxStorageBuffersPerShaderStage: 8,
  maxStorageBuffersInVertexStage: 8,
  maxStorageBuffersInFragmentStage: 8,
  maxStorageTexturesPerShaderStage: 4,
  maxStorageTexturesInVertexStage: 4,
  maxStorageTexturesInFragmentStage: 4,
  maxUniformBuffersPerShaderStage: 12,
  maxUniformBufferBindingSize: 65536,
  maxStorageBufferBindingSize: 134217728,
  minUniformBufferOffsetAlignment: 256,
  minStorageBufferOffsetAlignment: 256,
  maxVertexBuffers: 8,
  maxBufferSize: 268435456,
  maxVertexAttributes: 16,
  maxVertexBufferArrayStride: 2048,
  maxInterStageShaderVariables: 16,
  maxColorAttachments: 8,
  maxColorAttachmentBytesPerSample: 32,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 256,
  maxComputeWorkgroupSizeZ: 64,
  maxComputeWorkgroupsPerDimension: 65535,
};

/** Compute limits the manager raises to the adapter's maxima unless told otherwise. */
const RAISED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageTexturesPerShaderStage',
] as const;

/** True when `a` is a better value of limit `name` than `b`. */
export function isBetterLimit(name: string, a: number, b: number): boolean {
  return name.startsWith('min') ? a < b : a > b;
}

/**
 * Each of {@link RAISED_LIMITS} at the adapter's value, where that is better than the spec's
 * default (a limit at its default is not asked for).
 */
export function raisedLimits(adapterLimits: GPUSupportedLimits): Record<string, number> {
  const offered = adapterLimits as unknown as Record<string, unknown>;
  const limits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const value = offered[name];
    const fallback = SPEC_DEFAULT_LIMITS[name];
    if (typeof value === 'number' && fallback !== undefined && isBetterLimit(name, value, fallback)) limits[name] = value;
  }
  return limits;
}

/**
 * Completes a non-empty `requiredLimits` with each limit the adapter offers *below* the spec's
 * default, at the adapter's value. This is for bindings that fill every limit left out of
 * `requiredLimits` with the spec default and then reject it as beyond the adapter: bun-webgpu
 * 0.1.7 over lavapipe reports `maxStorageBuffersInFragmentStage` 0, then refuses the default 8 it
 * filled in itself ("Value must be between 0 and 0, got 8"). Asking for a value worse than the
 * default is allowed by the spec (the device gets the default), so on a conforming adapter this
 * adds nothing.
 */
export function completeLimits(adapterLimits: GPUSupportedLimits, limits: Record<string, number>): Record<string, number> {
  if (Object.keys(limits).length === 0) return limits;
  const offered = adapterLimits as unknown as Record<string, unknown>;
  const out = { ...limits };
  for (const [name, fallback] of Object.entries(SPEC_DEFAULT_LIMITS)) {
    const value = offered[name];
    if (!(name in out) && typeof value === 'number' && isBetterLimit(name, fallback, value)) out[name] = value;
  }
  return out;
}
