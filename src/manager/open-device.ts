import { devicePlatform } from '../backends/device-platform.js';
import { checkDeviceSelector, type GpuDevice } from '../backends/gpu-devices.js';
import { acquireGpu } from '../backends/gpu-provider.js';
import type { GPU, GPUAdapter, GPUDevice } from '../backends/webgpu-types.js';
import { ArgumentError, UnsupportedError } from '../errors.js';
import { USEFUL_FEATURES } from './device-info.js';
import type { ManagerOptions } from './manager-options.js';
import { completeLimits, raisedLimits } from './requested-limits.js';

/** What `Manager.create()` opens: the WebGPU entry point, the adapter, the device it owns, and the listed GPU it selected. */
export interface OwnedDevice {
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly selected: GpuDevice | undefined;
}

/**
 * Picks the adapter (`options.device`, `gpu`, `powerPreference`, `adapter` filter), checks the
 * required features and limits against it, and requests a device with the useful features it
 * offers and the compute limits raised to its maxima.
 */
export async function requestOwnedDevice(options: ManagerOptions): Promise<OwnedDevice> {
  const request: GPURequestAdapterOptions = {};
  if (options.powerPreference) request.powerPreference = options.powerPreference;
  let gpu: GPU;
  let adapter: GPUAdapter | null;
  let selected: GpuDevice | undefined;
  if (options.device !== undefined) {
    if (options.gpu) throw new ArgumentError('device', 'cannot be combined with options.gpu', 'the GPU object you pass already decides the adapter: leave one of them out');
    const opened = await devicePlatform().openDevice(checkDeviceSelector(options.device), options.dawnFlags ?? [], request);
    ({ gpu, adapter, device: selected } = opened);
  } else {
    gpu = options.gpu ?? (await acquireGpu(options.dawnFlags ?? []));
    adapter = await gpu.requestAdapter(request);
  }
  if (!adapter) {
    throw new UnsupportedError('no WebGPU adapter was found', "on Linux without a GPU install Mesa's lavapipe (bash scripts/install-lavapipe.sh); with a GPU, check its Vulkan driver");
  }
  const info = adapter.info;
  if (options.adapter !== undefined) {
    const wanted = options.adapter.toLowerCase();
    const text = [info.vendor, info.architecture, info.device, info.description].join(' ').toLowerCase();
    if (!text.includes(wanted)) {
      throw new UnsupportedError(`no adapter matches '${options.adapter}'`, `the adapter found is: ${text.trim() || 'unnamed'}`);
    }
  }
  const available = new Set(adapter.features as unknown as Iterable<string>);
  const missing = (options.requiredFeatures ?? []).filter((f) => !available.has(f));
  if (missing.length > 0) {
    throw new UnsupportedError(`the adapter lacks the required feature(s) ${missing.join(', ')}`, `it offers: ${[...available].sort().join(', ')}`);
  }
  const features = new Set<string>([...(options.requiredFeatures ?? []), ...USEFUL_FEATURES.filter((f) => available.has(f))]);
  const limits = raisedLimits(adapter.limits);
  const adapterLimits = adapter.limits as unknown as Record<string, number>;
  for (const [name, value] of Object.entries(options.requiredLimits ?? {})) {
    const max = adapterLimits[name];
    if (typeof max !== 'number') throw new UnsupportedError(`unknown limit ${name}`, 'see GPUSupportedLimits for the names');
    const isMin = name.startsWith('min');
    if (isMin ? value < max : value > max) {
      throw new UnsupportedError(`requiredLimits.${name} = ${value} is beyond the adapter's ${isMin ? 'minimum' : 'maximum'} of ${max}`, 'ask for what the adapter offers');
    }
    limits[name] = value;
  }
  const device = await requestDeviceOf(adapter, { requiredFeatures: [...features] as GPUFeatureName[], requiredLimits: completeLimits(adapter.limits, limits) });
  return { gpu, adapter, device, selected };
}

/**
 * bun-webgpu 0.1.7 packs `requiredFeatures` into an array buffer that nothing keeps referenced
 * until the native call reads it, so a garbage collection in between hands Dawn a freed list:
 * "Value 529 is invalid for WGPUFeatureName" (seen in CI, about once in a few hundred devices).
 * A failed request leaves the adapter usable, and the same request made again succeeds. Any
 * failure left is an UnsupportedError, the runtime's error as its cause.
 */
const GARBLED_FEATURE_LIST = /is invalid for WGPUFeatureName/;
const FEATURE_LIST_ATTEMPTS = 3;

async function requestDeviceOf(adapter: GPUAdapter, descriptor: GPUDeviceDescriptor): Promise<GPUDevice> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await adapter.requestDevice(descriptor);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (!GARBLED_FEATURE_LIST.test(text) || attempt === FEATURE_LIST_ATTEMPTS) {
        throw new UnsupportedError(
          `the adapter did not open a device: ${text}`,
          'check the GPU driver (and that no other process holds the GPU); requiredFeatures and requiredLimits must be ones the adapter offers',
          { cause: error },
        );
      }
    }
  }
}
