import type { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { AlgorithmBindingError } from '../errors.js';
import type { Tensor } from '../memory/tensor.js';
import { findShaderWrites } from './shader-writes.js';
import { parseWgsl } from './wgsl-parse.js';

/**
 * The checks of a shader's storage bindings against their tensors that go beyond "the binding
 * has a tensor of the declared element type" (done in resource-checks.ts): writes to read-only
 * bindings, struct element types, fixed-size arrays, element strides. Each failure is an
 * {@link AlgorithmBindingError} naming the binding, its WGSL type and the tensor it was given.
 */

interface TypeLike {
  readonly name: string;
  readonly size?: number;
  readonly count?: number;
  readonly stride?: number;
  readonly format?: TypeLike | null;
  readonly members?: readonly { readonly name: string; readonly type: TypeLike }[] | null;
}

/** A WGSL type as written: `array<vec4<f32>, 16>`, `atomic<u32>`, or a struct's name. */
function wgslTypeText(type: TypeLike | null | undefined): string {
  if (!type) return '?';
  if (type.name === 'array' && type.format) return `array<${wgslTypeText(type.format)}${type.count ? `, ${type.count}` : ''}>`;
  if (type.format) return `${type.name}<${wgslTypeText(type.format)}>`;
  return type.name;
}

const SCALARS = new Set(['f32', 'i32', 'u32', 'f16']);
const SHORT_VECTORS: Readonly<Record<string, string>> = { f: 'f32', i: 'i32', u: 'u32', h: 'f16' };

/** The scalar types a type is made of (`vec4f` → f32; a struct → its members' scalars). */
function scalarsOf(type: TypeLike | null | undefined, into = new Set<string>()): Set<string> {
  if (!type) return into;
  if (SCALARS.has(type.name)) into.add(type.name);
  const short = /^(?:vec[234]|mat[234]x[234])([fiuh])$/.exec(type.name)?.[1];
  if (short) into.add(SHORT_VECTORS[short]!);
  if (type.format) scalarsOf(type.format, into);
  for (const member of type.members ?? []) scalarsOf(member.type, into);
  return into;
}

function describe(tensor: Tensor): string {
  return `${tensor.label} (${tensor.size} × ${tensor.dtype}, ${tensor.byteLength} bytes)`;
}

/**
 * Checks `wgsl`'s storage bindings against the tensors at them (keyed `group:binding`). Silently returns when the parser cannot
 * read the module: the WGSL compiler then has the last word.
 */
export function checkBindingDetails(wgsl: string, tensors: ReadonlyMap<string, { readonly tensor: Tensor; readonly argument: string }>): void {
  let reflect: WgslReflect;
  let writes: ReturnType<typeof findShaderWrites>;
  try {
    reflect = parseWgsl(wgsl).reflect;
    writes = findShaderWrites(wgsl);
  } catch {
    return;
  }
  for (const variable of reflect.storage) {
    const bound = tensors.get(`${variable.group}:${variable.binding}`);
    if (!bound || variable.resourceType !== 1) continue;
    const { tensor, argument } = bound;
    const type = variable.type as unknown as TypeLike;
    const text = wgslTypeText(type);
    const where = `@group(${variable.group}) @binding(${variable.binding}) '${variable.name}': ${text}`;
    if (variable.access === 'read' && writes.direct.has(variable.name)) {
      throw new AlgorithmBindingError(
        argument,
        `${where} is var<storage, read> but the shader writes '${variable.name}' (bound to ${describe(tensor)})`,
        'declare it var<storage, read_write>, or stop writing to it',
      );
    }
    if (type.name !== 'array') {
      const scalars = scalarsOf(type);
      const [only] = scalars;
      if (scalars.size === 1 && only !== tensor.dtype) {
        throw new AlgorithmBindingError(
          argument,
          `${where} holds ${only} values but ${describe(tensor)} is ${tensor.dtype}`,
          `pass a ${only} tensor or change the struct's members to ${tensor.dtype}`,
        );
      }
    }
    const size = type.size ?? 0;
    const stride = type.name === 'array' ? (type.stride ?? 0) : 0;
    const runtimeSized = type.name === 'array' ? !type.count : (type.members ?? []).some((m) => m.type.name === 'array' && !m.type.count);
    const needed = runtimeSized ? size + (type.name === 'array' ? stride : 0) : size;
    if (needed > tensor.byteLength) {
      throw new AlgorithmBindingError(argument, `${where} needs at least ${needed} bytes but ${describe(tensor)} is smaller`, `pass a tensor of at least ${needed} bytes or declare a smaller array`);
    }
    if (runtimeSized && type.name === 'array' && stride > 0 && tensor.byteLength % stride !== 0) {
      throw new AlgorithmBindingError(
        argument,
        `${where} has ${stride}-byte elements but ${describe(tensor)} is not a whole number of them`,
        `pass a tensor whose size is a multiple of ${stride / (tensor.byteLength / tensor.size)} ${tensor.dtype} values`,
      );
    }
  }
}
