/**
 * The types of {@link runOnDevices}: its options and what each
 * worker ends with. Platform-neutral (the Node implementation is src/backends/node-workers.ts).
 * @module
 */
import type { WorkerError } from '../errors.js';

/** The manager options a worker process may be given (plain data: they cross a process boundary). */
export interface WorkerManagerOptions {
  readonly powerPreference?: 'low-power' | 'high-performance';
  readonly requiredFeatures?: readonly string[];
  readonly requiredLimits?: Readonly<Record<string, number>>;
  readonly dawnFlags?: readonly string[];
  readonly stagingPoolBytes?: number;
}

/** Options of {@link runOnDevices}. */
export interface RunOnDevicesOptions<I = unknown> {
  /**
   * The worker: a `file:` URL or an absolute path of an ES module whose default export is a
   * {@link WorkerFunction}. It runs in its own Node process, one per entry of `devices`.
   */
  readonly worker: string | URL;
  /**
   * The GPUs, one worker each: indexes of `Manager.listDevices()` or PCI addresses. The same
   * device may appear several times (several workers share it). Default: every selectable device.
   */
  readonly devices?: readonly (number | string)[];
  /** One input per worker, in the order of `devices`, sent by structured clone (typed arrays included). Default: `undefined` for each. */
  readonly inputs?: readonly I[];
  /** Options of each worker's `Manager.create()` (the `device` option is set per worker). */
  readonly manager?: WorkerManagerOptions;
  /** Milliseconds a worker may take; past it the worker is killed and reported (default: no limit). */
  readonly timeoutMs?: number;
  /** Node flags of the worker processes (default: none). */
  readonly execArgv?: readonly string[];
}

/** How one worker ended. */
export type WorkerOutcome<R = unknown> =
  | {
      readonly ok: true;
      readonly rank: number;
      /** The selector it was given (index or PCI address). */
      readonly device: number | string;
      readonly value: R;
      /** The worker manager's `memory().totalBytes` after its destroy(): 0 when every resource was released. */
      readonly bytesAfterDestroy: number;
    }
  | { readonly ok: false; readonly rank: number; readonly device: number | string; readonly error: WorkerError };
