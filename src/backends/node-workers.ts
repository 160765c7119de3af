/**
 * Node.js: one worker process per GPU (`runOnDevices`). A process, not a `worker_threads`
 * thread, because the GPU is chosen through environment variables read by the Vulkan loader and
 * Mesa's device-select layer, and a thread's `process.env` never reaches the C library; a
 * process also confines a crash and its GPU memory to itself. Each worker builds its own manager
 * with `Manager.create({ device })` (src/worker-main.ts) and destroys it when its function ends.
 * No scheduler, no retries, no transport beyond Node's IPC channel: past one host, kompute-ts is
 * the per-host engine inside the user's own job system.
 */
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ArgumentError, WorkerError } from '../errors.js';
import type { GpuDevice } from './gpu-devices.js';
import type { RunOnDevicesOptions, WorkerOutcome } from './worker-protocol.js';

/** What the parent sends a worker. */
export interface WorkerRequest {
  readonly type: 'run';
  readonly worker: string;
  readonly device: number | string;
  readonly rank: number;
  readonly size: number;
  readonly input: unknown;
  readonly manager: Record<string, unknown>;
}

/** What a worker sends back. */
export type WorkerReply =
  | { readonly type: 'result'; readonly value: unknown; readonly bytesAfterDestroy: number }
  | { readonly type: 'error'; readonly name: string; readonly code?: string; readonly message: string; readonly stack?: string };

const WORKER_MAIN = fileURLToPath(new URL('../worker-main.js', import.meta.url));

function workerUrl(worker: unknown): string {
  if (worker instanceof URL) return worker.href;
  if (typeof worker === 'string' && worker.startsWith('file:')) return worker;
  if (typeof worker === 'string' && (worker.startsWith('/') || /^[A-Za-z]:[\\/]/.test(worker))) return pathToFileURL(worker).href;
  throw new ArgumentError(
    'worker',
    `got ${typeof worker === 'string' ? JSON.stringify(worker) : typeof worker}`,
    'pass a file: URL or an absolute path of the worker module, e.g. new URL("./worker.js", import.meta.url)',
  );
}

/** Starts one process per entry of `options.devices`, and resolves when every one has ended. */
export async function runWorkerProcesses<I, R>(options: RunOnDevicesOptions<I>, list: (flags: readonly string[]) => Promise<GpuDevice[]>): Promise<WorkerOutcome<R>[]> {
  if (typeof options !== 'object' || options === null) throw new ArgumentError('options', 'expected { worker, devices?, inputs?, ... }', 'pass at least the worker module');
  const worker = workerUrl(options.worker);
  const managerOptions = { ...(options.manager ?? {}) } as Record<string, unknown>;
  if ('device' in managerOptions || 'gpu' in managerOptions) throw new ArgumentError('manager', 'sets device or gpu', 'each worker gets its device from `devices`; leave them out');
  const devices = options.devices ?? (await list((managerOptions.dawnFlags as string[] | undefined) ?? [])).filter((d) => d.selectable).map((d) => d.index);
  if (!Array.isArray(devices) || devices.length === 0) throw new ArgumentError('devices', 'is empty', 'name at least one device (Manager.listDevices()), or install a selectable GPU');
  const inputs = options.inputs;
  if (inputs !== undefined && (!Array.isArray(inputs) || inputs.length !== devices.length)) {
    throw new ArgumentError('inputs', `has ${Array.isArray(inputs) ? inputs.length : 'no'} entries for ${devices.length} devices`, 'pass one input per device, in the same order');
  }
  const timeoutMs = options.timeoutMs;
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0)) throw new ArgumentError('timeoutMs', `got ${String(timeoutMs)}`, 'a positive number of milliseconds');
  return Promise.all(
    devices.map((device, rank) => runOne<R>({ type: 'run', worker, device, rank, size: devices.length, input: inputs?.[rank], manager: managerOptions }, [...(options.execArgv ?? [])], timeoutMs)),
  );
}

function runOne<R>(request: WorkerRequest, execArgv: string[], timeoutMs: number | undefined): Promise<WorkerOutcome<R>> {
  const { rank, device } = request;
  return new Promise((resolve) => {
    let reply: WorkerReply | undefined;
    let timedOut = false;
    let settled = false;
    const finish = (outcome: WorkerOutcome<R>): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(outcome);
    };
    const child = fork(WORKER_MAIN, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, timeoutMs);
    child.on('message', (message: WorkerReply) => {
      reply = message;
    });
    child.on('error', (error) => {
      // A process that never started; one that did also emits 'exit', handled below.
      if (child.pid === undefined) finish({ ok: false, rank, device, error: new WorkerError(rank, device, 'spawn', { message: error.message }) });
    });
    child.on('exit', (code, signal) => {
      if (reply?.type === 'result' && !timedOut) return finish({ ok: true, rank, device, value: reply.value as R, bytesAfterDestroy: reply.bytesAfterDestroy });
      if (reply?.type === 'error') {
        const { name, message, code: remoteCode, stack } = reply;
        return finish({
          ok: false,
          rank,
          device,
          error: new WorkerError(rank, device, 'threw', { exitCode: code, signal, remote: { name, message, ...(remoteCode ? { code: remoteCode } : {}), ...(stack ? { stack } : {}) } }),
        });
      }
      const failure = timedOut ? 'timeout' : signal ? 'killed' : 'exited';
      finish({ ok: false, rank, device, error: new WorkerError(rank, device, failure, { exitCode: code, signal }) });
    });
    child.send(request);
  });
}
