import { ArgumentError } from '../errors.js';
import { Memory } from '../memory/memory.js';
import type { Tensor } from '../memory/tensor.js';
import { findShaderWrites } from './shader-writes.js';

/**
 * Tensors by the name the shader uses for them: `{ a: tensorA, out: result }`. Binding order is
 * the object's key order.
 */
export type NamedTensors = Readonly<Record<string, Tensor>>;

/** Access mode of a generated storage binding. */
export type BindingAccess = 'read' | 'read_write';

/** What an algorithm is built from once named tensors have become declarations. */
interface BoundShader {
  readonly tensors: readonly Memory[];
  readonly wgsl: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Directives (`enable f16;` ...) must precede every declaration, so they move above the bindings. */
const DIRECTIVE = /^[ \t]*(?:enable|requires|diagnostic)\b[^;]*;[ \t]*\r?\n?/gm;

/** True for `{ name: tensor }` objects, false for tensor arrays (and for anything else). */
function isNamedTensors(tensors: unknown): tensors is NamedTensors {
  return typeof tensors === 'object' && tensors !== null && !Array.isArray(tensors) && Object.getPrototypeOf(tensors) === Object.prototype;
}

/**
 * Writes the `@group(0) @binding(i)` declarations of named tensors in front of a shader body that
 * lacks them: `var<storage, ACCESS> name: array<DTYPE>;`, binding *i* for the *i*-th name. The
 * access mode is `access[name]` when given, else `read` when the body never writes the name
 * (never assigns to it and never takes its address, `arrayLength(&name)` aside), else
 * `read_write`; a body the parser cannot read gets `read_write` everywhere. Tensor arrays pass
 * through unchanged.
 */
export function bindNamedTensors(tensors: readonly Memory[] | NamedTensors, wgsl: string, access: Readonly<Record<string, BindingAccess>> | undefined): BoundShader {
  if (!isNamedTensors(tensors)) {
    if (access !== undefined)
      throw new ArgumentError('access', 'applies only to named tensors, whose bindings are generated', 'pass the tensors as { name: tensor }, or declare the access modes in the shader');
    return { tensors: tensors as readonly Memory[], wgsl };
  }
  const names = Object.keys(tensors);
  if (names.length === 0) throw new ArgumentError('tensors', 'no named tensors were given', 'pass { name: tensor, ... } with the names the shader uses');
  if (typeof wgsl !== 'string') return { tensors: Object.values(tensors), wgsl };
  if (/@group\s*\(\s*0\s*\)/.test(wgsl)) {
    throw new ArgumentError(
      'wgsl',
      'named tensors generate the @group(0) declarations, but the shader declares @group(0) bindings itself',
      'remove the declarations from the shader, or pass the tensors as an array in binding order',
    );
  }
  for (const name of names) {
    if (!IDENTIFIER.test(name) || name === '_' || name.startsWith('__')) {
      throw new ArgumentError(`tensors.${name}`, `'${name}' is not a WGSL identifier`, 'use letters, digits and underscores, not starting with a digit or __');
    }
    const tensor = tensors[name];
    if (!(tensor instanceof Memory)) {
      throw new ArgumentError(`tensors.${name}`, 'is not a Tensor', 'create tensors with mgr.tensor()');
    }
    if ('width' in (tensor as object)) {
      throw new ArgumentError(
        `tensors.${name}`,
        'is an image: only tensors get generated bindings',
        'pass the images and tensors as an array in binding order, with the texture declarations in the shader',
      );
    }
  }
  for (const [name, mode] of Object.entries(access ?? {})) {
    if (!names.includes(name)) throw new ArgumentError(`access.${name}`, `no tensor is named '${name}'`, `name one of ${names.join(', ')}`);
    if (mode !== 'read' && mode !== 'read_write') throw new ArgumentError(`access.${name}`, `expected 'read' or 'read_write', got ${String(mode)}`, "storage bindings are 'read' or 'read_write'");
  }
  let written: ReadonlySet<string> | null = null;
  try {
    written = findShaderWrites(wgsl).possible;
  } catch {
    // Unreadable for the parser: every binding stays read_write, and the compiler reports errors.
  }
  const list = names.map((name) => tensors[name]!);
  const directives = wgsl.match(DIRECTIVE)?.map((d) => d.trim()) ?? [];
  if (list.some((t) => t.dtype === 'f16') && !directives.some((d) => /^enable\s[^;]*\bf16\b/.test(d))) directives.unshift('enable f16;');
  const declarations = names.map((name, i) => {
    const mode = access?.[name] ?? (written && !written.has(name) ? 'read' : 'read_write');
    return `@group(0) @binding(${i}) var<storage, ${mode}> ${name}: array<${list[i]!.dtype}>;`;
  });
  return { tensors: list, wgsl: [...directives, ...declarations, wgsl.replace(DIRECTIVE, '')].join('\n') };
}
