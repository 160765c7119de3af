/**
 * The part of `node:assert/strict` the test suite uses, for the browser test bundle (which aliases
 * `node:assert` and `node:assert/strict` to this module). Strict semantics throughout: `equal` is
 * `Object.is`, `deepEqual` is Node's deepStrictEqual (prototypes, typed arrays byte for byte).
 */

export class AssertionError extends Error {
  readonly code = 'ERR_ASSERTION';
  readonly actual: unknown;
  readonly expected: unknown;
  readonly operator: string;
  constructor(options: { message?: string | Error | undefined; actual?: unknown; expected?: unknown; operator: string; fallback: string }) {
    const { message } = options;
    if (message instanceof Error) throw message;
    super(message ?? options.fallback);
    this.name = 'AssertionError';
    this.actual = options.actual;
    this.expected = options.expected;
    this.operator = options.operator;
  }
}

type Message = string | Error | undefined;

function show(value: unknown): string {
  try {
    if (ArrayBuffer.isView(value) && !(value instanceof DataView))
      return `${value.constructor.name}(${Array.from(value as unknown as ArrayLike<number>)
        .slice(0, 16)
        .join(', ')})`;
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'string') return JSON.stringify(value);
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return String(value);
  }
}

function isDeepStrictEqual(a: unknown, b: unknown, seen = new Map<object, object>()): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (ArrayBuffer.isView(a)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array((b as ArrayBufferView).buffer, (b as ArrayBufferView).byteOffset, (b as ArrayBufferView).byteLength);
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return keysEqual(a, b, seen, true);
  }
  if (a instanceof ArrayBuffer) return isDeepStrictEqual(new Uint8Array(a), new Uint8Array(b as ArrayBuffer), seen);
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  if (a instanceof RegExp) return String(a) === String(b);
  if (a instanceof Error && (a.name !== (b as Error).name || a.message !== (b as Error).message)) return false;
  if (a instanceof Map) {
    const other = b as Map<unknown, unknown>;
    if (a.size !== other.size) return false;
    for (const [key, value] of a) if (!other.has(key) || !isDeepStrictEqual(value, other.get(key), seen)) return false;
    return true;
  }
  if (a instanceof Set) {
    const other = b as Set<unknown>;
    if (a.size !== other.size) return false;
    for (const value of a) {
      if (other.has(value)) continue;
      if (typeof value !== 'object' || ![...other].some((candidate) => isDeepStrictEqual(value, candidate, seen))) return false;
    }
    return true;
  }
  if (Array.isArray(a) && a.length !== (b as unknown[]).length) return false;
  return keysEqual(a, b, seen, false);
}

function keysEqual(a: object, b: object, seen: Map<object, object>, skipIndices: boolean): boolean {
  const own = (o: object): string[] => Object.keys(o).filter((k) => !(skipIndices && /^\d+$/.test(k)));
  const ka = own(a);
  const kb = own(b);
  if (ka.length !== kb.length) return false;
  for (const key of ka) {
    if (!Object.hasOwn(b, key)) return false;
    if (!isDeepStrictEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], seen)) return false;
  }
  return true;
}

export function ok(value: unknown, message?: Message): asserts value {
  if (!value) throw new AssertionError({ message, actual: value, expected: true, operator: '==', fallback: `The expression evaluated to a falsy value: ${show(value)}` });
}

export function equal(actual: unknown, expected: unknown, message?: Message): void {
  if (!Object.is(actual, expected))
    throw new AssertionError({ message, actual, expected, operator: 'strictEqual', fallback: `Expected values to be strictly equal: ${show(actual)} !== ${show(expected)}` });
}

export function notEqual(actual: unknown, expected: unknown, message?: Message): void {
  if (Object.is(actual, expected)) throw new AssertionError({ message, actual, expected, operator: 'notStrictEqual', fallback: `Expected "actual" to be strictly unequal to: ${show(expected)}` });
}

export function deepEqual(actual: unknown, expected: unknown, message?: Message): void {
  if (!isDeepStrictEqual(actual, expected))
    throw new AssertionError({
      message,
      actual,
      expected,
      operator: 'deepStrictEqual',
      fallback: `Expected values to be strictly deep-equal:\n actual: ${show(actual)}\n expected: ${show(expected)}`,
    });
}

export function notDeepEqual(actual: unknown, expected: unknown, message?: Message): void {
  if (isDeepStrictEqual(actual, expected))
    throw new AssertionError({ message, actual, expected, operator: 'notDeepStrictEqual', fallback: `Expected "actual" not to be strictly deep-equal to: ${show(expected)}` });
}

