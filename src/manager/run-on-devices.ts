import { devicePlatform } from '../backends/device-platform.js';
import type { GpuDevice } from '../backends/gpu-devices.js';
import type { RunOnDevicesOptions, WorkerOutcome } from '../backends/worker-protocol.js';
import type { Manager } from './manager.js';

/** What a worker function is told besides its manager and input. */
export interface WorkerContext {
  /** The worker's position in `devices`, 0-based. */
  readonly rank: number;
  /** How many workers run. */
  readonly size: number;
  /** The GPU its manager was opened on. */
  readonly device: GpuDevice;
}

/**
 * The default export of a worker module of {@link runOnDevices}. It gets a manager of its own,
 * opened on its GPU and destroyed by the runner once the function returns or throws, and returns
 * a structured-cloneable result (numbers, arrays, typed arrays, plain objects).
 */
export type WorkerFunction<I = unknown, R = unknown> = (mgr: Manager, input: I, context: WorkerContext) => R | Promise<R>;

/**
 * Runs one workload on several GPUs: one Node process per entry of `options.devices` (default:
 * every selectable GPU), each with its own manager on its GPU, running the worker module's
 * default export on its input. Resolves when every worker has ended, with one outcome per
 * worker in order: its value, or a {@link WorkerError} when it threw, exited or crashed (its GPU
 * memory went with its process; the others carry on). Node only; UnsupportedError elsewhere.
 *
 * ```ts
 * const outcomes = await runOnDevices<Float32Array, number>({ worker: new URL('./sum.js', import.meta.url), devices: [0, 1], inputs: [a, b] });
 * for (const o of outcomes) if (!o.ok) console.error(o.error.message);
 * ```
 */
export function runOnDevices<I = unknown, R = unknown>(options: RunOnDevicesOptions<I>): Promise<WorkerOutcome<R>[]> {
  return devicePlatform().runOnDevices<I, R>(options);
}
