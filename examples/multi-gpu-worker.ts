/**
 * The worker of examples/multi-gpu.ts: one process per GPU runs this on its share of the batch,
 * with a manager of its own that the runner destroys afterwards.
 */
import { type Manager, OpMap, OpSyncDevice, OpSyncLocal, type WorkerContext } from '../src/index.js';

/** One worker's share: rows of a batch, flattened, and the row length. */
export interface Share {
  readonly rows: Float32Array;
  readonly width: number;
}

/** `y = 3·x + 1` element-wise on this worker's GPU; returns y and the device it ran on. */
export default async function scaleShare(mgr: Manager, share: Share, context: WorkerContext): Promise<{ y: Float32Array; device: string; rank: number }> {
  using x = mgr.tensor(share.rows);
  using y = mgr.tensor(share.rows.length, 'f32');
  const map = new OpMap('3.0 * x + 1.0', { x }, y);
  await mgr
    .sequence()
    .record(new OpSyncDevice([x]))
    .record(map)
    .record(new OpSyncLocal([y]))
    .eval();
  return { y: y.data().slice(), device: context.device.pciAddress ?? context.device.name, rank: context.rank };
}
