import { ArgumentError } from '../errors.js';

type Check = (value: unknown) => boolean;

const isString: Check = (v) => typeof v === 'string';
const isFunction: Check = (v) => typeof v === 'function';
const isStringArray: Check = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isObject: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

const RULES: Record<string, { check: Check; expected: string }> = {
  powerPreference: { check: (v) => v === 'low-power' || v === 'high-performance', expected: "'low-power' or 'high-performance'" },
  adapter: { check: isString, expected: 'a string to match against the adapter name' },
  requiredFeatures: { check: isStringArray, expected: "an array of feature names, e.g. ['shader-f16']" },
  requiredLimits: { check: isObject, expected: 'an object of limit names to non-negative integers' },
  onDeviceLost: { check: isFunction, expected: 'a function (error: DeviceLostError) => void' },
  gpu: { check: (v) => typeof v === 'object' && v !== null && typeof (v as GPU).requestAdapter === 'function', expected: 'a GPU object (navigator.gpu, or create() of the webgpu package)' },
  dawnFlags: { check: isStringArray, expected: "an array of Dawn flags, e.g. ['backend=vulkan']" },
  stagingPoolBytes: { check: (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0, expected: 'a non-negative integer number of bytes (0 turns pooling off)' },
  device: {
    check: (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || typeof v === 'string',
    expected: 'an index of Manager.listDevices() (0, 1, ...) or a PCI address such as "0000:65:00.0"',
  },
  adapterInfo: { check: (v) => typeof v === 'object' && v !== null, expected: 'a GPUAdapterInfo' },
};

/** Throws an ArgumentError naming the first option that is not of the documented kind. */
export function checkManagerOptions(options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError('options', `expected an options object, got ${options === null ? 'null' : typeof options}`, 'pass { ... } or nothing');
  }
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const rule = RULES[name];
    if (!rule || !allowed.includes(name)) {
      throw new ArgumentError(name, 'is not an option here', `the options are: ${allowed.join(', ')}`);
    }
    if (!rule.check(value)) throw new ArgumentError(name, `got ${describe(value)}`, `expected ${rule.expected}`);
    if (name === 'requiredLimits') {
      for (const [limit, n] of Object.entries(value as object)) {
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
          throw new ArgumentError(`requiredLimits.${limit}`, `got ${describe(n)}`, 'limits are non-negative integers');
        }
      }
    }
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array of other values';
  return typeof value;
}
