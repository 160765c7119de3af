/**
 * Node.js: WebGPU through Dawn (npm package `webgpu`).
 *
 * One Dawn instance per set of flags serves every manager of the process. Managers used to own
 * an instance each and drop it on destroy(), but Dawn (webgpu 0.6.2) can abort or deadlock the
 * process when a dropped instance is garbage collected while another one is in use; a held
 * instance does not keep Node from exiting, so sharing costs nothing. The instance is kept in
 * this module, never on `globalThis`.
 *
 * Importing this module installs Dawn as the fallback WebGPU provider, and Dawn's device listing,
 * selection and worker processes (./node-devices.ts); only the Node entry point
 * (src/index.ts) imports it, so browser bundles never reach the `webgpu` package.
 */
import { setDevicePlatform } from './device-platform.js';
import { setFallbackGpuProvider } from './gpu-provider.js';
import { nodeDevicePlatform } from './node-devices.js';

const instances = new Map<string, Promise<GPU>>();

export function createDawnGpu(flags: readonly string[]): Promise<GPU> {
  const key = flags.join('\n');
  let gpu = instances.get(key);
  if (!gpu) {
    gpu = import('webgpu').then(({ create }) => create([...flags]));
    gpu.catch(() => instances.delete(key));
    instances.set(key, gpu);
  }
  return gpu;
}

setFallbackGpuProvider(createDawnGpu);
setDevicePlatform(nodeDevicePlatform(createDawnGpu));
