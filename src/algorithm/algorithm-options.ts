import { anyValue, booleanValue, checkOptions, type OptionRule, objectValue, stringValue } from '../core/options.js';
import { ArgumentError, SizeError } from '../errors.js';
import type { SpecializationConstants } from './constants.js';
import type { BindingAccess } from './generated-bindings.js';
import type { PushConstants } from './push-constants.js';

/** Options of `mgr.algorithm(...)` and `algorithm.rebuild(...)`. */
export interface AlgorithmOptions {
  /**
   * Number of workgroups `[x, y, z]` to dispatch (missing y and z are 1). Default: the first
   * bound tensor covered once, `[ceil(size / workgroup_size.x), 1, 1]` (Kompute's
   * `[size, 1, 1]` for `@workgroup_size(1)` shaders); see also `invocations`.
   */
  readonly workgroup?: readonly number[];
  /**
   * Invocations `[x, y, z]` to cover instead of workgroups: the dispatch is
   * `ceil(invocations / workgroup_size)` workgroups per dimension. Not together with `workgroup`.
   */
  readonly invocations?: readonly number[];
  /**
   * Specialization constants: an array sets the WGSL `override` declared with `@id(i)` to value
   * *i*; an object sets overrides by name (`{ WorkgroupSizeX: 64 }`), with or without `@id`.
   */
  readonly constants?: SpecializationConstants;
  /**
   * Push constants, visible to the shader as `@group(1) @binding(0) var<uniform> push: P;`:
   * numbers in member order or an object by member name, converted per member (f32, i32, u32,
   * f16, vectors, matrices; integers range-checked). At most 256 bytes.
   */
  readonly pushConstants?: PushConstants;
  /** The `@compute` function to run; default the only one, or `main`. Its bindings decide the layout. */
  readonly entryPoint?: string;
  /** Name used in error messages and WebGPU labels. */
  readonly label?: string;
  /**
   * Check the shader's bindings, overrides and push constants against the resources and values
   * given (default `true`). Turn it off for a shader the `wgsl_reflect` parser misreads; the
   * WGSL compiler and WebGPU validation still run.
   */
  readonly checkBindings?: boolean;
  /**
   * With named tensors whose declarations are generated (`mgr.algorithm({ a, b }, body)`), the
   * access mode of each; names not listed are inferred (`read` when the body never writes them).
   */
  readonly access?: Readonly<Record<string, BindingAccess>>;
}

/**
 * The options `mgr.algorithm()` and `algorithm.rebuild()` accept, each with the check of its kind
 * (`anyValue` where the algorithm checks the value itself, with more specific errors). A new
 * option is one line here; an option missing here is rejected as unknown.
 */
const RULES: { readonly [K in keyof Required<AlgorithmOptions>]: OptionRule } = {
  workgroup: anyValue,
  invocations: anyValue,
  constants: anyValue,
  pushConstants: anyValue,
  entryPoint: stringValue,
  label: stringValue,
  checkBindings: booleanValue,
  access: objectValue,
};

/** Throws {@link ArgumentError} for a non-object, an unknown key (with a "did you mean") or a value of the wrong kind. */
export function checkAlgorithmOptions(options: unknown): AlgorithmOptions {
  const o = checkOptions('options', options as AlgorithmOptions | undefined, RULES);
  if (o.workgroup !== undefined && o.invocations !== undefined) throw new ArgumentError('invocations', 'cannot be given together with workgroup', 'state either workgroups or invocations');
  return o;
}

/** Checks a workgroup count against the device's limit. */
export function checkWorkgroup(workgroup: unknown, max: number, argument = 'workgroup'): [number, number, number] {
  if (!Array.isArray(workgroup) || workgroup.length < 1 || workgroup.length > 3) {
    throw new ArgumentError(argument, 'expected [x], [x, y] or [x, y, z] workgroup counts', 'pass an array of one to three positive integers');
  }
  const full = [workgroup[0], workgroup[1] ?? 1, workgroup[2] ?? 1] as [number, number, number];
  full.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 1) throw new ArgumentError(argument, `dimension ${'xyz'[i]} must be a positive integer, got ${String(n)}`, 'workgroup counts are whole numbers of at least 1');
    if (n > max) {
      throw new SizeError(
        argument,
        `dimension ${'xyz'[i]} is ${n}, over this device's maxComputeWorkgroupsPerDimension (${max})`,
        'raise @workgroup_size in the shader and dispatch fewer workgroups, or spread them over y and z',
      );
    }
  });
  return full;
}
