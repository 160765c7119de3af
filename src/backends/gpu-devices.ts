/**
 * The GPUs of a machine, from what the platform reports: the PCI display controllers the system
 * lists (Linux: /sys/bus/pci/devices), the Vulkan devices Mesa's device-select layer prints
 * (`MESA_VK_DEVICE_SELECT=list`), and the adapters WebGPU hands out. Pure functions over those
 * reports, so every case (identical GPUs, a BMC's display controller, a software adapter) is
 * testable without the hardware; src/backends/node-devices.ts gathers the reports.
 */
import { ArgumentError, UnsupportedError } from '../errors.js';

/** One GPU of the machine, as {@link Manager.listDevices} reports it. */
export interface GpuDevice {
  /** Its position in the list: what `Manager.create({ device: index })` selects. */
  readonly index: number;
  /** The vendor, lower case as WebGPU names it: `nvidia`, `amd`, `intel`, `mesa`, ... */
  readonly vendor: string;
  /** The device's name, e.g. `NVIDIA H200` or `llvmpipe (LLVM 15.0.6, 256 bits)` ('' when unknown). */
  readonly name: string;
  /** The PCI bus address `DDDD:BB:DD.F` where the platform gives one (Linux); undefined otherwise. */
  readonly pciAddress?: string;
  /** The PCI vendor id (0x10de NVIDIA, ...) where known. */
  readonly vendorId?: number;
  /** The PCI (or Vulkan) device id where known. */
  readonly deviceId?: number;
  /** `gpu` for hardware, `software` for CPU adapters such as lavapipe or SwiftShader. */
  readonly kind: 'gpu' | 'software';
  /**
   * True when `Manager.create({ device })` can open exactly this device here. False where the
   * platform cannot select (see `selectHint`).
   */
  readonly selectable: boolean;
  /** Why it is not selectable and what to install or set; '' when it is. */
  readonly selectHint: string;
}

/** A display controller (PCI class 0x03xxxx) as the system lists it. */
export interface PciDisplayDevice {
  /** `DDDD:BB:DD.F`, lower case. */
  readonly address: string;
  readonly vendorId: number;
  readonly deviceId: number;
  /** The 24-bit class code, e.g. 0x030200 (3D controller). */
  readonly classCode: number;
}

/** One line of the device-select layer's `MESA_VK_DEVICE_SELECT=list` output. */
export interface LayerDevice {
  /** The layer's own index, in the Vulkan loader's order. */
  readonly layerIndex: number;
  readonly vendorId: number;
  readonly deviceId: number;
  /** `VkPhysicalDeviceProperties.deviceName`. */
  readonly name: string;
  /** `discrete GPU`, `integrated GPU`, `virtual GPU`, `CPU` or `other`. */
  readonly type: string;
  /** The bus address the layer matches `DRI_PRIME=pci-...` on, when the driver reports one. */
  readonly address?: string;
}

/** What WebGPU says of one adapter (the fields of GPUAdapterInfo used here). */
export interface AdapterSummary {
  readonly vendor: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
}

const PCI_VENDORS: ReadonlyMap<number, string> = new Map([
  [0x10de, 'nvidia'],
  [0x1002, 'amd'],
  [0x1022, 'amd'],
  [0x8086, 'intel'],
  [0x13b5, 'arm'],
  [0x5143, 'qualcomm'],
  [0x1010, 'img-tec'],
  [0x106b, 'apple'],
  [0x144d, 'samsung'],
  [0x1414, 'microsoft'],
  [0x1ae0, 'google'],
  [0x10005, 'mesa'],
  [0x1af4, 'virtio'],
  [0x15ad, 'vmware'],
  [0x1a03, 'aspeed'],
  [0x102b, 'matrox'],
]);

/** The vendor's name as WebGPU (Dawn) spells it, or the id in hex. */
export function vendorName(vendorId: number): string {
  return PCI_VENDORS.get(vendorId) ?? `0x${vendorId.toString(16).padStart(4, '0')}`;
}

/** A name reduced to lower-case words joined by '-', as Dawn reports adapter names (`llvmpipe-llvm-15-0-6-256-bits`). */
export function normalizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** True when two names denote the same device (one normalized name contains the other). */
export function sameName(a: string, b: string): boolean {
  const x = normalizeName(a);
  const y = normalizeName(b);
  return x !== '' && y !== '' && (x.includes(y) || y.includes(x));
}

