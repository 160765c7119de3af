import { KomputeError } from '../errors.js';
import type { DeviceContext } from '../core/device-context.js';

/** How long a failed run waits for `device.lost` to explain a raw WebGPU error. */
const LOSS_GRACE_MS = 1000;

/**
 * What a failed run reports. A raw WebGPU error (not one of ours) can be the first sign of a lost
 * device: wgpu (Deno) rejects a pending `mapAsync` with `OperationError: validation error
 * occurred` some 80 ms before it resolves `device.lost`, where Dawn resolves `device.lost` first.
 * Such an error waits, at most {@link LOSS_GRACE_MS}, for the loss; if the device is lost by then
 * the run reports the manager's DeviceLostError instead, as it does on Dawn.
 */
export async function explainRunFailure(context: DeviceContext, error: unknown): Promise<unknown> {
  if (error instanceof KomputeError) return error;
  // Only wgpu's early map rejection is worth the wait: every other failure (an aborted map of a
  // destroyed sequence, Dawn's errors) is reported at once, and the host data it holds is freed at once.
  if (context.state === 'alive' && (error as { name?: unknown } | null)?.name === 'OperationError') {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([context.device.lost, new Promise((resolve) => (timer = setTimeout(resolve, LOSS_GRACE_MS)))]);
    clearTimeout(timer);
  }
  return context.state === 'lost' ? context.lostError() : error;
}
