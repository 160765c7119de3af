/**
 * One way to check what users pass: options objects (an object, only known keys, each of its
 * documented kind), enum-like names (looked up as own entries, never through the prototype, so
 * `'toString'` or `'__proto__'` is not taken for a dtype), and the small wording helpers the
 * messages share. Every public entry point checks its arguments through these.
 * @module
 */
import { ArgumentError } from '../errors.js';

/** A check of one option's value; returns what it expected when the value does not fit, else null. */
export type OptionRule = (value: unknown) => string | null;

/** The rules of an options argument, by key. */
export type OptionRules = Readonly<Record<string, OptionRule>>;

/** Accepts anything: the receiver checks the value itself (with its own, more specific errors). */
export const anyValue: OptionRule = () => null;
/** `true` or `false`. */
export const booleanValue: OptionRule = (v) => (typeof v === 'boolean' ? null : 'true or false');
/** A string. */
export const stringValue: OptionRule = (v) => (typeof v === 'string' ? null : 'a string');
/** A plain object (not null, not an array). */
export const objectValue: OptionRule = (v) => (isPlainObject(v) ? null : 'an object');
/** A finite number. */
export const numberValue: OptionRule = (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'a finite number');
/** A function. */
export const functionValue: OptionRule = (v) => (typeof v === 'function' ? null : 'a function');
/** One of `names`. */
export function oneOf(names: readonly string[]): OptionRule {
  return (v) => (typeof v === 'string' && names.includes(v) ? null : `one of ${names.map((n) => `'${n}'`).join(', ')}`);
}

/** True for objects that are neither null nor arrays. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What {@link checkOptions} returns for `undefined`: one frozen object, not a new one per call. */
const NO_OPTIONS = Object.freeze({});

/**
 * Checks an options argument: `undefined` is `{}`; null, non-objects and arrays are an
 * {@link ArgumentError} naming `argument`; an unknown key is an ArgumentError naming it (with a
 * "did you mean" when a known key is close); a key whose value breaks its rule is an ArgumentError
 * naming it and saying what was expected. Keys whose value is `undefined` are skipped (as if
 * absent). `prefix` goes in front of key names in errors (`'options.'`, or `''` where the
 * documented names are bare). Returns the options as an object.
 */
export function checkOptions<T extends object>(argument: string, options: T | undefined, rules: OptionRules, prefix = `${argument}.`): T {
  if (options === undefined) return NO_OPTIONS as T;
  if (!isPlainObject(options)) {
    const keys = Object.keys(rules);
    throw new ArgumentError(argument, `expected an options object, got ${describeValue(options)}`, `pass { ${keys.join(', ')} } (any of them) or nothing`);
  }
  for (const [key, value] of Object.entries(options)) {
    if (!Object.hasOwn(rules, key)) {
      const close = closest(key, Object.keys(rules));
      throw new ArgumentError(
        `${prefix}${key}`,
        `is not an option here`,
        close ? `did you mean '${close}'? The options are: ${Object.keys(rules).join(', ')}` : `the options are: ${Object.keys(rules).join(', ')}`,
      );
    }
    if (value === undefined) continue;
    const expected = rules[key]!(value);
    if (expected !== null) throw new ArgumentError(`${prefix}${key}`, `got ${describeValue(value)}`, `expected ${expected}`);
  }
  return options as T;
}

/** True when `name` is an own key of `table` (so `'toString'`, `'constructor'`, `'__proto__'` are not). */
export function isOwnName<K extends string>(table: Readonly<Record<K, unknown>>, name: unknown): name is K {
  return typeof name === 'string' && Object.hasOwn(table, name);
}

/** The entry of `table` named `name`, or undefined when `name` is not one of its own keys. */
export function lookupName<V>(table: Readonly<Record<string, V>>, name: unknown): V | undefined {
  return isOwnName(table, name) ? table[name] : undefined;
}

/** The candidate within a small edit distance of `name` (the nearest), else one that `name` begins, or null. */
export function closest(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  if (best !== null && bestDistance <= allowed) return best;
  // A cut-short name (`stagingPool` for `stagingPoolBytes`).
  return lower.length >= 4 ? (candidates.find((c) => c.toLowerCase().startsWith(lower)) ?? null) : null;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** A value as messages show it: strings quoted, numbers and booleans as such, else its kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return `${withArticle((value as object).constructor?.name ?? 'object')}`;
  return String(value);
}

/** `word` with its indefinite article: `an i32`, `an f32`, `a u32`, `an Int32Array`, `a Uint32Array`. */
export function withArticle(word: string): string {
  const an = !/^[uU](?:[0-9]|int)/.test(word) && (/^[aeiouAEIOU]/.test(word) || /^[fFhHlLmMnNrRsSxX](?:[0-9]|$)/.test(word));
  return `${an ? 'an' : 'a'} ${word}`;
}
