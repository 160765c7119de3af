import { UnsupportedError } from '../errors.js';

/** Supplies a WebGPU entry point where there is no `navigator.gpu` (in Node: Dawn). */
type GpuProvider = (dawnFlags: readonly string[]) => Promise<GPU>;

// Set by the Node entry point (src/index.ts, through ./node.ts). The core never imports a
// Node-only module itself, so a browser bundle of src/browser.ts cannot reach Dawn or node:*.
let fallbackProvider: GpuProvider | null = null;

/** Installs the provider used when `navigator.gpu` is missing (the Node entry point installs Dawn). */
export function setFallbackGpuProvider(provider: GpuProvider): void {
  fallbackProvider = provider;
}

/**
 * The WebGPU entry point for this environment: the browser's `navigator.gpu` when present,
 * otherwise the fallback provider (Dawn when the library was loaded through its Node entry).
 */
export async function acquireGpu(dawnFlags: readonly string[]): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (!fallbackProvider) {
    throw new UnsupportedError(
      'no WebGPU implementation found (navigator.gpu is missing)',
      'in a browser use one with WebGPU enabled (served over https or from localhost); in Node use the Node entry of the package (the default there), which installs Dawn, or pass options.gpu',
    );
  }
  try {
    return await fallbackProvider(dawnFlags);
  } catch (error) {
    throw new UnsupportedError(
      `no WebGPU implementation found (navigator.gpu is missing and Dawn could not be loaded: ${error instanceof Error ? error.message : String(error)})`,
      'in Node install the "webgpu" package; in a browser use one with WebGPU enabled',
    );
  }
}
