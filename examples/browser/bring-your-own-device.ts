/**
 * Bring your own device (the README's browser example): the page requests a `GPUDevice` itself,
 * as a renderer or game engine would, and lends it to a manager. The manager frees what it made
 * on `destroy()` and leaves the device alive.
 */
import { Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from '../../src/browser.js';

const DOUBLE = /* wgsl */ `
@group(0) @binding(0) var<storage, read> data: array<f32>;
@group(0) @binding(1) var<storage, read_write> doubled: array<f32>;
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) { doubled[id.x] = data[id.x] * 2.0; }
`;

/** Doubles `values` on `device` through a manager that borrows it; reports whether the device outlived the manager. */
export async function doubleOnDevice(device: GPUDevice, values: number[], adapterInfo?: GPUAdapterInfo): Promise<{ doubled: number[]; deviceStillUsable: boolean }> {
  const mgr = Manager.fromDevice(device, adapterInfo ? { adapterInfo } : {});
  let doubled: number[];
  try {
    const data = mgr.tensor(values);
    const out = mgr.tensor(values.length, 'f32');
    const algorithm = mgr.algorithm([data, out], DOUBLE);
    await mgr.sequence().eval(new OpSyncDevice([data]), new OpAlgoDispatch(algorithm), new OpSyncLocal([out]));
    doubled = Array.from(out.data());
  } finally {
    mgr.destroy();
  }
  // The device is the page's: after mgr.destroy() it still takes work.
  device.pushErrorScope('validation');
  device.createBuffer({ size: 16, usage: 0x0008 /* COPY_DST */ }).destroy();
  const error = await device.popErrorScope();
  return { doubled, deviceStillUsable: error === null };
}
