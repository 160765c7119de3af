/**
 * Node.js (Dawn): listing the machine's GPUs and opening one by index or PCI address.
 *
 * Dawn's node binding has no adapter index, UUID or PCI option: `requestAdapter` enumerates the
 * adapters and returns the first one (or the first whose name contains its `adapter=` flag), so
 * identical GPUs cannot be told apart through it. On Linux the choice is made one level down, by
 * Mesa's Vulkan device-select layer (it works under any Vulkan driver, NVIDIA's included): with
 * `DRI_PRIME=pci-DDDD_BB_DD_F` and `MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1` it shows the
 * Vulkan instance only the GPU at that bus address. The layer reads those variables in its
 * `vkCreateInstance` and keeps them per instance, and Dawn creates its Vulkan instance when the
 * first adapter is requested; so each selected GPU gets a Dawn instance of its own, created and
 * asked for its adapter while the variables are set (synchronously, then restored), and one
 * process can hold managers on several GPUs.
 *
 * The layer silently falls back to its default GPU when no device has the address, so an
 * address is only used when the layer itself lists it (`MESA_VK_DEVICE_SELECT=list`, run once in
 * a child process because that mode ends its process), and the adapter opened is checked against
 * the entry (vendor and name) before a manager is built on it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UnsupportedError } from '../errors.js';
import {
  type AdapterSummary,
  describeGpu,
  driPrimeFor,
  type GpuDevice,
  type LayerDevice,
  mergeDevices,
  NO_SELECT_HINT,
  normalizeName,
  type PciDisplayDevice,
  parseDeviceSelectList,
  parsePciEntry,
  resolveDevice,
  sameName,
} from './gpu-devices.js';
import type { DevicePlatform, SelectedAdapter } from './device-platform.js';
import { runWorkerProcesses } from './node-workers.js';

/** The name the device-select layer registers under. */
export const DEVICE_SELECT_LAYER = 'VK_LAYER_MESA_device_select';

/** Environment overrides: a string sets the variable, undefined removes it. */
export type EnvOverrides = Readonly<Record<string, string | undefined>>;

/** The PCI display controllers the system lists (Linux sysfs; `KOMPUTE_TS_SYSFS_PCI` names another folder, for tests). */
export function readPciDisplayDevices(root = process.env.KOMPUTE_TS_SYSFS_PCI ?? '/sys/bus/pci/devices'): PciDisplayDevice[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const out: PciDisplayDevice[] = [];
  for (const name of names) {
    try {
      const read = (file: string): string => readFileSync(join(root, name, file), 'utf8');
      const entry = parsePciEntry(name, read('class'), read('vendor'), read('device'));
      if (entry) out.push(entry);
    } catch {
      // An entry without the files (or unreadable) is no display controller we can use.
    }
  }
  return out;
}

/** Where the device-select layer's manifest was found, and whether the loader enables it by itself. */
export interface LayerLocation {
  readonly manifest: string;
  readonly implicit: boolean;
}

function dirsOf(value: string | undefined, sub: string): string[] {
  return (value ?? '')
    .split(':')
    .filter((d) => d !== '')
    .map((d) => (sub ? join(d, sub) : d));
}

/** Finds Mesa's device-select layer where the Vulkan loader looks for layers (implicit first, then explicit). */
export function findDeviceSelectLayer(env: NodeJS.ProcessEnv = process.env): LayerLocation | null {
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local/share');
  const dataDirs = env.XDG_DATA_DIRS || '/usr/local/share:/usr/share';
  const configDirs = env.XDG_CONFIG_DIRS || '/etc/xdg';
  const implicit = [
    ...dirsOf(env.VK_ADD_IMPLICIT_LAYER_PATH, ''),
    ...dirsOf(configDirs, 'vulkan/implicit_layer.d'),
    '/etc/vulkan/implicit_layer.d',
    join(dataHome, 'vulkan/implicit_layer.d'),
    ...dirsOf(dataDirs, 'vulkan/implicit_layer.d'),
  ];
  const explicit = env.VK_LAYER_PATH
    ? dirsOf(env.VK_LAYER_PATH, '')
    : [
        ...dirsOf(env.VK_ADD_LAYER_PATH, ''),
        ...dirsOf(configDirs, 'vulkan/explicit_layer.d'),
        '/etc/vulkan/explicit_layer.d',
        join(dataHome, 'vulkan/explicit_layer.d'),
        ...dirsOf(dataDirs, 'vulkan/explicit_layer.d'),
      ];
  for (const [dirs, isImplicit] of [
    [implicit, true],
    [explicit, false],
  ] as const) {
    for (const dir of dirs) {
      let files: string[];
      try {
        files = readdirSync(dir).filter((f) => f.endsWith('.json'));
      } catch {
        continue;
      }
      for (const file of files) {
        const path = join(dir, file);
        try {
          if (readFileSync(path, 'utf8').includes(DEVICE_SELECT_LAYER)) return { manifest: path, implicit: isImplicit };
        } catch {
          // unreadable manifest: not ours
        }
      }
    }
  }
  return null;
}

