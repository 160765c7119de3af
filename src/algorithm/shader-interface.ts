import { parseWgsl } from './wgsl-parse.js';

/** One resource variable a WGSL module declares. */
export interface ShaderBinding {
  readonly group: number;
  readonly binding: number;
  readonly name: string;
  readonly kind: 'storage' | 'uniform' | 'other';
  /** `read` or `read_write` for storage buffers. */
  readonly access: 'read' | 'read_write';
  /** The declared type as written, e.g. `array<f32>` or `Params`. */
  readonly typeName: string;
  /** Byte size of a uniform's type (0 when unknown or unsized). */
  readonly size: number;
  /** For a uniform struct: each member's type name, in order (empty otherwise). */
  readonly memberTypes: readonly string[];
}

/** What kompute-ts needs to know of a WGSL module to bind tensors to it. */
export interface ShaderInterface {
  readonly bindings: readonly ShaderBinding[];
  readonly computeEntryPoints: readonly string[];
}

interface ReflectedType {
  readonly name: string;
  readonly format?: ReflectedType | null;
  readonly members?: readonly { readonly type: ReflectedType }[] | null;
}

function typeName(type: ReflectedType | null | undefined): string {
  if (!type) return '?';
  if (type.format) return `${type.name}<${typeName(type.format)}>`;
  return type.name;
}

/**
 * Reflects the resource bindings and compute entry points of `wgsl` with the `wgsl_reflect`
 * parser. Throws when the parser cannot read the module (callers fall back to the compiler).
 */
export function reflectShader(wgsl: string): ShaderInterface {
  const reflect = parseWgsl(wgsl).reflect;
  const bindings: ShaderBinding[] = [];
  for (const v of reflect.storage) {
    bindings.push({
      group: v.group,
      binding: v.binding,
      name: v.name,
      kind: v.resourceType === 1 ? 'storage' : 'other',
      access: v.access === 'read_write' || v.access === 'write' ? 'read_write' : 'read',
      typeName: typeName(v.type as ReflectedType),
      size: 0,
      memberTypes: [],
    });
  }
  for (const v of reflect.uniforms) {
    const type = v.type as ReflectedType;
    const memberTypes = (type.members ?? []).map((m) => typeName(m.type));
    bindings.push({ group: v.group, binding: v.binding, name: v.name, kind: 'uniform', access: 'read', typeName: typeName(type), size: v.size, memberTypes });
  }
  for (const v of [...reflect.textures, ...reflect.samplers]) {
    bindings.push({ group: v.group, binding: v.binding, name: v.name, kind: 'other', access: 'read', typeName: typeName(v.type as ReflectedType), size: 0, memberTypes: [] });
  }
  return { bindings, computeEntryPoints: reflect.entry.compute.map((f) => f.name) };
}
