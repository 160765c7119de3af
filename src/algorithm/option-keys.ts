import { anyValue, booleanValue, checkOptions, type OptionRule, objectValue, stringValue } from '../core/options.js';
import type { AlgorithmOptions } from './algorithm.js';

/**
 * The options `mgr.algorithm()` and `algorithm.rebuild()` accept, each with the check of its
 * kind (`anyValue` where the algorithm checks the value itself, with more specific errors). A new
 * option is one line here; an option missing here is rejected as unknown.
 */
export const ALGORITHM_OPTION_RULES: { readonly [K in keyof Required<AlgorithmOptions>]: OptionRule } = {
  workgroup: anyValue,
  constants: anyValue,
  pushConstants: anyValue,
  entryPoint: stringValue,
  label: stringValue,
  checkBindings: booleanValue,
  access: objectValue,
};

/** The option names of {@link ALGORITHM_OPTION_RULES}. */
export const ALGORITHM_OPTION_KEYS: readonly string[] = Object.keys(ALGORITHM_OPTION_RULES);

/** Throws an ArgumentError for options that are not an object, unknown keys, and values of the wrong kind. */
export function checkAlgorithmOptions(options: unknown): void {
  checkOptions('options', options as object | undefined, ALGORITHM_OPTION_RULES, '');
}