/**
 * The variables under which the layer is loaded and, with `address`, picks the GPU at that
 * address and hides the others. `NODEVICE_SELECT` (which turns the implicit layer off) and a
 * `MESA_VK_DEVICE_SELECT` of the user's are lifted for that instance only.
 */
export function selectionEnv(layer: LayerLocation, address: string | null, env: NodeJS.ProcessEnv = process.env): EnvOverrides {
  const out: Record<string, string | undefined> = { NODEVICE_SELECT: undefined, MESA_VK_DEVICE_SELECT: undefined };
  if (!layer.implicit) {
    const layers = (env.VK_INSTANCE_LAYERS ?? '').split(':').filter((l) => l !== '' && l !== DEVICE_SELECT_LAYER);
    out.VK_INSTANCE_LAYERS = [...layers, DEVICE_SELECT_LAYER].join(':');
  }
  if (address) {
    out.DRI_PRIME = driPrimeFor(address);
    out.MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE = '1';
  }
  return out;
}

/** Runs `fn` with `overrides` applied to the process's environment (the C library's too), then restores it. */
export function withEnv<T>(overrides: EnvOverrides, fn: () => T): T {
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(overrides)) {
    saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** The webgpu package's module URL, for child processes started from anywhere. */
function webgpuUrl(): string {
  return import.meta.resolve('webgpu');
}

/**
 * The Vulkan devices as the device-select layer lists them (`MESA_VK_DEVICE_SELECT=list` in a
 * child process: that mode prints the list and ends its process). Null when the layer does not
 * load or the child fails.
 */
export function listThroughLayer(layer: LayerLocation, dawnFlags: readonly string[]): LayerDevice[] | null {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(selectionEnv(layer, null))) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  env.MESA_VK_DEVICE_SELECT = 'list';
  const script = `const { create } = await import(${JSON.stringify(webgpuUrl())}); await create(${JSON.stringify([...dawnFlags])}).requestAdapter();`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
  if (result.error) return null;
  return parseDeviceSelectList(`${result.stderr}\n${result.stdout}`);
}

/** The default Dawn instance per flag set, shared with backends/node.ts through this provider. */
type DawnProvider = (flags: readonly string[]) => Promise<GPU>;

async function distinctAdapters(gpu: GPU): Promise<{ adapter: GPUAdapter; summary: AdapterSummary }[]> {
  const requests: GPURequestAdapterOptions[] = [{}, { powerPreference: 'high-performance' }, { powerPreference: 'low-power' }, { forceFallbackAdapter: true }];
  const out: { adapter: GPUAdapter; summary: AdapterSummary }[] = [];
  for (const request of requests) {
    const adapter = await gpu.requestAdapter(request).catch(() => null);
    if (!adapter) continue;
    const info = adapter.info;
    const summary = { vendor: info.vendor, device: info.device, description: info.description, isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter) };
    if (out.some((o) => o.summary.vendor === summary.vendor && o.summary.device === summary.device && o.summary.description === summary.description)) continue;
    out.push({ adapter, summary });
  }
  return out;
}

/** Keeps Dawn instances alive for the process's lifetime: dropping one while another is in use can abort Dawn (see backends/node.ts). */
const selectedInstances = new Map<string, Promise<GPU>>();

