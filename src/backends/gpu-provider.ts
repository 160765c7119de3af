import { UnsupportedError } from '../errors.js';

/**
 * The WebGPU entry point for this environment: the browser's `navigator.gpu` when present,
 * otherwise Dawn through the `webgpu` package (loaded only then, so browser bundles never see it).
 */
export async function acquireGpu(dawnFlags: readonly string[]): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  try {
    const { createDawnGpu } = await import('./node.js');
    return await createDawnGpu(dawnFlags);
  } catch (error) {
    throw new UnsupportedError(
      `no WebGPU implementation found (navigator.gpu is missing and Dawn could not be loaded: ${error instanceof Error ? error.message : String(error)})`,
      'in Node install the "webgpu" package; in a browser use one with WebGPU enabled',
    );
  }
}