export function match(value: string, pattern: RegExp, message?: Message): void {
  if (typeof value !== 'string' || !pattern.test(value))
    throw new AssertionError({ message, actual: value, expected: pattern, operator: 'match', fallback: `The input did not match the regular expression ${String(pattern)}. Input: ${show(value)}` });
}

export function doesNotMatch(value: string, pattern: RegExp, message?: Message): void {
  if (typeof value !== 'string' || pattern.test(value)) {
    throw new AssertionError({
      message,
      actual: value,
      expected: pattern,
      operator: 'doesNotMatch',
      fallback: `The input was expected to not match the regular expression ${String(pattern)}. Input: ${show(value)}`,
    });
  }
}

export function fail(message?: Message): never {
  throw new AssertionError({ message, operator: 'fail', fallback: 'Failed' });
}

type Expected = RegExp | (new (...args: never[]) => unknown) | ((error: unknown) => boolean) | Record<string, unknown>;

function checkError(error: unknown, expected: Expected | undefined, message: Message, operator: string): void {
  if (expected === undefined) return;
  const failWith = (why: string): never => {
    throw new AssertionError({ message, actual: error, expected, operator, fallback: `${why}; the error was ${show(error)}` });
  };
  if (expected instanceof RegExp) {
    if (!expected.test(String(error))) failWith(`The error did not match ${String(expected)}`);
    return;
  }
  if (typeof expected === 'function') {
    if (expected.prototype !== undefined && error instanceof (expected as new () => unknown)) return;
    if (Object.prototype.isPrototypeOf.call(Error, expected) || expected === Error) failWith(`The error is not an instance of ${expected.name}`);
    if ((expected as (e: unknown) => boolean)(error) !== true) failWith('The validation function did not return true');
    return;
  }
  for (const [key, want] of Object.entries(expected)) {
    const got = (error as Record<string, unknown>)?.[key];
    const same = want instanceof RegExp && typeof got === 'string' ? want.test(got) : isDeepStrictEqual(got, want);
    if (!same) failWith(`The error's ${key} is ${show(got)}, expected ${show(want)}`);
  }
}

function splitExpected(expected: Expected | string | undefined, message: Message): { expected: Expected | undefined; message: Message } {
  return typeof expected === 'string' ? { expected: undefined, message: expected } : { expected, message };
}

export function throws(fn: () => unknown, expectedOrMessage?: Expected | string, maybeMessage?: Message): void {
  const { expected, message } = splitExpected(expectedOrMessage, maybeMessage);
  try {
    fn();
  } catch (error) {
    checkError(error, expected, message, 'throws');
    return;
  }
  throw new AssertionError({ message, operator: 'throws', fallback: 'Missing expected exception.' });
}

export function doesNotThrow(fn: () => unknown, message?: Message): void {
  try {
    fn();
  } catch (error) {
    throw new AssertionError({ message, actual: error, operator: 'doesNotThrow', fallback: `Got unwanted exception: ${show(error)}` });
  }
}

export async function rejects(promiseOrFn: Promise<unknown> | (() => Promise<unknown>), expectedOrMessage?: Expected | string, maybeMessage?: Message): Promise<void> {
  const { expected, message } = splitExpected(expectedOrMessage, maybeMessage);
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (error) {
    checkError(error, expected, message, 'rejects');
    return;
  }
  throw new AssertionError({ message, operator: 'rejects', fallback: 'Missing expected rejection.' });
}

export async function doesNotReject(promiseOrFn: Promise<unknown> | (() => Promise<unknown>), message?: Message): Promise<void> {
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (error) {
    throw new AssertionError({ message, actual: error, operator: 'doesNotReject', fallback: `Got unwanted rejection: ${show(error)}` });
  }
}

/** `assert(value)` is `assert.ok(value)`; the functions hang off it as in Node. */
const assert = Object.assign((value: unknown, message?: Message): void => ok(value, message), {
  AssertionError,
  ok,
  equal,
  notEqual,
  deepEqual,
  notDeepEqual,
  match,
  doesNotMatch,
  fail,
  throws,
  doesNotThrow,
  rejects,
  doesNotReject,
  strictEqual: equal,
  notStrictEqual: notEqual,
  deepStrictEqual: deepEqual,
  notDeepStrictEqual: notDeepEqual,
  isDeepStrictEqual,
});
Object.assign(assert, { strict: assert });
export default assert;
export { equal as strictEqual, notEqual as notStrictEqual, deepEqual as deepStrictEqual, notDeepEqual as notDeepStrictEqual, isDeepStrictEqual };
