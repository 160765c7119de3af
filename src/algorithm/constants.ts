import { evaluateIntExpression } from './const-expr.js';
import { AlgorithmBindingError, ArgumentError } from '../errors.js';
import type { ComputeEntry, OverrideDeclaration } from './shader-interface.js';

/**
 * Specialization constants: value *i* of an array sets the `override` declared with `@id(i)`
 * (Kompute's form); an object sets overrides by name (`{ WorkgroupSizeX: 64 }`, as WebGPU's
 * `constants` does, also for overrides without `@id`) or by id (`{ '0': 2.5 }`).
 */
export type SpecializationConstants = readonly number[] | Readonly<Record<string, number>>;

/** Checks the shape of `constants`. */
export function checkConstantsShape(constants: unknown): SpecializationConstants {
  if (constants === undefined) return [];
  if (Array.isArray(constants)) {
    if (constants.some((c) => typeof c !== 'number' || !Number.isFinite(c))) {
      throw new ArgumentError('constants', 'specialization constants must be an array of finite numbers', 'value i sets the override declared with @id(i)');
    }
    return [...constants];
  }
  if (typeof constants !== 'object' || constants === null) {
    throw new ArgumentError(
      'constants',
      `expected an array of numbers or an object of overrides by name, got ${constants === null ? 'null' : typeof constants}`,
      'pass [v0, v1] by @id, or { name: value }',
    );
  }
  const record: Record<string, number> = {};
  for (const [key, value] of Object.entries(constants)) {
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new ArgumentError(`constants.${key}`, `must be a finite number, got ${String(value)}`, 'override values are numbers (booleans as 0 or 1)');
    record[key] = value;
  }
  return record;
}

/** The constants as WebGPU's `GPUProgrammableStage.constants`: keyed by `@id` where declared, else by name. */
export function stageConstants(constants: SpecializationConstants, overrides: readonly OverrideDeclaration[]): Record<string, number> {
  if (Array.isArray(constants)) return Object.fromEntries(constants.map((c, i) => [String(i), c]));
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(constants)) {
    const declared = overrides.find((o) => o.name === key);
    out[declared?.id !== null && declared?.id !== undefined ? String(declared.id) : key] = value;
  }
  return out;
}

function valueFor(o: OverrideDeclaration, constants: SpecializationConstants): number | undefined {
  if (Array.isArray(constants)) return o.id === null ? undefined : constants[o.id];
  const record = constants as Readonly<Record<string, number>>;
  if (Object.hasOwn(record, o.name)) return record[o.name];
  if (o.id !== null && Object.hasOwn(record, String(o.id))) return record[String(o.id)];
  return undefined;
}

/** Checks that every constant sets a declared override, and every override without a default gets one. */
export function checkOverrides(overrides: readonly OverrideDeclaration[], constants: SpecializationConstants): void {
  const declared = overrides.map((o) => `${o.id !== null ? `@id(${o.id}) ` : ''}${o.name}: ${o.type}`);
  if (Array.isArray(constants)) {
    constants.forEach((value, i) => {
      if (!overrides.some((o) => o.id === i)) {
        throw new AlgorithmBindingError(
          `constants[${i}]`,
          `the value ${value} has no 'override' declared with @id(${i}); the shader declares ${declared.join(', ') || 'none'}`,
          overrides.some((o) => o.id === null)
            ? `set overrides without @id by name: constants: { ${overrides.find((o) => o.id === null)!.name}: ${value} }`
            : `declare '@id(${i}) override name: f32;' or pass fewer constants`,
        );
      }
    });
  } else {
    for (const key of Object.keys(constants)) {
      if (!overrides.some((o) => o.name === key || (o.id !== null && String(o.id) === key))) {
        throw new AlgorithmBindingError(`constants.${key}`, `the shader declares no override '${key}'; it declares ${declared.join(', ') || 'none'}`, 'name a declared override (or its @id)');
      }
    }
  }
  for (const o of overrides) {
    if (o.hasDefault || valueFor(o, constants) !== undefined) continue;
    if (o.id === null) {
      throw new AlgorithmBindingError(
        'constants',
        `'override ${o.name}: ${o.type}' has no @id and no default value, and no constant sets it by name`,
        `pass constants: { ${o.name}: value }, or give it a default`,
      );
    }
    throw new AlgorithmBindingError(
      Array.isArray(constants) ? `constants[${o.id}]` : `constants.${o.name}`,
      `'@id(${o.id}) override ${o.name}: ${o.type}' has no default value and ${Array.isArray(constants) ? constants.length : Object.keys(constants).length} constant(s) were given, none for it`,
      `pass constants[${o.id}] (or { ${o.name}: value }), or give the override a default value`,
    );
  }
}

/** The entry point's `@workgroup_size`, overrides resolved from `constants` and defaults; 1 where unknown. */
export function resolveWorkgroupSize(
  entry: ComputeEntry | undefined,
  overrides: readonly OverrideDeclaration[],
  constants: SpecializationConstants,
  consts: ReadonlyMap<string, string> = new Map(),
): [number, number, number] {
  if (!entry) return [1, 1, 1];
  const size: number[] = [1, 1, 1];
  const seen = new Set<string>();
  const lookup = (name: string): number | null => {
    const o = overrides.find((x) => x.name === name);
    if (o) return valueFor(o, constants) ?? o.defaultValue;
    const text = consts.get(name);
    if (text === undefined || seen.has(name)) return null;
    seen.add(name);
    const value = evaluateIntExpression(text, lookup);
    seen.delete(name);
    return value;
  };
  entry.workgroupSize.slice(0, 3).forEach((text, i) => {
    const value = evaluateIntExpression(text, lookup);
    size[i] = value !== null && Number.isInteger(value) && value > 0 ? value : (entry.resolvedSize?.[i] ?? 1);
  });
  return [size[0]!, size[1]!, size[2]!];
}
