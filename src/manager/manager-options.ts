import { checkOptions, describeValue, functionValue, type OptionRule, type OptionRules, objectValue, oneOf } from '../core/options.js';
import { ArgumentError } from '../errors.js';

const stringArray =
  (example: string): OptionRule =>
  (v) =>
    Array.isArray(v) && v.every((x) => typeof x === 'string') ? null : example;

const RULES: OptionRules = {
  powerPreference: oneOf(['low-power', 'high-performance']),
  adapter: (v) => (typeof v === 'string' ? null : 'a string to match against the adapter name'),
  requiredFeatures: stringArray("an array of feature names, e.g. ['shader-f16']"),
  requiredLimits: (v) => (objectValue(v) === null ? null : 'an object of limit names to non-negative integers'),
  onDeviceLost: (v) => (functionValue(v) === null ? null : 'a function (error: DeviceLostError) => void'),
  gpu: (v) => (typeof v === 'object' && v !== null && typeof (v as GPU).requestAdapter === 'function' ? null : 'a GPU object (navigator.gpu, or create() of the webgpu package)'),
  dawnFlags: stringArray("an array of Dawn flags, e.g. ['backend=vulkan']"),
  stagingPoolBytes: (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? null : 'a non-negative integer number of bytes (0 turns pooling off)'),
  debug: (v) => (typeof v === 'boolean' ? null : 'true or false'),
  onWarning: (v) => (functionValue(v) === null ? null : 'a function (code: string, message: string) => void'),
  hostData: oneOf(['auto', 'upload-buffer', 'host-memory']),
  device: (v) =>
    (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || typeof v === 'string' ? null : 'an index of Manager.listDevices() (0, 1, ...) or a PCI address such as "0000:65:00.0"',
  adapterInfo: (v) => (typeof v === 'object' && v !== null ? null : 'a GPUAdapterInfo'),
};

/** Throws an ArgumentError naming the first option that is unknown or not of the documented kind. */
export function checkManagerOptions(options: unknown, allowed: readonly string[]): void {
  const rules = Object.fromEntries(allowed.map((name) => [name, RULES[name]!]));
  checkOptions('options', options as object | undefined, rules, '');
  const limits = (options as { requiredLimits?: object } | undefined)?.requiredLimits;
  for (const [limit, n] of Object.entries(limits ?? {})) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw new ArgumentError(`requiredLimits.${limit}`, `got ${describeValue(n)}`, 'limits are non-negative integers');
    }
  }
}
