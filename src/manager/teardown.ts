import type { DeviceContext } from '../core/device-context.js';
import type { GPU } from '../backends/webgpu-types.js';

/**
 * What tearing a manager down needs. It holds no reference to the Manager: the device keeps the
 * device-lost handler alive, and the finalizer's held value must not keep a forgotten manager
 * from being collected.
 */
export interface ManagerHandle {
  readonly context: DeviceContext;
  readonly ownsDevice: boolean;
  /** The WebGPU entry point held (for tests; null once torn down). */
  gpu: GPU | null;
}

/**
 * The one teardown of a manager, shared by `destroy()`, the device-lost handler and the
 * finalizer of a forgotten manager. It records the new state first (destroyed, or with `loss`
 * lost, which also aborts the evaluations in flight with the loss), then every child is
 * destroyed (sequences, algorithms, tensors, images), then every buffer still counted, then the
 * device when the manager owns it and it was neither lost nor destroyed before, and the WebGPU
 * entry point is dropped so a Node process can exit.
 */
export function tearDown(handle: ManagerHandle, loss: GPUDeviceLostInfo | null): void {
  const { context } = handle;
  const wasAlive = context.state === 'alive';
  if (loss) context.markLost(loss.reason, loss.message);
  else context.markDestroyed();
  context.registry.destroyAll();
  context.destroyBuffers();
  if (handle.ownsDevice && wasAlive && !loss) context.device.destroy();
  handle.gpu = null;
}

// A manager the user dropped without destroy(): release its resources and its own device, so
// GPU memory returns and the process can exit.
export const forgottenManagers = new FinalizationRegistry<ManagerHandle>((handle) => {
  if (handle.context.state !== 'alive') return;
  tearDown(handle, null);
});
