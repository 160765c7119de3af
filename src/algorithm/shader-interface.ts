import { readModuleConsts } from './const-expr.js';
import { lightReadShader, stripComments } from './wgsl-light-read.js';
import { parseWgsl, ReflectionNotLoaded } from './wgsl-parse.js';
import { type ReflectedType, typeText } from './struct-layout.js';

/** What kind of resource a module-scope variable is. */
export type ResourceKind = 'storage' | 'uniform' | 'storage-texture' | 'texture' | 'sampler' | 'comparison-sampler' | 'other';

/** One resource variable a WGSL module declares. */
export interface ShaderBinding {
  readonly group: number;
  readonly binding: number;
  readonly name: string;
  readonly kind: ResourceKind;
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
  /** Byte size of a buffer's type (0 when unknown or runtime-sized). */
  readonly size: number;
  /** The reflected type (for struct layouts and detail checks); null from the light read. */
  readonly type: ReflectedType | null;
}

/** One `@compute` function. */
export interface ComputeEntry {
  readonly name: string;
  /** `@workgroup_size` as written: numbers, or names of overrides / constants. */
  readonly workgroupSize: readonly string[];
  /** The size the reflection resolved (override defaults applied), when it could. */
  readonly resolvedSize: readonly [number, number, number] | null;
  /** The bindings it uses, directly or through functions it calls; null when unknown (light read). */
  readonly uses: ReadonlySet<ShaderBinding> | null;
}

/** An `override` declaration. */
export interface OverrideDeclaration {
  readonly name: string;
  readonly type: string;
  readonly id: number | null;
  readonly hasDefault: boolean;
  /** The default when it is a plain number literal. */
  readonly defaultValue: number | null;
}

/** What kompute-ts needs to know of a WGSL module to bind resources to it. */
export interface ShaderInterface {
  /** Every resource declaration, in source order (two entry points may declare the same binding). */
  readonly bindings: readonly ShaderBinding[];
  readonly entries: readonly ComputeEntry[];
  readonly overrides: readonly OverrideDeclaration[];
  /** False when `wgsl_reflect` could not parse the module and the declarations were read lightly. */
  readonly reflected: boolean;
  /** The parser's complaint, when it could not read the module. */
  readonly parseError: string;
  /** Module-scope `const` declarations: name → expression text (for `@workgroup_size(TILE * 2u)`). */
  readonly consts: ReadonlyMap<string, string>;
  /** True when the module was read lightly only because `wgsl_reflect` is still loading. */
  readonly pending?: boolean;
}

const NO_TEXTURE = { textureType: '', textureFormat: '', textureAccess: '' };

interface ReflectedVariable {
  readonly name: string;
  readonly group: number;
  readonly binding: number;
  readonly resourceType: number;
  readonly access: string;
  readonly type: ReflectedType;
  readonly size: number;
}

function toBinding(v: ReflectedVariable): ShaderBinding {
  const type = v.type;
  const base = { group: v.group, binding: v.binding, name: v.name, type };
  switch (v.resourceType) {
    case 0:
      return { ...base, kind: 'uniform', access: 'read', typeName: typeText(type), size: v.size, ...NO_TEXTURE };
    case 1:
      return { ...base, kind: 'storage', access: v.access === 'read' ? 'read' : 'read_write', typeName: typeText(type), size: v.size, ...NO_TEXTURE };
    case 3:
      return { ...base, kind: 'texture', access: 'read', typeName: typeText(type), size: 0, textureType: type.name, textureFormat: type.format?.name ?? '', textureAccess: '' };
    case 4:
      return { ...base, kind: type.name === 'sampler_comparison' ? 'comparison-sampler' : 'sampler', access: 'read', typeName: type.name, size: 0, ...NO_TEXTURE };
    case 5:
      return {
        ...base,
        kind: 'storage-texture',
        access: v.access === 'read' ? 'read' : 'read_write',
        typeName: `${type.name}<${type.format?.name ?? '?'}, ${v.access}>`,
        size: 0,
        textureType: type.name,
        textureFormat: type.format?.name ?? '',
        textureAccess: v.access,
      };
    default:
      return { ...base, kind: 'other', access: 'read', typeName: typeText(type), size: 0, ...NO_TEXTURE };
  }
}

