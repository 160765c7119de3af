import type { ComputeEntry, OverrideDeclaration, ResourceKind, ShaderBinding } from './shader-interface.js';

/**
 * A light read of a WGSL module that `wgsl_reflect` cannot parse: the resource declarations
 * (`@group(g) @binding(b) var<...> name: type;`, attributes in either order), the `@compute`
 * functions with their `@workgroup_size`, and the `override` declarations. Enough to build a
 * correct bind-group layout (a `var<storage, read>` stays read-only); which entry point uses
 * which binding is not known, so every declaration counts.
 */

/** Comments out, lengths kept (so positions still match the source). */
export function stripComments(wgsl: string): string {
  let out = '';
  let i = 0;
  let depth = 0;
  while (i < wgsl.length) {
    const two = wgsl.slice(i, i + 2);
    if (depth === 0 && two === '//') {
      while (i < wgsl.length && wgsl[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (two === '/*') {
      depth++;
      out += '  ';
      i += 2;
    } else if (depth > 0 && two === '*/') {
      depth--;
      out += '  ';
      i += 2;
    } else {
      out += depth > 0 && wgsl[i] !== '\n' ? ' ' : wgsl[i];
      i++;
    }
  }
  return out;
}

const DECLARATION = /((?:@\w+\s*(?:\([^)]*\))?\s*)+)var\s*(<[^>]*>)?\s*([A-Za-z_]\w*)\s*:\s*([^;=]+?)\s*;/g;
const ENTRY = /((?:@\w+\s*(?:\((?:[^()]|\([^()]*\))*\))?\s*)+)fn\s+([A-Za-z_]\w*)/g;
const OVERRIDE = /((?:@\w+\s*(?:\([^)]*\))?\s*)*)override\s+([A-Za-z_]\w*)\s*(?::\s*([\w<>]+))?\s*(=\s*([^;]+))?;/g;

function attribute(text: string, name: string): string | null {
  return new RegExp(`@${name}\\s*\\(([^)]*)\\)`).exec(text)?.[1]?.trim() ?? null;
}

function kindOf(space: string, type: string): { kind: ResourceKind; access: 'read' | 'read_write'; textureType: string; textureFormat: string; textureAccess: string } {
  const none = { textureType: '', textureFormat: '', textureAccess: '' };
  if (space.startsWith('storage')) return { kind: 'storage', access: /read_write|write/.test(space) ? 'read_write' : 'read', ...none };
  if (space.startsWith('uniform')) return { kind: 'uniform', access: 'read', ...none };
  const storageTexture = /^(texture_storage_\w+)\s*<\s*(\w+)\s*,\s*(\w+)\s*>/.exec(type);
  if (storageTexture) {
    const access = storageTexture[3]!;
    return { kind: 'storage-texture', access: access === 'read' ? 'read' : 'read_write', textureType: storageTexture[1]!, textureFormat: storageTexture[2]!, textureAccess: access };
  }
  const texture = /^(texture_\w+)\s*(?:<\s*(\w+)[^>]*>)?/.exec(type);
  if (texture) return { kind: 'texture', access: 'read', textureType: texture[1]!, textureFormat: texture[2] ?? '', textureAccess: '' };
  if (type === 'sampler') return { kind: 'sampler', access: 'read', ...none };
  if (type === 'sampler_comparison') return { kind: 'comparison-sampler', access: 'read', ...none };
  return { kind: 'other', access: 'read', ...none };
}

/** The declarations, entry points and overrides of `wgsl`, read without a parser. */
export function lightReadShader(wgsl: string): { bindings: ShaderBinding[]; entries: ComputeEntry[]; overrides: OverrideDeclaration[] } {
  const text = stripComments(wgsl);
  const bindings: ShaderBinding[] = [];
  for (const m of text.matchAll(DECLARATION)) {
    const attributes = m[1]!;
    const group = attribute(attributes, 'group');
    const binding = attribute(attributes, 'binding');
    if (group === null || binding === null || !/^\d+$/.test(group) || !/^\d+$/.test(binding)) continue;
    const space = (m[2] ?? '').slice(1, -1).replace(/\s+/g, '');
    const typeName = m[4]!.replace(/\s+/g, ' ').trim();
    bindings.push({ group: Number(group), binding: Number(binding), name: m[3]!, typeName, size: 0, type: null, ...kindOf(space, typeName) });
  }
  bindings.sort((a, b) => a.group - b.group || a.binding - b.binding);
  const entries: ComputeEntry[] = [];
  for (const m of text.matchAll(ENTRY)) {
    if (!/@compute\b/.test(m[1]!)) continue;
    const sizeText = /@workgroup_size\s*\(((?:[^()]|\([^()]*\))*)\)/.exec(m[1]!)?.[1] ?? '';
    const name = m[2]!;
    const workgroupSize = sizeText
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const numbers = workgroupSize.map((s) => Number.parseInt(s, 10));
    const resolved = numbers.length > 0 && workgroupSize.every((s) => /^\d+[iu]?$/.test(s)) ? ([numbers[0]!, numbers[1] ?? 1, numbers[2] ?? 1] as const) : null;
    entries.push({ name, workgroupSize, resolvedSize: resolved, uses: null });
  }
  const overrides: OverrideDeclaration[] = [];
  for (const m of text.matchAll(OVERRIDE)) {
    const id = attribute(m[1] ?? '', 'id');
    const value = m[5]?.trim();
    const literal = value !== undefined && /^-?[\d.]+(?:e-?\d+)?[fhiu]?$/.test(value) ? Number.parseFloat(value) : null;
    overrides.push({ name: m[2]!, type: m[3] ?? 'abstract', id: id === null ? null : Number(id), hasDefault: value !== undefined, defaultValue: literal });
  }
  return { bindings, entries, overrides };
}
