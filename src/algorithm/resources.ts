import { $internal, assertSameManager } from '../core/internal.js';
import { ArgumentError } from '../errors.js';
import type { DeviceContext } from '../core/device-context.js';
import { Image, type ImageViewDimension } from '../memory/image.js';
import type { Memory } from '../memory/memory.js';
import { Tensor } from '../memory/tensor.js';
import { isLinear } from '../memory/tensor-view.js';
import { type BindingAccess, bindNamedTensors } from './generated-bindings.js';
import { ParamBlock } from './param-block.js';
import { Sampler } from './sampler.js';
import { reflectShader } from './shader-interface.js';

/** Anything an algorithm binds: tensors and images, samplers, parameter blocks. */
export type Bindable = Memory | Sampler | ParamBlock;

/**
 * An algorithm's resources. An array is Kompute's form: element *i* at `@group(0) @binding(i)`
 * (`undefined` leaves a hole). An object places each resource by the WGSL variable name the
 * shader declares (`{ params, input, output, samp }`), or by a key `'@group(g) @binding(b)'`;
 * tensors under names the shader does not declare get generated declarations
 * (`var<storage, ...> name: array<dtype>;` at group 0, in key order).
 */
export type AlgorithmResources = readonly (Bindable | undefined | null)[] | Readonly<Record<string, Bindable>>;

/** One resource at its place. */
export interface PlacedResource {
  readonly group: number;
  readonly binding: number;
  readonly resource: Bindable;
  /** How error messages name it: `tensors[2]` or `resources.params`. */
  readonly argument: string;
  /** For an image: the view dimension its declaration asks for (set by the layout). */
  readonly view?: ImageViewDimension;
}

/** What an algorithm is built from once its resources are placed. */
export interface BoundResources {
  readonly placed: readonly PlacedResource[];
  /** The module to compile (with generated declarations in front, when there are any). */
  readonly wgsl: string;
  /** The shader as the user wrote it, and how many lines were written in front of it. */
  readonly source: string;
  readonly lineOffset: number;
}

/** The placements {@link bindResources} made (so an algorithm can tell them from a user's object). */
const made = new WeakSet<object>();

/** True for what {@link bindResources} returned. */
export function isBoundResources(value: unknown): value is BoundResources {
  return typeof value === 'object' && value !== null && made.has(value);
}

function done(bound: BoundResources): BoundResources {
  made.add(bound);
  return bound;
}

const PLACE_KEY = /^\s*@?group\s*\(\s*(\d+)\s*\)\s*@?binding\s*\(\s*(\d+)\s*\)\s*$/;

/** True for `Tensor`, `Image`, `Sampler` and `ParamBlock` objects (one brand check). */
export function isBindable(value: unknown): value is Bindable {
  return isLinear(value) || value instanceof Image || value instanceof Sampler || value instanceof ParamBlock;
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);
}

function checkResource(argument: string, value: unknown, context: DeviceContext, label: string): Bindable {
  if (!isBindable(value)) {
    throw new ArgumentError(
      argument,
      `is not a Tensor, Image, Sampler or ParamBlock (got ${value === null ? 'null' : typeof value})`,
      'pass tensors (mgr.tensor), images (mgr.image), samplers (mgr.sampler) or parameter blocks (mgr.params)',
    );
  }
  value[$internal].assertUsable(`binding to ${label}`);
  assertSameManager(argument, value, context, `binding to ${label}`);
  return value;
}

/** Places `resources` for `wgsl` (see {@link AlgorithmResources}); checks each is a live resource of `context`. */
export function bindResources(context: DeviceContext, label: string, resources: unknown, wgsl: string, access: Readonly<Record<string, BindingAccess>> | undefined): BoundResources {
  if (Array.isArray(resources)) {
    if (access !== undefined) bindNamedTensors(resources as Memory[], wgsl, access);
    const placed: PlacedResource[] = [];
    resources.forEach((r, i) => {
      if (r === undefined || r === null) return;
      placed.push({ group: 0, binding: i, resource: checkResource(`tensors[${i}]`, r, context, label), argument: `tensors[${i}]` });
    });
    return done({ placed, wgsl, source: wgsl, lineOffset: 0 });
  }
  if (!isPlainObject(resources))
    throw new ArgumentError('tensors', 'expected an array of tensors (or other resources) in binding order, or an object of resources by name', 'pass [a, b, c] or { a, b, c }');
  const keys = Object.keys(resources);
  if (keys.length === 0) throw new ArgumentError('tensors', 'no named tensors were given', 'pass { name: tensor, ... } with the names the shader uses');
  if (typeof wgsl !== 'string' || wgsl.trim() === '') throw new ArgumentError('wgsl', 'expected WGSL source text', 'pass the shader as a string');
  const declared = reflectShader(wgsl).bindings;
  const placed: PlacedResource[] = [];
  const generated: Record<string, Tensor> = {};
  for (const key of keys) {
    const argument = `tensors.${key}`;
    const value = resources[key];
    const place = PLACE_KEY.exec(key);
    const declaration = place ? null : declared.find((b) => b.name === key);
    if (place || declaration) {
      const resource = checkResource(argument, value, context, label);
      const group = place ? Number(place[1]) : declaration!.group;
      const binding = place ? Number(place[2]) : declaration!.binding;
      if (access && Object.hasOwn(access, key))
        throw new ArgumentError(`access.${key}`, `'${key}' is declared in the shader, which sets its access mode`, 'change the declaration, or drop the access entry');
      placed.push({ group, binding, resource, argument });
      continue;
    }
    if (!(value instanceof Tensor)) {
      const names = declared.map((b) => b.name);
      if (isBindable(value) || value === undefined) {
        throw new ArgumentError(
          argument,
          `the shader declares no resource named '${key}'${names.length ? ` (it declares ${names.join(', ')})` : ''}; only tensors get generated declarations`,
          'use a declared name or a key like "@group(1) @binding(0)"',
        );
      }
    }
    generated[key] = value as Tensor;
  }
  const names = Object.keys(generated);
  if (names.length === 0) return done({ placed, wgsl, source: wgsl, lineOffset: 0 });
  if (declared.some((b) => b.group === 0)) {
    throw new ArgumentError(
      'wgsl',
      `the shader declares @group(0) bindings itself but not ${names.map((n) => `'${n}'`).join(', ')}: named tensors generate @group(0) declarations only for a shader without any`,
      `name the declared variables (${declared.map((b) => b.name).join(', ')}), or remove the shader's @group(0) declarations`,
    );
  }
  const bound = bindNamedTensors(generated, wgsl, access);
  bound.tensors.forEach((t, i) => {
    checkResource(`tensors.${names[i]}`, t, context, label);
    placed.push({ group: 0, binding: i, resource: t, argument: `tensors.${names[i]}` });
  });
  return done({ placed, wgsl: bound.wgsl, source: wgsl, lineOffset: bound.lineOffset });
}
