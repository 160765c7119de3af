import { checkOptions, describeValue, functionValue, type OptionRule, type OptionRules, objectValue, oneOf } from '../core/options.js';
import { ArgumentError, type DeviceLostError } from '../errors.js';
import type { HostDataOption } from '../core/host-placement.js';
import type { GPU, GPUAdapterInfo } from '../backends/webgpu-types.js';

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

/** Options of {@link Manager.create}. */
export interface ManagerOptions {
  /** Passed to `requestAdapter`. */
  readonly powerPreference?: 'low-power' | 'high-performance';
  /**
   * The GPU to open: an index of {@link Manager.listDevices} or a PCI bus address
   * (`'0000:65:00.0'`). Node on Linux, through Mesa's Vulkan device-select layer; the adapter
   * opened is checked against the one asked for. Elsewhere (browsers, no layer) UnsupportedError.
   */
  readonly device?: number | string;
  /** Only accept an adapter whose vendor, architecture, device or description contains this (case-insensitive). */
  readonly adapter?: string;
  /** Features the device must have; an adapter without them fails with UnsupportedError. */
  readonly requiredFeatures?: readonly string[];
  /**
   * Limits to request. By default the compute limits (buffer size, storage binding size,
   * storage buffers per stage, workgroup sizes) are raised to the adapter's maxima.
   */
  readonly requiredLimits?: Readonly<Record<string, number>>;
  /** Called once if the device is lost for any reason other than `mgr.destroy()`. */
  readonly onDeviceLost?: (error: DeviceLostError) => void;
  /** The WebGPU entry point to use instead of `navigator.gpu` or Dawn (e.g. a `webgpu` `create()` result you configured). */
  readonly gpu?: GPU;
  /** Extra flags for Dawn's `create()` in Node, e.g. `['backend=vulkan']`. */
  readonly dawnFlags?: readonly string[];
  /**
   * Bound in bytes on the idle staging buffers the manager keeps for reuse (see
   * `MemoryReport.poolBytes`). Default 128 MiB; 0 turns pooling off.
   */
  readonly stagingPoolBytes?: number;
  /**
   * Debug mode: warns (through `onWarning`) when a dispatch reads a `Device` tensor whose host
   * data changed since its last upload (a missing `OpSyncDevice`), and when `data()` is read after
   * a dispatch wrote the tensor on the GPU without a download (a missing `OpSyncLocal`). Costs a
   * copy of each such tensor's host data per transfer. Default: on when the environment variable
   * `KOMPUTE_TS_DEBUG=1` is set (Node), else off.
   */
  readonly debug?: boolean;
  /** Receives the manager's warnings (`code` such as `KP_STALE_HOST`, and a message); default `console.warn`. */
  readonly onWarning?: (code: string, message: string) => void;
  /**
   * Where large tensors (over 64 KiB) keep their host data, the memory `data()` is a view of:
   * `'upload-buffer'` (the mapped upload buffer: no copy when uploading), `'host-memory'` (the
   * mapped readback buffer, in host-cached memory: an upload first copies it into the upload
   * buffer), or `'auto'` (the default): `'upload-buffer'` unless that buffer is slow for the
   * host to read, as where Dawn places it in device memory behind a resizable BAR (NVIDIA
   * H200, H100 with BAR1 enabled), where reading it runs at a few MB/s.
   */
  readonly hostData?: HostDataOption;
}

/** Options of {@link Manager.fromDevice}. */
export interface ExternalDeviceOptions {
  /** Called once if the device is lost (including when its owner destroys it). */
  readonly onDeviceLost?: (error: DeviceLostError) => void;
  /** The adapter info to report in `deviceInfo()`, when the device does not carry it. */
  readonly adapterInfo?: GPUAdapterInfo;
  /** As {@link ManagerOptions.stagingPoolBytes}. */
  readonly stagingPoolBytes?: number;
  /** As {@link ManagerOptions.debug}. */
  readonly debug?: boolean;
  /** As {@link ManagerOptions.onWarning}. */
  readonly onWarning?: (code: string, message: string) => void;
  /** As {@link ManagerOptions.hostData}. */
  readonly hostData?: HostDataOption;
}
