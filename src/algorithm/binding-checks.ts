import type { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { AlgorithmBindingError } from '../errors.js';
import type { Tensor } from '../memory/tensor.js';
import { findShaderWrites } from './shader-writes.js';
import { parseWgsl } from './wgsl-parse.js';

/**
 * The checks of a shader against its tensors, constants and push constants that go beyond
 * "binding i has a tensor of the declared element type" (done in algorithm.ts): writes to
 * read-only bindings, struct element types, fixed-size arrays, element strides, `override` ids
 * and the push-constant count. Each failure is an {@link AlgorithmBindingError} naming the
 * binding (or override), its WGSL type and the tensor (or value) it was given.
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

interface OverrideDeclaration {
  readonly name: string;
  readonly type: string;
  readonly id: number | null;
  readonly hasDefault: boolean;
}

function overridesOf(ast: readonly unknown[]): OverrideDeclaration[] {
  const found: OverrideDeclaration[] = [];
  for (const node of ast as Record<string, unknown>[]) {
    if (node['astNodeType'] !== 'override') continue;
    const attributes = (node['attributes'] as { name: string; value: unknown }[] | null) ?? [];
    const id = attributes.find((a) => a.name === 'id')?.value;
    const type = (node['type'] as { name?: string } | null)?.name ?? 'abstract';
    found.push({ name: String(node['name']), type, id: id === undefined ? null : Number(id), hasDefault: node['value'] !== null && node['value'] !== undefined });
  }
  return found;
}

function describe(tensor: Tensor): string {
  return `${tensor.label} (${tensor.size} × ${tensor.dtype}, ${tensor.byteLength} bytes)`;
}

/**
 * Checks `wgsl` against what the algorithm is given. Silently returns when the parser cannot
 * read the module: the WGSL compiler then has the last word.
 */
export function checkBindingDetails(wgsl: string, tensors: readonly Tensor[], constants: readonly number[], push: ArrayLike<number> | null): void {
  let reflect: WgslReflect;
  let writes: ReturnType<typeof findShaderWrites>;
  let overrides: OverrideDeclaration[];
  try {
    const parsed = parseWgsl(wgsl);
    reflect = parsed.reflect;
    writes = findShaderWrites(wgsl);
    overrides = overridesOf(parsed.ast);
  } catch {
    return;
  }
  for (const variable of reflect.storage) {
    const tensor = tensors[variable.binding];
    if (variable.group !== 0 || !tensor || variable.resourceType !== 1) continue;
    const type = variable.type as unknown as TypeLike;
    const text = wgslTypeText(type);
    const where = `@group(0) @binding(${variable.binding}) '${variable.name}': ${text}`;
    const argument = `tensors[${variable.binding}]`;
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
  checkOverrides(overrides, constants);
  checkPushCount(reflect, push);
}

function checkOverrides(overrides: readonly OverrideDeclaration[], constants: readonly number[]): void {
  const declared = overrides.filter((o) => o.id !== null).map((o) => `@id(${o.id}) ${o.name}: ${o.type}`);
  constants.forEach((value, i) => {
    if (!overrides.some((o) => o.id === i)) {
      throw new AlgorithmBindingError(
        `constants[${i}]`,
        `the value ${value} has no 'override' declared with @id(${i}); the shader declares ${declared.join(', ') || 'none'}`,
        `declare '@id(${i}) override name: f32;' or pass fewer constants`,
      );
    }
  });
  for (const o of overrides) {
    if (o.hasDefault) continue;
    if (o.id === null) {
      throw new AlgorithmBindingError(
        'constants',
        `'override ${o.name}: ${o.type}' has no @id and no default value, so no constant can set it`,
        `declare it '@id(i) override ${o.name}: ${o.type};' and pass constants[i], or give it a default`,
      );
    }
    if (constants[o.id] === undefined) {
      throw new AlgorithmBindingError(
        `constants[${o.id}]`,
        `'@id(${o.id}) override ${o.name}: ${o.type}' has no default value and ${constants.length} constant(s) were given`,
        `pass constants[${o.id}], or give the override a default value`,
      );
    }
  }
}

function checkPushCount(reflect: WgslReflect, push: ArrayLike<number> | null): void {
  const uniform = reflect.uniforms.find((u) => u.group === 1 && u.binding === 0);
  if (!uniform || !push) return;
  const type = uniform.type as unknown as TypeLike;
  const members = type.members ? type.members.map((m) => m.type.name) : [type.name];
  if (!members.every((m) => m === 'f32' || m === 'i32' || m === 'u32')) return;
  if (push.length > members.length) {
    throw new AlgorithmBindingError(
      'pushConstants',
      `@group(1) @binding(0) '${uniform.name}': ${wgslTypeText(type)} holds ${members.length} value(s) (${members.length * 4} bytes) but ${push.length} values (${push.length * 4} bytes) were given`,
      'pass one value per struct member, or add members to the struct',
    );
  }
}
