/**
 * The entry of a `runOnDevices` worker process (started by src/backends/node-workers.ts): it
 * receives its device, input and worker module, opens a manager of its own on that device, runs
 * the module's default export, sends the result back, destroys the manager, and ends.
 * @module
 */
import type { WorkerReply, WorkerRequest } from './backends/node-workers.js';
import { KomputeError } from './errors.js';
import { Manager, type ManagerOptions } from './index.js';

function send(reply: WorkerReply): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(reply, undefined, {}, () => resolve());
  });
}

process.once('message', async (request: WorkerRequest) => {
  let mgr: Manager | undefined;
  try {
    const module = (await import(request.worker)) as { default?: unknown };
    if (typeof module.default !== 'function') throw new TypeError(`${request.worker} has no default export function (export default async function (mgr, input, context) { ... })`);
    mgr = await Manager.create({ ...(request.manager as ManagerOptions), device: request.device });
    const device = mgr.selectedDevice!;
    const value = await module.default(mgr, request.input, { rank: request.rank, size: request.size, device });
    mgr.destroy();
    await send({ type: 'result', value, bytesAfterDestroy: mgr.memory().totalBytes });
  } catch (error) {
    mgr?.destroy();
    const e = error instanceof Error ? error : new Error(String(error));
    await send({ type: 'error', name: e.name, message: e.message, ...(e instanceof KomputeError ? { code: e.code } : {}), ...(e.stack ? { stack: e.stack } : {}) });
    process.exitCode = 1;
  }
  // The result is sent and the manager destroyed: end now, even if the worker left timers behind.
  process.exit();
});
