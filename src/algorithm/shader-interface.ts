import { parseWgsl } from './wgsl-parse.js';

/** One resource variable a WGSL module declares. */
export interface ShaderBinding {
  readonly group: number;
  readonly binding: number;
  readonly name: string;
  /**
   * `storage` (a storage buffer), `uniform`, `storage-texture` (`texture_storage_*`), `texture`
   * (a sampled `texture_*`), or `other` (samplers, ...).
   */
  readonly kind: 'storage' | 'uniform' | 'storage-texture' | 'texture' | 'other';
  /** `read` or `read_write` (any writable access) for storage buffers and textures; `read` for the rest. */
  readonly access: 'read' | 'read_write';
  /** For textures: the type's name, e.g. `texture_storage_2d` or `texture_2d` (empty otherwise). */
  readonly textureType: string;
  /** For storage textures: the texel format, e.g. `rgba32float`; for sampled textures: the sampled type, e.g. `f32`. */
  readonly textureFormat: string;
  /** For storage textures: the access as declared (`read`, `write` or `read_write`); empty otherwise. */
  readonly textureAccess: string;
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
  readonly access?: string | null;
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
  const noTexture = { textureType: '', textureFormat: '', textureAccess: '' };
  for (const v of reflect.storage) {
    const type = v.type as ReflectedType;
    const isTexture = type.name.startsWith('texture_');
    bindings.push({
      group: v.group,
      binding: v.binding,
      name: v.name,
      kind: isTexture ? 'storage-texture' : v.resourceType === 1 ? 'storage' : 'other',
      access: v.access === 'read_write' || v.access === 'write' ? 'read_write' : 'read',
      typeName: isTexture ? `${type.name}<${type.format?.name ?? '?'}, ${v.access}>` : typeName(type),
      size: 0,
      memberTypes: [],
      ...(isTexture ? { textureType: type.name, textureFormat: type.format?.name ?? '', textureAccess: v.access } : noTexture),
    });
  }
  for (const v of reflect.uniforms) {
    const type = v.type as ReflectedType;
    const memberTypes = (type.members ?? []).map((m) => typeName(m.type));
    bindings.push({ group: v.group, binding: v.binding, name: v.name, kind: 'uniform', access: 'read', typeName: typeName(type), size: v.size, memberTypes, ...noTexture });
  }
  for (const v of reflect.textures) {
    const type = v.type as ReflectedType;
    bindings.push({
      group: v.group,
      binding: v.binding,
      name: v.name,
      kind: 'texture',
      access: 'read',
      typeName: typeName(type),
      size: 0,
      memberTypes: [],
      textureType: type.name,
      textureFormat: type.format?.name ?? '',
      textureAccess: '',
    });
  }
  for (const v of reflect.samplers) {
    bindings.push({ group: v.group, binding: v.binding, name: v.name, kind: 'other', access: 'read', typeName: typeName(v.type as ReflectedType), size: 0, memberTypes: [], ...noTexture });
  }
  return { bindings, computeEntryPoints: reflect.entry.compute.map((f) => f.name) };
}
