import { createDawnGpu } from '../backends/node.js';
import type { GPUSupportedLimits } from '../backends/webgpu-types.js';
import { type GpuDevice, sameName } from '../backends/gpu-devices.js';
import { Manager } from '../manager/manager.js';

/**
 * One GPU (or WebGPU adapter) as `kompute-ts info` reports it: every GPU of the machine,
 * identical ones included, with its index and PCI address from `Manager.listDevices()` and its
 * adapter's features and limits.
 */
interface AdapterReport {
  /** Its index in `Manager.listDevices()` (what `Manager.create({ device })` takes); null for an adapter no listed device matches (another backend's). */
  readonly index: number | null;
  /** The device's name (`NVIDIA H200`), or the adapter's. */
  readonly name: string;
  /** The PCI bus address, where the platform gives one. */
  readonly pciAddress: string | null;
  /** True when `Manager.create({ device })` can open it here. */
  readonly selectable: boolean;
  /** Why it cannot be selected, and what to install or set ('' when it can). */
  readonly selectHint: string;
  /** The Dawn backend that provides it (`vulkan`, `metal`, `d3d12`, `opengles`, ...). */
  readonly backend: string;
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** True for software or otherwise limited adapters (lavapipe, SwiftShader). */
  readonly isFallbackAdapter: boolean;
  readonly features: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
}

/** The backends Dawn can use on each platform, most capable first. */
function backendsFor(platform: NodeJS.Platform): string[] {
  if (platform === 'darwin') return ['metal'];
  if (platform === 'win32') return ['d3d12', 'vulkan', 'd3d11'];
  return ['vulkan', 'opengles'];
}

/** Every numeric limit of `limits`, by name (the attributes live on the prototype). */
function limitsOf(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  for (let proto: object | null = limits; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const value = (limits as unknown as Record<string, unknown>)[name];
      if (typeof value === 'number' && !(name in out)) out[name] = value;
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Asks Dawn, one backend at a time, for its default, low-power, high-performance and fallback
 * adapters (the distinct ones), then reports every device of `Manager.listDevices()`, identical
 * ones included, with the adapter of its vendor and name; adapters no device matches (another
 * backend's) follow.
 */
export async function listAdapters(backends = backendsFor(process.platform)): Promise<AdapterReport[]> {
  const found: Omit<AdapterReport, 'index' | 'name' | 'pciAddress' | 'selectable' | 'selectHint'>[] = [];
  const seen = new Set<string>();
  for (const backend of backends) {
    let gpu: GPU;
    try {
      gpu = await createDawnGpu([`backend=${backend}`]);
    } catch {
      continue;
    }
    const requests: GPURequestAdapterOptions[] = [{}, { powerPreference: 'low-power' }, { powerPreference: 'high-performance' }, { forceFallbackAdapter: true }];
    for (const request of requests) {
      const adapter = await gpu.requestAdapter(request).catch(() => null);
      if (!adapter) continue;
      const info = adapter.info;
      const key = `${backend}\n${info.vendor}\n${info.architecture}\n${info.device}\n${info.description}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({
        backend,
        vendor: info.vendor,
        architecture: info.architecture,
        device: info.device,
        description: info.description,
        isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
        features: [...adapter.features].sort(),
        limits: limitsOf(adapter.limits),
      });
    }
  }
  const devices: GpuDevice[] = await Manager.listDevices().catch(() => []);
  const used = new Set<(typeof found)[number]>();
  const out: AdapterReport[] = [];
  for (const d of devices) {
    const sameVendor = found.filter((a) => a.vendor.toLowerCase() === d.vendor);
    const adapter = sameVendor.find((a) => sameName(a.device, d.name)) ?? (sameVendor.length === 1 ? sameVendor[0] : undefined);
    if (!adapter) continue;
    used.add(adapter);
    out.push({ ...adapter, index: d.index, name: d.name || adapter.device, pciAddress: d.pciAddress ?? null, selectable: d.selectable, selectHint: d.selectHint });
  }
  for (const a of found) {
    if (!used.has(a)) out.push({ ...a, index: null, name: a.device || a.description, pciAddress: null, selectable: false, selectHint: 'no listed device matches this adapter' });
  }
  return out;
}

/** The adapters as text for a terminal. */
export function formatAdapters(adapters: readonly AdapterReport[]): string {
  if (adapters.length === 0) return 'No WebGPU adapter found. Run `kompute-ts doctor` to find out why.\n';
  const lines: string[] = [];
  adapters.forEach((a, i) => {
    lines.push(`Adapter ${i + 1}: ${a.name || a.description || a.device || 'unnamed'}`);
    lines.push(`  index         ${a.index === null ? '- (not a listed device)' : `${a.index}  (Manager.create({ device: ${a.index} }))`}`);
    if (a.pciAddress) lines.push(`  pci address   ${a.pciAddress}`);
    lines.push(`  selectable    ${a.selectable ? 'yes' : `no: ${a.selectHint}`}`);
    lines.push(`  description   ${a.description || '?'}`);
    lines.push(`  vendor        ${a.vendor || '?'}`);
    lines.push(`  architecture  ${a.architecture || '?'}`);
    lines.push(`  device        ${a.device || '?'}`);
    lines.push(`  backend       ${a.backend}`);
    lines.push(`  fallback      ${a.isFallbackAdapter ? 'yes (software or limited)' : 'no'}`);
    lines.push(`  features (${a.features.length})`);
    for (const f of a.features) lines.push(`    ${f}`);
    lines.push(`  limits (${Object.keys(a.limits).length})`);
    const width = Math.max(...Object.keys(a.limits).map((k) => k.length));
    for (const [name, value] of Object.entries(a.limits)) lines.push(`    ${name.padEnd(width)}  ${value}`);
    lines.push('');
  });
  return lines.join('\n');
}