function overridesOf(ast: readonly unknown[]): OverrideDeclaration[] {
  const found: OverrideDeclaration[] = [];
  for (const node of ast as Record<string, unknown>[]) {
    if (node['astNodeType'] !== 'override') continue;
    const attributes = (node['attributes'] as { name: string; value: unknown }[] | null) ?? [];
    const id = attributes.find((a) => a.name === 'id')?.value;
    const type = (node['type'] as { name?: string } | null)?.name ?? 'abstract';
    const value = node['value'] as Record<string, unknown> | null | undefined;
    const literal = value && value['astNodeType'] === 'literalExpr' ? Number(value['value']) : Number.NaN;
    found.push({
      name: String(node['name']),
      type,
      id: id === undefined ? null : Number(id),
      hasDefault: value !== null && value !== undefined,
      defaultValue: Number.isFinite(literal) ? literal : null,
    });
  }
  return found;
}

function attributeValues(attributes: readonly { name: string; value: unknown }[] | null, name: string): string[] {
  const value = attributes?.find((a) => a.name === name)?.value;
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => String(v).trim());
}

const cache = new Map<string, ShaderInterface>();

/**
 * The resource declarations, compute entry points (with the bindings each uses) and overrides
 * of `wgsl`, from the `wgsl_reflect` parser; when it cannot parse the module, from a light read
 * of the declarations (`reflected: false`: no per-entry-point use, no detail checks).
 */
export function reflectShader(wgsl: string): ShaderInterface {
  const cached = cache.get(wgsl);
  if (cached) return cached;
  let shader: ShaderInterface;
  try {
    const { ast, reflect, sanitized } = parseWgsl(wgsl);
    // @workgroup_size as written (the parser's copy may hold placeholders), from the source text.
    const written = new Map(lightReadShader(wgsl).entries.map((e) => [e.name, e.workgroupSize]));
    const known = new Map<ReflectedVariable, ShaderBinding>();
    const all = [...reflect.uniforms, ...reflect.storage, ...reflect.textures, ...reflect.samplers] as unknown as ReflectedVariable[];
    all.sort((a, b) => a.group - b.group || a.binding - b.binding);
    for (const v of all) known.set(v, toBinding(v));
    const bindings = [...known.values()];
    const entries = reflect.entry.compute.map((f): ComputeEntry => {
      const uses = new Set<ShaderBinding>();
      for (const r of f.resources as unknown as ReflectedVariable[]) {
        const b = known.get(r) ?? bindings.find((x) => x.name === r.name && x.group === r.group && x.binding === r.binding);
        if (b) uses.add(b);
      }
      const size = f.workgroupSize;
      return {
        name: f.name,
        workgroupSize: written.get(f.name) ?? attributeValues(f.attributes as { name: string; value: unknown }[] | null, 'workgroup_size'),
        resolvedSize: !sanitized && size && size.every((n) => Number.isInteger(n) && n > 0) ? [size[0], size[1], size[2]] : null,
        uses,
      };
    });
    shader = { bindings, entries, overrides: overridesOf(ast), consts: readModuleConsts(stripComments(wgsl)), reflected: true, parseError: '' };
  } catch (error) {
    if (error instanceof ReflectionNotLoaded) return { ...lightReadShader(wgsl), consts: readModuleConsts(stripComments(wgsl)), reflected: false, parseError: error.message, pending: true };
    shader = { ...lightReadShader(wgsl), consts: readModuleConsts(stripComments(wgsl)), reflected: false, parseError: error instanceof Error ? error.message : String(error) };
  }
  cache.set(wgsl, shader);
  if (cache.size > 32) cache.delete(cache.keys().next().value as string);
  return shader;
}

/** The bindings `entry` uses, or every declaration when that is unknown; one per group and binding. */
export function bindingsOf(shader: ShaderInterface, entry: ComputeEntry | undefined): ShaderBinding[] {
  const used = entry?.uses ?? null;
  const chosen = new Map<string, ShaderBinding>();
  for (const b of shader.bindings) {
    const key = `${b.group}:${b.binding}`;
    if (used && !used.has(b)) continue;
    if (!chosen.has(key)) chosen.set(key, b);
  }
  return [...chosen.values()];
}

/** The declaration at a group and binding that `entry` uses, else the first declared there. */
export function declarationAt(shader: ShaderInterface, entry: ComputeEntry | undefined, group: number, binding: number): ShaderBinding | undefined {
  const at = shader.bindings.filter((b) => b.group === group && b.binding === binding);
  return at.find((b) => entry?.uses?.has(b)) ?? at[0];
}
