// Device loss, simulated with device.destroy() on an owned device and on an external one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeviceLostError, Manager, type DeviceLostError as Lost, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, type Sequence } from '../src/index.js';
import { ADD_PUSH_SHADER, assertFails, createManager, rawDevice } from './helpers.js';

const ZERO = {
  tensors: 0,
  algorithms: 0,
  sequences: 0,
  images: 0,
  views: 0,
  samplers: 0,
  params: 0,
  paramBytes: 0,
  deviceBytes: 0,
  imageBytes: 0,
  stagingBytes: 0,
  otherBytes: 0,
  poolBytes: 0,
  totalBytes: 0,
};

/** Work in flight on `mgr`: sequences over small and large tensors, not yet awaited. */
function startWork(mgr: Manager): { sequences: Sequence[]; use: () => unknown[] } {
  const sequences: Sequence[] = [];
  const tensor = mgr.tensor(new Float32Array(20_000));
  const small = mgr.tensor([1, 2, 3]);
  const algorithm = mgr.algorithm([tensor], ADD_PUSH_SHADER, { pushConstants: [1] });
  for (let s = 0; s < 4; s++) {
    const seq = mgr.sequence();
    for (let i = 0; i < 20; i++) seq.record(new OpAlgoDispatch(algorithm));
    sequences.push(seq.record(new OpSyncLocal(s === 0 ? [tensor] : [small])));
  }
  sequences[0]!.evalAsync();
  sequences[1]!.evalAsync();
  return {
    sequences,
    // Every kind of later call, each expected to throw DeviceLostError.
    use: () => [
      () => mgr.tensor([1]),
      () => mgr.algorithm([small], ADD_PUSH_SHADER, { pushConstants: [1] }),
      () => mgr.sequence(),
      () => mgr.deviceInfo(),
      () => tensor.data(),
      () => small.setData([4, 5, 6]),
      () => algorithm.getWorkgroup(),
      () => sequences[2]!.eval(),
      () => sequences[3]!.record(new OpSyncDevice([small])),
    ],
  };
}

async function checkLoss(mgr: Manager, work: ReturnType<typeof startWork>, lostCalls: Lost[]): Promise<void> {
  for (const seq of work.sequences.slice(0, 2)) await assertFails(() => seq.evalAwait(), DeviceLostError);
  for (const call of work.use()) await assertFails(call as () => unknown, DeviceLostError);
  assert.equal(mgr.isInit(), false);
  assert.deepEqual({ ...mgr.memory() }, ZERO);
  assert.equal(lostCalls.length, 1, 'onDeviceLost is called once');
  assert.ok(lostCalls[0] instanceof DeviceLostError);
  mgr.destroy(); // quiet after a loss
  // A new manager works.
  const fresh = await createManager();
  try {
    const t = fresh.tensor([1, 2, 3]);
    await fresh.sequence().eval(new OpSyncDevice([t]), new OpAlgoDispatch(fresh.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [10] })), new OpSyncLocal([t]));
    assert.deepEqual(Array.from(t.data()), [11, 12, 13]);
  } finally {
    fresh.destroy();
  }
}

/** Waits until the manager noticed the loss (WebGPU reports it asynchronously). */
async function untilLost(mgr: Manager): Promise<void> {
  for (let i = 0; i < 200 && mgr.isInit(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(mgr.isInit(), false, 'the manager noticed the loss');
}

describe('device loss', () => {
  test('an owned device lost mid-flight: pending evaluations reject with DeviceLostError, every later call throws it, memory() is empty, a new Manager works', async () => {
    const lostCalls: Lost[] = [];
    const mgr = await Manager.create({ onDeviceLost: (e) => lostCalls.push(e) });
    const work = startWork(mgr);
    mgr.device.destroy();
    await untilLost(mgr);
    await checkLoss(mgr, work, lostCalls);
  });

  test('an external device destroyed by its owner: the same, and the manager never touches the device afterwards', async () => {
    const { device } = await rawDevice();
    const lostCalls: Lost[] = [];
    const mgr = Manager.fromDevice(device, { onDeviceLost: (e) => lostCalls.push(e) });
    const work = startWork(mgr);
    device.destroy();
    await untilLost(mgr);
    assert.equal(lostCalls[0]?.reason, 'destroyed');
    await checkLoss(mgr, work, lostCalls);
  });

  test('mgr.destroy() of an owned device is not a loss: onDeviceLost is not called', async () => {
    const lostCalls: Lost[] = [];
    const mgr = await Manager.create({ onDeviceLost: (e) => lostCalls.push(e) });
    mgr.tensor([1]);
    mgr.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(lostCalls.length, 0);
  });
});
