import { UnsupportedError } from '../errors.js';
import { acquireGpu } from './gpu-provider.js';
import type { GpuDevice } from './gpu-devices.js';
import type { RunOnDevicesOptions, WorkerOutcome } from './worker-protocol.js';

/** An adapter opened on the GPU a `device` option named, with the WebGPU entry point it came from. */
export interface SelectedAdapter {
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GpuDevice;
}

/**
 * What the platform offers for several GPUs: listing them, opening one, and running one worker
 * process per GPU. The Node entry installs Dawn's (src/backends/node-devices.ts); the default is
 * what a browser allows: the one adapter it hands out, no selection, no processes.
 */
export interface DevicePlatform {
  listDevices(dawnFlags: readonly string[]): Promise<GpuDevice[]>;
  openDevice(selector: number | string, dawnFlags: readonly string[], request: GPURequestAdapterOptions): Promise<SelectedAdapter>;
  runOnDevices<I, R>(options: RunOnDevicesOptions<I>): Promise<WorkerOutcome<R>[]>;
}

const BROWSER_HINT = 'a browser hands out one adapter and picks it itself (ask with powerPreference); to choose among GPUs by index or PCI address, run in Node on Linux';

const browserPlatform: DevicePlatform = {
  async listDevices(dawnFlags) {
    const gpu = await acquireGpu(dawnFlags);
    const adapter = await gpu.requestAdapter();
    if (!adapter) return [];
    const info = adapter.info;
    const software = Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter);
    return [{ index: 0, vendor: info.vendor, name: info.device || info.description, kind: software ? 'software' : 'gpu', selectable: false, selectHint: BROWSER_HINT }];
  },
  async openDevice() {
    throw new UnsupportedError('this platform cannot select a GPU (options.device)', BROWSER_HINT);
  },
  async runOnDevices() {
    throw new UnsupportedError('runOnDevices needs Node.js (one child process per GPU)', 'in a browser create one Manager; in Node import kompute-ts through its Node entry (the default there)');
  },
};

let platform: DevicePlatform = browserPlatform;

/** Installs the platform's implementation (the Node entry installs Dawn's). */
export function setDevicePlatform(p: DevicePlatform): void {
  platform = p;
}

/** The platform's implementation in use. */
export function devicePlatform(): DevicePlatform {
  return platform;
}