const PCI_ADDRESS = /^(?:([0-9a-f]{4,8}):)?([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i;

/**
 * The canonical form `DDDD:BB:DD.F` (lower case, domain 0000 when left out) of a PCI bus address,
 * or null when `text` is not one. Accepts `0000:65:00.0`, `65:00.0` and Mesa's `pci-0000_65_00_0`.
 */
export function parsePciAddress(text: string): string | null {
  const mesa = /^pci-([0-9a-f]{4,8})_([0-9a-f]{2})_([0-9a-f]{2})_([0-7])$/i.exec(text.trim());
  const m = mesa ?? PCI_ADDRESS.exec(text.trim());
  if (!m) return null;
  const domain = (m[1] ?? '0000').toLowerCase().padStart(4, '0');
  return `${domain}:${m[2]!.toLowerCase()}:${m[3]!.toLowerCase()}.${m[4]}`;
}

/** The `DRI_PRIME` value that makes Mesa's device-select layer pick the GPU at `address` (canonical form). */
export function driPrimeFor(address: string): string {
  return `pci-${address.replace(/[:.]/g, '_')}`;
}

/** Checks a `device` option: a list index, or a PCI address (returned in canonical form). */
export function checkDeviceSelector(value: unknown): number | string {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
    throw new ArgumentError('device', `got ${value}`, 'pass an index of Manager.listDevices() (0, 1, ...) or a PCI address such as "0000:65:00.0"');
  }
  if (typeof value === 'string') {
    const address = parsePciAddress(value);
    if (address) return address;
    throw new ArgumentError('device', `${JSON.stringify(value)} is not a PCI bus address`, 'write it as DDDD:BB:DD.F in hex, e.g. "0000:65:00.0" (see `kompute-ts info` or `lspci -D`)');
  }
  throw new ArgumentError('device', `got ${value === null ? 'null' : typeof value}`, 'pass an index of Manager.listDevices() or a PCI address string such as "0000:65:00.0"');
}

/** Parses the `class`, `vendor` and `device` files of one /sys/bus/pci/devices entry; null unless a display controller. */
export function parsePciEntry(address: string, classText: string, vendorText: string, deviceText: string): PciDisplayDevice | null {
  const classCode = Number.parseInt(classText.trim(), 16);
  const canonical = parsePciAddress(address);
  if (!canonical || !Number.isFinite(classCode) || classCode >> 16 !== 0x03) return null;
  return { address: canonical, classCode, vendorId: Number.parseInt(vendorText.trim(), 16), deviceId: Number.parseInt(deviceText.trim(), 16) };
}

const LAYER_LINE = /^\s*GPU (\d+): ([0-9a-f]+):([0-9a-f]+) "(.*)" (discrete GPU|integrated GPU|virtual GPU|CPU|other)(?: ([0-9a-f]+:[0-9a-f]+:[0-9a-f]+\.[0-9a-f]+))?\s*$/;

/**
 * The devices in the output of Mesa's device-select layer under `MESA_VK_DEVICE_SELECT=list`
 * (`  GPU 0: 10de:2335 "NVIDIA H200" discrete GPU 0000:00:06.0`); null when the output has no
 * `selectable devices:` header (the layer did not load).
 */
export function parseDeviceSelectList(output: string): LayerDevice[] | null {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.trim() === 'selectable devices:');
  if (start < 0) return null;
  const out: LayerDevice[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = LAYER_LINE.exec(line);
    if (!m) continue;
    const address = m[6] ? parsePciAddress(m[6]) : null;
    out.push({
      layerIndex: Number(m[1]),
      vendorId: Number.parseInt(m[2]!, 16),
      deviceId: Number.parseInt(m[3]!, 16),
      name: m[4]!,
      type: m[5]!,
      ...(address ? { address } : {}),
    });
  }
  return out;
}

/** What the platform reported, for {@link mergeDevices}. */
export interface DeviceReports {
  /** Display controllers of the system (Linux); empty elsewhere. */
  readonly pci: readonly PciDisplayDevice[];
  /** The device-select layer's list; null when the layer is not available. */
  readonly layer: readonly LayerDevice[] | null;
  /** The distinct adapters WebGPU offered. */
  readonly adapters: readonly AdapterSummary[];
  /** Why a PCI GPU cannot be selected here ('' when the layer is available). */
  readonly noLayerHint: string;
}

/**
 * One list of every GPU: first the PCI GPUs in bus-address order (a display controller counts
 * when the device-select layer lists its address or WebGPU offers an adapter of its vendor, so a
 * server's BMC VGA is left out), identical ones included; then the devices without a PCI address
 * (software adapters).
 */
