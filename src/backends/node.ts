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
 *
 * `webgpu` is an optional peer dependency (132 MB with every platform's binary, which browser-only
 * users must not download): Node users install it beside kompute-ts (`npm install kompute-ts
 * webgpu`); without it, `Manager.create()` throws an UnsupportedError that says so.
 */
import { UnsupportedError } from '../errors.js';
import { setDevicePlatform } from './device-platform.js';
import { setFallbackGpuProvider } from './gpu-provider.js';
import { nodeDevicePlatform } from './node-devices.js';
import type { GPU } from './webgpu-types.js';
import { requestLogLevel } from './log-request.js';

// KOMPUTE_TS_LOG=debug|info|warn|error logs every manager's events to stderr, no code change needed.
requestLogLevel(process.env.KOMPUTE_TS_LOG);

const instances = new Map<string, Promise<GPU>>();

export function createDawnGpu(flags: readonly string[]): Promise<GPU> {
  const key = flags.join('\n');
  let gpu = instances.get(key);
  if (!gpu) {
    gpu = loadDawn().then(({ create }) => create([...flags]));
    gpu.catch(() => instances.delete(key));
    instances.set(key, gpu);
  }
  return gpu;
}

setFallbackGpuProvider(createDawnGpu);
setDevicePlatform(nodeDevicePlatform(createDawnGpu));

/** The hint of the error thrown when the `webgpu` package is not installed. */
export const INSTALL_DAWN_HINT = 'install Dawn, the WebGPU implementation for Node, beside kompute-ts: npm install webgpu (or pass options.gpu / Manager.fromDevice() with a WebGPU of your own)';

async function loadDawn(): Promise<typeof import('webgpu')> {
  try {
    return await import('webgpu');
  } catch (error) {
    if (isMissingPackage(error)) throw new UnsupportedError("no WebGPU implementation for Node: the optional peer dependency 'webgpu' (Dawn) is not installed", INSTALL_DAWN_HINT);
    throw error;
  }
}

function isMissingPackage(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && typeof message === 'string' && message.includes("'webgpu'");
}