/** Dawn's implementation of the device platform. */
export function nodeDevicePlatform(dawn: DawnProvider): DevicePlatform {
  const listings = new Map<string, Promise<{ devices: GpuDevice[]; layer: LayerLocation | null }>>();

  function listing(flags: readonly string[]): Promise<{ devices: GpuDevice[]; layer: LayerLocation | null }> {
    const key = flags.join('\n');
    let found = listings.get(key);
    if (!found) {
      found = (async () => {
        const linux = process.platform === 'linux';
        const layer = linux ? findDeviceSelectLayer() : null;
        const adapters = (await distinctAdapters(await dawn(flags))).map((a) => a.summary);
        const devices = mergeDevices({
          pci: linux ? readPciDisplayDevices() : [],
          layer: layer ? listThroughLayer(layer, flags) : null,
          adapters,
          noLayerHint: linux
            ? "Mesa's Vulkan device-select layer (VK_LAYER_MESA_device_select) was not found where the Vulkan loader looks for layers"
            : `selecting a GPU by PCI address needs Linux (here: ${process.platform})`,
        });
        return { devices, layer };
      })();
      found.catch(() => listings.delete(key));
      listings.set(key, found);
    }
    return found;
  }

  async function open(key: string, flags: readonly string[], env: EnvOverrides, request: GPURequestAdapterOptions): Promise<{ gpu: GPU; adapter: GPUAdapter | null }> {
    const { create } = await import('webgpu');
    let gpu = selectedInstances.get(key);
    if (gpu) {
      const held = await gpu;
      return { gpu: held, adapter: await held.requestAdapter(request).catch(() => null) };
    }
    // Dawn creates its Vulkan instance (where the loader and the layer read the variables) in
    // the first requestAdapter: both calls run while the variables are set, with no await between.
    let first: Promise<GPUAdapter | null> = Promise.resolve(null);
    const created = withEnv(env, () => {
      const instance = create([...flags]);
      first = instance.requestAdapter(request);
      return instance;
    });
    gpu = Promise.resolve(created);
    selectedInstances.set(key, gpu);
    return { gpu: created, adapter: await first.catch(() => null) };
  }

  return {
    async listDevices(flags) {
      return (await listing(flags)).devices.map((d) => ({ ...d }));
    },

    async openDevice(selector, flags, request): Promise<SelectedAdapter> {
      const { devices, layer } = await listing(flags);
      const device = resolveDevice(devices, selector);
      if (device.pciAddress) {
        if (!layer) throw new UnsupportedError(`cannot select ${describeGpu(device)}: ${device.selectHint}`, NO_SELECT_HINT);
        const env = selectionEnv(layer, device.pciAddress);
        const key = `${flags.join('\n')}\n#select ${device.pciAddress}`;
        const { gpu, adapter } = await open(key, flags, env, request);
        checkOpened(device, adapter);
        return { gpu, adapter: adapter!, device };
      }
      // No PCI address (a software adapter): Dawn's adapter= flag picks it by name. Dawn matches
      // the flag against the driver's own name ('llvmpipe (LLVM 15.0.6, 256 bits)'), which its
      // GPUAdapterInfo reports reduced to 'llvmpipe-llvm-15-0-6-256-bits-': try the name as
      // listed, then its first word; checkOpened() verifies the whole name either way.
      for (const name of new Set([device.name, normalizeName(device.name).split('-')[0]!])) {
        const named = [...flags.filter((f) => !f.startsWith('adapter=')), `adapter=${name}`];
        const { gpu, adapter } = await open(`${named.join('\n')}\n#named`, named, {}, request);
        if (adapter) {
          checkOpened(device, adapter);
          return { gpu, adapter, device };
        }
      }
      throw new UnsupportedError(`no adapter named '${device.name}' was found for device ${device.index}`, 'list the devices again (kompute-ts info): the machine may have changed');
    },

    runOnDevices(options) {
      return runWorkerProcesses(options, async (flags) => (await listing(flags)).devices);
    },
  };
}

/** Refuses an adapter that is not the device asked for (the layer ignores an address it does not match). */
export function checkOpened(device: GpuDevice, adapter: GPUAdapter | null): void {
  if (!adapter) throw new UnsupportedError(`no adapter was found for device ${device.index} (${describeGpu(device)})`, NO_SELECT_HINT);
  const info = adapter.info;
  const vendorOk = !info.vendor || info.vendor.toLowerCase() === device.vendor;
  const nameOk = !info.device || !device.name || sameName(info.device, device.name);
  if (!vendorOk || !nameOk) {
    throw new UnsupportedError(
      `asked for device ${device.index} (${describeGpu(device)}) but the adapter opened is '${info.device || info.description}' of vendor '${info.vendor}': refusing to run on another GPU`,
      "Mesa's device-select layer falls back to its default GPU when it cannot match the address: check that the layer loads (MESA_VK_DEVICE_SELECT=list) and that the driver reports PCI bus info",
    );
  }
}
