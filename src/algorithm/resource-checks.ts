import { AlgorithmBindingError, SizeError } from '../errors.js';
import type { DeviceContext } from '../core/device-context.js';
import { Image } from '../memory/image.js';
import type { Tensor } from '../memory/tensor.js';
import { Memory } from '../memory/memory.js';
import { bufferSpan, isLinear, TensorView } from '../memory/tensor-view.js';
import { BufferUsage } from '../backends/webgpu-constants.js';
import { checkImageBinding, checkTextureTypeSupported } from './image-bindings.js';
import { ParamBlock } from './param-block.js';
import type { PlacedResource } from './resources.js';
import { Sampler } from './sampler.js';
import { bindingsOf, type ComputeEntry, declarationAt, type ShaderBinding, type ShaderInterface } from './shader-interface.js';
import { structLayout } from './struct-layout.js';

/**
 * The checks of placed resources against the declarations the chosen entry point uses: every
 * used binding has a resource, each resource fits its declaration's kind (storage, uniform,
 * storage or sampled texture, sampler) and element type. Each failure names the group, the
 * binding, the declared WGSL type and what was given, and says what would work.
 */

const where = (b: ShaderBinding) => `@group(${b.group}) @binding(${b.binding}) '${b.name}'`;

function whatIs(resource: PlacedResource['resource']): string {
  if (resource instanceof TensorView) return `${resource.label}, a view of ${resource.tensor.label} (${resource.dtype})`;
  if (isLinear(resource)) return `${resource.label}, a tensor (${resource.dtype})`;
  if (resource instanceof Image) return `${resource.label}, an image (${resource.format})`;
  if (resource instanceof Sampler) return `${resource.label}, a sampler`;
  return `${resource.label}, a parameter block`;
}

const NOUN: Readonly<Record<ShaderBinding['kind'], string>> = {
  storage: 'tensor',
  uniform: 'parameter block or tensor',
  'storage-texture': 'image',
  texture: 'image',
  sampler: 'sampler',
  'comparison-sampler': 'comparison sampler',
  other: 'resource',
};

/** What to pass for a declaration, as a hint. */
function suggestion(b: ShaderBinding): string {
  switch (b.kind) {
    case 'storage':
      return 'pass a tensor (mgr.tensor)';
    case 'uniform':
      return 'pass a parameter block (mgr.params({ ... })) or a tensor';
    case 'storage-texture':
    case 'texture':
      return 'pass an image (mgr.image)';
    case 'sampler':
      return 'pass a sampler (mgr.sampler())';
    case 'comparison-sampler':
      return "pass a comparison sampler (mgr.sampler({ compare: 'less' }))";
    default:
      return 'this kind of binding is not supported';
  }
}

function checkTensor(b: ShaderBinding, p: PlacedResource, tensor: Tensor | TensorView, context: DeviceContext): void {
  const at = where(b);
  if (b.kind === 'storage-texture' || b.kind === 'texture') {
    throw new AlgorithmBindingError(
      'wgsl',
      `${at} is a texture (${b.typeName}) and must be var<storage> to bind ${whatIs(tensor)}`,
      'bind an image (mgr.image) to a texture binding, or declare the binding as var<storage>',
    );
  }
  if (b.kind === 'uniform') {
    if ((tensor.buffer.usage & BufferUsage.UNIFORM) === 0) {
      throw new AlgorithmBindingError(
        p.argument,
        `${at} is var<uniform> ${b.typeName} but ${tensor.label}'s buffer lacks UNIFORM usage (a wrapped buffer)`,
        'pass a parameter block (mgr.params) or a tensor made by mgr.tensor()',
      );
    }
    const max = context.limits.maxUniformBufferBindingSize;
    if (tensor.byteLength > max)
      throw new SizeError(p.argument, `${tensor.label} is ${tensor.byteLength} bytes, over this device's maxUniformBufferBindingSize (${max}) for ${at}`, 'declare it var<storage, read> instead');
    if (b.size > tensor.byteLength)
      throw new AlgorithmBindingError(p.argument, `${at} is var<uniform> ${b.typeName} of ${b.size} bytes but ${whatIs(tensor)} has ${tensor.byteLength}`, `pass a tensor of at least ${b.size} bytes`);
    return;
  }
  if (b.kind !== 'storage') {
    throw new AlgorithmBindingError('wgsl', `${at} is ${b.typeName} but must be var<storage> (or var<uniform>) to bind ${whatIs(tensor)}`, suggestion(b));
  }
  const scalar = /(f32|i32|u32|f16)>*$/.exec(b.typeName)?.[1];
  if (scalar && scalar !== tensor.dtype && !b.typeName.includes(`atomic<${tensor.dtype}>`)) {
    throw new AlgorithmBindingError(p.argument, `${at} is ${b.typeName} but ${tensor.label} is ${tensor.dtype}`, `pass a ${scalar} tensor or change the shader's element type to ${tensor.dtype}`);
  }
}