export function mergeDevices(reports: DeviceReports): GpuDevice[] {
  const { pci, layer, adapters } = reports;
  const adapterVendors = new Set(adapters.map((a) => a.vendor.toLowerCase()));
  const byAddress = new Map((layer ?? []).filter((d) => d.address).map((d) => [d.address!, d]));
  const pciAddresses = new Set(pci.map((p) => p.address));
  const out: GpuDevice[] = [];
  const sorted = [...pci].sort((a, b) => a.address.localeCompare(b.address));
  for (const p of sorted) {
    const seen = byAddress.get(p.address);
    const vendor = vendorName(p.vendorId);
    if (!seen && !adapterVendors.has(vendor)) continue;
    const sameVendor = adapters.filter((a) => a.vendor.toLowerCase() === vendor && !a.isFallbackAdapter);
    const name = seen?.name ?? (sameVendor.length === 1 ? sameVendor[0]!.device : '');
    const selectHint = seen
      ? ''
      : layer
        ? `Mesa's device-select layer does not list ${p.address}: its Vulkan driver reports no PCI bus info, so it cannot be selected by address`
        : reports.noLayerHint;
    out.push({
      index: out.length,
      vendor,
      name,
      pciAddress: p.address,
      vendorId: p.vendorId,
      deviceId: p.deviceId,
      kind: 'gpu',
      selectable: selectHint === '',
      selectHint,
    });
  }
  // Devices without a (real) PCI address: from the layer when it listed them, otherwise the
  // adapters WebGPU offered whose vendor has no display controller listed above.
  const listedVendors = new Set(out.map((d) => d.vendor));
  const rest: Omit<GpuDevice, 'index' | 'selectable' | 'selectHint'>[] = [];
  if (layer) {
    for (const d of layer) {
      if (d.address && pciAddresses.has(d.address)) continue;
      if (d.type !== 'CPU' && listedVendors.has(vendorName(d.vendorId))) continue;
      rest.push({ vendor: vendorName(d.vendorId), name: d.name, vendorId: d.vendorId, deviceId: d.deviceId, kind: d.type === 'CPU' ? 'software' : 'gpu' });
    }
  } else {
    for (const a of adapters) {
      const vendor = a.vendor.toLowerCase();
      if (!a.isFallbackAdapter && listedVendors.has(vendor)) continue;
      rest.push({ vendor, name: a.device || a.description, kind: a.isFallbackAdapter ? 'software' : 'gpu' });
    }
  }
  const base = out.length;
  rest.forEach((d, i) => {
    // A device without address is opened by its name (Dawn's adapter= flag): a second one of the
    // same name cannot be told apart.
    const twin = rest.findIndex((o, j) => j < i && sameName(o.name, d.name));
    const selectHint = twin >= 0 ? `it has no PCI address and the same name as device ${base + twin}, so it cannot be told apart` : '';
    out.push({ ...d, index: out.length, selectable: selectHint === '', selectHint });
  });
  return out;
}

/**
 * The entry of `devices` that `selector` (an index or a canonical PCI address) names. Throws
 * ArgumentError for an index out of range or an address with no GPU, and UnsupportedError for a
 * device the platform cannot select.
 */
export function resolveDevice(devices: readonly GpuDevice[], selector: number | string): GpuDevice {
  const listing = devices.length === 0 ? 'none is listed' : devices.map((d) => `${d.index}: ${describeGpu(d)}`).join('; ');
  const found = typeof selector === 'number' ? devices[selector] : devices.find((d) => d.pciAddress === selector);
  if (!found) {
    const what = typeof selector === 'number' ? `index ${selector} is out of range (${devices.length} device${devices.length === 1 ? '' : 's'})` : `no GPU at ${selector}`;
    throw new ArgumentError('device', what, `the devices are: ${listing} (Manager.listDevices(), kompute-ts info)`);
  }
  if (!found.selectable) throw new UnsupportedError(`device ${found.index} (${describeGpu(found)}) cannot be selected here: ${found.selectHint}`, NO_SELECT_HINT);
  return found;
}

/** What to install or set when a GPU cannot be selected. */
export const NO_SELECT_HINT =
  "on Linux install Mesa's Vulkan device-select layer (Debian/Ubuntu: mesa-vulkan-drivers; it works with any Vulkan driver, NVIDIA's included), or point VK_LAYER_PATH at a folder holding its VkLayer_MESA_device_select.json; in containers NVIDIA_VISIBLE_DEVICES also limits a process to one GPU; elsewhere run one process per GPU with the platform's own selection";

/** `NVIDIA H200 at 0000:00:06.0`, for messages. */
export function describeGpu(d: GpuDevice): string {
  const name = d.name || `${d.vendor} ${d.kind}`;
  return d.pciAddress ? `${name} at ${d.pciAddress}` : name;
}
