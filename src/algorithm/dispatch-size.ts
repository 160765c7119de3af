import { ArgumentError } from '../errors.js';
import { checkConstantsShape, resolveWorkgroupSize, type SpecializationConstants } from './constants.js';
import { type ComputeEntry, reflectShader } from './shader-interface.js';

/**
 * How many workgroups an algorithm dispatches when `workgroup` is not given: the first bound
 * tensor (or image: its element count) covered once, `ceil(size / workgroup_size.x)` workgroups,
 * which is Kompute's default (`size` workgroups) for its `@workgroup_size(1)` shaders.
 */
export function defaultWorkgroups(first: { readonly size: number } | undefined, workgroupSize: readonly [number, number, number]): [number, number, number] {
  if (!first) return [1, 1, 1];
  return [Math.max(1, Math.ceil(first.size / workgroupSize[0])), 1, 1];
}

/** Workgroups that cover `invocations` `[x, y?, z?]` with `workgroupSize`: `ceil(n / size)` per dimension. */
export function workgroupsForInvocations(invocations: readonly number[], workgroupSize: readonly [number, number, number]): [number, number, number] {
  if (!Array.isArray(invocations) || invocations.length < 1 || invocations.length > 3) {
    throw new ArgumentError('invocations', 'expected [x], [x, y] or [x, y, z] invocation counts', 'pass an array of one to three positive integers');
  }
  return [0, 1, 2].map((i) => {
    const n = invocations[i] ?? 1;
    if (!Number.isInteger(n) || n < 1)
      throw new ArgumentError('invocations', `dimension ${'xyz'[i]} must be a positive integer, got ${String(n)}`, 'invocation counts are whole numbers of at least 1');
    return Math.ceil(n / workgroupSize[i]!);
  }) as [number, number, number];
}

/** The compute entry point `requested` names, or the default one (the only one, or `main`). */
export function pickEntry(entries: readonly ComputeEntry[], requested: string | undefined): ComputeEntry | undefined {
  if (requested !== undefined) return entries.find((e) => e.name === requested);
  return entries.length === 1 ? entries[0] : entries.find((e) => e.name === 'main');
}

/**
 * The `@workgroup_size` of a shader's entry point (overrides resolved from `constants` and their
 * defaults; `[1, 1, 1]` where the shader cannot be read). For tools that dispatch like
 * `mgr.algorithm` does by default, such as the CLI.
 */
export function shaderWorkgroupSize(wgsl: string, options: { readonly entryPoint?: string; readonly constants?: SpecializationConstants } = {}): [number, number, number] {
  const shader = reflectShader(wgsl);
  return resolveWorkgroupSize(pickEntry(shader.entries, options.entryPoint), shader.overrides, checkConstantsShape(options.constants), shader.consts);
}

/** The default dispatch of `defaultWorkgroups` for a shader and the element count of its first tensor. */
export function defaultDispatch(wgsl: string, size: number, options: { readonly entryPoint?: string; readonly constants?: SpecializationConstants } = {}): [number, number, number] {
  return defaultWorkgroups({ size }, shaderWorkgroupSize(wgsl, options));
}