function checkOne(b: ShaderBinding, p: PlacedResource, context: DeviceContext): void {
  const r = p.resource;
  if (r instanceof Image) {
    checkImageBinding(where(b), p.argument, b, r);
    return;
  }
  if (isLinear(r)) {
    checkTensor(b, p, r, context);
    return;
  }
  if (r instanceof Sampler) {
    if (b.kind === 'sampler' && r.comparison)
      throw new AlgorithmBindingError(p.argument, `${where(b)} is a sampler but ${r.label} is a comparison sampler`, 'create it without compare, or declare sampler_comparison');
    if (b.kind === 'comparison-sampler' && !r.comparison)
      throw new AlgorithmBindingError(p.argument, `${where(b)} is sampler_comparison but ${r.label} has no compare function`, "create it with mgr.sampler({ compare: 'less' })");
    if (b.kind !== 'sampler' && b.kind !== 'comparison-sampler') throw new AlgorithmBindingError(p.argument, `${where(b)} is ${b.typeName} but ${whatIs(r)} was given`, suggestion(b));
    return;
  }
  if (b.kind !== 'uniform' && !(b.kind === 'storage' && b.access === 'read')) {
    throw new AlgorithmBindingError(
      p.argument,
      `${where(b)} is ${b.kind === 'storage' ? `var<storage, read_write> ${b.typeName}` : b.typeName} but ${whatIs(r)} was given`,
      b.kind === 'storage'
        ? `a parameter block is read-only: for a struct the shader writes, pass a tensor holding its bytes and read it back, e.g. const ${b.name} = mgr.tensor(new Uint32Array(${Math.max(1, Math.ceil(b.size / 4))})); ... console.log(await ${b.name}.read()); (or declare var<storage, read>)`
        : suggestion(b),
    );
  }
}

/**
 * Checks `placed` against the bindings the entry point uses (when `check`), and gives parameter
 * blocks their struct layout (always: their buffer follows it).
 */
