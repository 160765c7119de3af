import { ShaderStage } from '../backends/webgpu-constants.js';
import type { DeviceContext } from '../core/device-context.js';
import { Image } from '../memory/image.js';
import { isLinear } from '../memory/tensor-view.js';
import { imageLayoutEntry, imageViewFor } from './image-bindings.js';
import { ParamBlock } from './param-block.js';
import { Sampler } from './sampler.js';
import type { PlacedResource } from './resources.js';
import type { ComputeEntry, ShaderBinding, ShaderInterface } from './shader-interface.js';
import { declarationAt } from './shader-interface.js';
import type { GPUBindGroupLayout, GPUPipelineLayout } from '../backends/webgpu-types.js';

/** An algorithm's bind-group layouts: one per group up to the highest used, the push-constant group included. */
export interface BindLayout {
  /** Per group index: its layout (the shared push-constant layout at the push group). */
  readonly layouts: readonly GPUBindGroupLayout[];
  readonly pipelineLayout: GPUPipelineLayout;
  /** The resource groups (every index but the push group), each with its resources by binding. */
  readonly groups: readonly { readonly index: number; readonly resources: readonly PlacedResource[] }[];
}

/** The layout entry of one placed resource, from the declaration the entry point uses there. */
function layoutEntry(placed: PlacedResource, declared: ShaderBinding | undefined): GPUBindGroupLayoutEntry {
  const { binding, resource } = placed;
  const visibility = ShaderStage.COMPUTE;
  if (resource instanceof Image) return imageLayoutEntry(binding, resource, declared);
  if (isLinear(resource)) {
    const type: GPUBufferBindingType = declared?.kind === 'uniform' ? 'uniform' : declared?.access === 'read' ? 'read-only-storage' : 'storage';
    return { binding, visibility, buffer: { type } };
  }
  if (resource instanceof ParamBlock) return { binding, visibility, buffer: { type: declared?.kind === 'storage' ? 'read-only-storage' : 'uniform' } };
  if (!(resource instanceof Sampler)) throw new TypeError('unknown resource');
  const type: GPUSamplerBindingType = declared?.kind === 'comparison-sampler' || resource.comparison ? 'comparison' : resource.filtering ? 'filtering' : 'non-filtering';
  return { binding, visibility, sampler: { type } };
}

/** Builds the bind-group layouts and the pipeline layout for `placed` (sorted by group and binding). */
export function buildLayout(context: DeviceContext, label: string, shader: ShaderInterface, entry: ComputeEntry | undefined, placed: readonly PlacedResource[], pushGroup: number | null): BindLayout {
  const count = Math.max(0, pushGroup ?? 0, ...placed.map((p) => p.group)) + 1;
  return context.capture(`creating ${label}'s layout`, () => {
    const layouts: GPUBindGroupLayout[] = [];
    const groups: { index: number; resources: PlacedResource[] }[] = [];
    for (let g = 0; g < count; g++) {
      if (g === pushGroup) {
        layouts.push(context.pushLayout);
        continue;
      }
      const resources = placed.filter((p) => p.group === g).map((p) => (p.resource instanceof Image ? { ...p, view: imageViewFor(p.resource, declarationAt(shader, entry, p.group, p.binding)) } : p));
      const entries = resources.map((p) => layoutEntry(p, declarationAt(shader, entry, p.group, p.binding)));
      layouts.push(context.device.createBindGroupLayout({ label: count > 1 ? `${label} group ${g}` : label, entries }));
      groups.push({ index: g, resources });
    }
    return { layouts, groups, pipelineLayout: context.device.createPipelineLayout({ label, bindGroupLayouts: layouts }) };
  });
}
