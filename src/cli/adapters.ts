import { createDawnGpu } from '../backends/node.js';
import type { GPUSupportedLimits } from '../backends/webgpu-types.js';

/** One WebGPU adapter as `kompute-ts info` reports it. */
interface AdapterReport {
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
 * adapters, and returns the distinct ones.
 */
export async function listAdapters(backends = backendsFor(process.platform)): Promise<AdapterReport[]> {
  const found: AdapterReport[] = [];
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
  return found;
}

/** The adapters as text for a terminal. */
export function formatAdapters(adapters: readonly AdapterReport[]): string {
  if (adapters.length === 0) return 'No WebGPU adapter found. Run `kompute-ts doctor` to find out why.\n';
  const lines: string[] = [];
  adapters.forEach((a, i) => {
    lines.push(`Adapter ${i + 1}: ${a.description || a.device || 'unnamed'}`);
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