export function checkPlaced(context: DeviceContext, shader: ShaderInterface, entry: ComputeEntry | undefined, placed: readonly PlacedResource[], check: boolean, pushGroup: number | null): void {
  const at = new Map(placed.map((p) => [`${p.group}:${p.binding}`, p]));
  for (const p of placed) {
    if (!(p.resource instanceof ParamBlock)) continue;
    const b = declarationAt(shader, entry, p.group, p.binding);
    if (b && b.kind !== 'uniform' && !(b.kind === 'storage' && b.access === 'read')) checkOne(b, p, context);
    if (!b?.type) {
      // Reflection still loading: the block is shaped when the algorithm is planned again.
      if (b && shader.pending) continue;
      throw new AlgorithmBindingError(
        p.argument,
        b
          ? `${where(b)}: the shader could not be reflected, so ${p.resource.label}'s struct layout is unknown`
          : `the shader declares nothing at @group(${p.group}) @binding(${p.binding}) for ${p.resource.label}`,
        b ? 'pass a tensor holding the bytes instead' : 'bind it where the shader declares var<uniform>',
      );
    }
    p.resource.shapeFor(structLayout(b.type), where(b), p.argument);
  }
  if (check) {
    for (const b of bindingsOf(shader, entry)) {
      if (b.group === pushGroup && b.binding === 0) continue;
      const p = at.get(`${b.group}:${b.binding}`);
      if (b.kind === 'texture' || b.kind === 'storage-texture') checkTextureTypeSupported(where(b), b);
      if (!p) {
        const given = placed.filter((q) => q.group === b.group).length;
        throw new AlgorithmBindingError(
          b.group === 0 && placed.every((q) => q.argument.startsWith('tensors[')) ? 'tensors' : 'resources',
          `${where(b)} has no ${NOUN[b.kind]} (it is ${b.typeName})${b.group === 0 && given > 0 ? `: ${given} resource(s) were given for group 0` : ''}`,
          `${suggestion(b)} at it: tensors[${b.binding}] in an array for group 0, or { ${b.name}: ... } by name`,
        );
      }
      checkOne(declarationAt(shader, entry, b.group, b.binding)!, p, context);
    }
    for (const p of placed) {
      const b = declarationAt(shader, entry, p.group, p.binding);
      if (b && !bindingsOf(shader, entry).includes(b) && shader.reflected) checkOne(b, p, context);
    }
  }
  checkAliasing(shader, entry, placed);
  // Views bind at an offset, which the device's offset alignment must allow.
  for (const p of placed) {
    if (p.resource instanceof TensorView) p.resource.checkBindingOffset(p.argument, declarationAt(shader, entry, p.group, p.binding)?.kind === 'uniform' ? 'uniform' : 'storage');
  }
  const storage = placed.filter((p) => {
    const kind = declarationAt(shader, entry, p.group, p.binding)?.kind;
    return isLinear(p.resource) ? kind !== 'uniform' : p.resource instanceof ParamBlock && kind === 'storage';
  }).length;
  const max = context.limits.maxStorageBuffersPerShaderStage;
  if (storage > max) {
    throw new SizeError('tensors', `${storage} tensors exceed this device's maxStorageBuffersPerShaderStage (${max})`, 'bind fewer tensors, e.g. pack several arrays into one');
  }
}

/**
 * One tensor bound twice is allowed only when every such binding is read-only: WebGPU rejects a
 * buffer that one dispatch both writes and reads through two bindings.
 */
function checkAliasing(shader: ShaderInterface, entry: ComputeEntry | undefined, placed: readonly PlacedResource[]): void {
  const writable = (p: PlacedResource) => {
    const b = declarationAt(shader, entry, p.group, p.binding);
    return b ? (b.kind === 'storage' || b.kind === 'storage-texture') && b.access !== 'read' : !(p.resource instanceof Sampler || p.resource instanceof ParamBlock);
  };
  placed.forEach((p, j) => {
    if (p.resource instanceof Sampler) return;
    const i = placed.findIndex((q) => q.resource === p.resource);
    if (i < j && (writable(placed[i]!) || writable(p))) {
      const q = placed[i]!;
      const places = q.group === p.group ? `bindings ${q.binding} and ${p.binding} of group ${p.group}` : `@group(${q.group}) @binding(${q.binding}) and @group(${p.group}) @binding(${p.binding})`;
      throw new AlgorithmBindingError(p.argument, `${p.resource.label} is bound twice (${places}) and one of them is writable`, 'pass a separate tensor for each writable binding');
    }
    if (i < j) return;
    // Views (and their tensor) share one buffer: WebGPU rejects a buffer bound read-only and
    // writable in one dispatch, and writable bindings whose ranges overlap.
    const span = p.resource instanceof Memory ? bufferSpan(p.resource) : null;
    if (!span) return;
    for (let k = 0; k < j; k++) {
      const q = placed[k]!;
      const other = q.resource instanceof Memory ? bufferSpan(q.resource) : null;
      if (!other || other.tensor !== span.tensor || q.resource === p.resource) continue;
      const both = `${q.resource.label} and ${p.resource.label} (${q.argument} and ${p.argument}) are parts of one tensor, ${span.tensor.label},`;
      if (writable(q) !== writable(p)) {
        throw new AlgorithmBindingError(
          p.argument,
          `${both} and only one of the bindings is writable: WebGPU rejects a buffer bound read-only and writable in one dispatch`,
          'declare both var<storage, read_write>, or copy one range into a tensor of its own',
        );
      }
      const overlap = other.range.offset < span.range.offset + span.range.bytes && span.range.offset < other.range.offset + other.range.bytes;
      if (writable(p) && overlap) throw new AlgorithmBindingError(p.argument, `${both} their ranges overlap and both are writable`, 'bind views whose ranges do not overlap');
    }
  });
}
