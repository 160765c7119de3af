// Creating and destroying many resources, explicitly and by dropping them for the garbage
// collector, must return mgr.memory() to zero and keep the process's memory flat.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_STAGING_POOL_BYTES, type Manager, MemoryType, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { ADD_PUSH_SHADER, createManager, gcUntil } from './helpers.js';

const SOAK = process.env.KOMPUTE_TS_SOAK === '1';
// The soak sizes, and a fifth of them for npm test.
const TENSORS = SOAK ? 10_000 : 2_000;
const ALGORITHMS = SOAK ? 1_000 : 200;
const SEQUENCES = SOAK ? 1_000 : 200;
/**
 * Issue 16's churn figure: 100,000 cycles in the soak, a fifth for npm test. The goal, asserted in
 * the soak: RSS within 5% of its value after the first tenth (lavapipe: +3.2% in the soak, +1.1%
 * standalone with bench/probes/churn.ts; before: +60%, every create made a new buffer). npm test's
 * shorter run keeps a looser 10%, which V8's young generation growing in steps cannot break.
 */
const CHURN_CYCLES = SOAK ? 100_000 : 20_000;
const CHURN_BOUND = SOAK ? 0.05 : 0.1;
const SIZES = [1, 7, 64, 1000, 16_384, 20_000];
const TYPES = [MemoryType.Device, MemoryType.Host, MemoryType.Storage, MemoryType.DeviceAndHost];
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

/** One round of churn: `scale` of each resource kind, half destroyed, half dropped for GC. */
async function churn(mgr: Manager, scale: number): Promise<void> {
  for (let i = 0; i < TENSORS * scale; i++) {
    const t = mgr.tensor(new Float32Array(SIZES[i % SIZES.length]!).fill(i), { type: TYPES[i % TYPES.length]! });
    if (i % 2 === 0) t.destroy();
    // Every so often, move data so staging buffers get created too.
    if (i % 50 === 1) await mgr.sequence().eval(new OpSyncDevice([t]), new OpSyncLocal([t]));
  }
  for (let i = 0; i < ALGORITHMS * scale; i++) {
    const t = mgr.tensor([1, 2, 3]);
    const algorithm = mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [i] });
    if (i % 10 === 0) await mgr.sequence().eval(new OpAlgoDispatch(algorithm));
    if (i % 2 === 0) {
      algorithm.destroy();
      t.destroy();
    }
  }
  for (let i = 0; i < SEQUENCES * scale; i++) {
    const seq = mgr.sequence({ label: `soak ${i}` });
    if (i % 2 === 0) seq.destroy();
  }
}

/** Collects until every dropped resource was finalized (called outside churn(), whose frame may still hold its last objects). */
async function collected(mgr: Manager): Promise<void> {
  const empty = () => mgr.memory().tensors === 0 && mgr.memory().algorithms === 0 && mgr.memory().sequences === 0;
  assert.ok(await gcUntil(empty, 200), JSON.stringify(mgr.memory()));
  // Released staging buffers wait in the bounded pool for reuse; trimming it leaves nothing.
  const { poolBytes } = mgr.memory();
  assert.ok(poolBytes <= DEFAULT_STAGING_POOL_BYTES, `the staging pool holds ${poolBytes} bytes, over its bound`);
  assert.deepEqual({ ...mgr.memory() }, { ...ZERO, poolBytes, totalBytes: poolBytes });
  mgr.trimStagingPool();
  assert.deepEqual({ ...mgr.memory() }, ZERO);
}

/** GPU memory in use (MiB) as nvidia-smi reports it, or null where there is no NVIDIA GPU. */
function nvidiaMemoryUsed(): number | null {
  const result = spawnSync('nvidia-smi', ['--query-gpu=memory.used', '--format=csv,noheader,nounits'], { encoding: 'utf8' });
  if (result.status !== 0) return null;
  return Number(result.stdout.trim().split('\n')[0]);
}

describe('leaks', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test(`${TENSORS} tensors, ${ALGORITHMS} algorithms and ${SEQUENCES} sequences, destroyed or dropped: memory() returns to zero and RSS stays within 10% of its value after warm-up`, async () => {
    // Warm-up: pipelines, Dawn's and the driver's allocator pools, the JIT. Native memory grows for
    // a few rounds before it levels off (measured on lavapipe: +60 MiB over 5 rounds, then flat).
    for (let round = 0; round < (SOAK ? 2 : 5); round++) {
      await churn(mgr, SOAK ? 0.5 : 1);
      await collected(mgr);
    }
    const gc = (globalThis as { gc?: () => void }).gc!;
    gc();
    const warm = process.memoryUsage().rss;
    const gpuWarm = nvidiaMemoryUsed();
    await churn(mgr, 1);
    await collected(mgr);
    gc();
    const end = process.memoryUsage().rss;
    const gpuEnd = nvidiaMemoryUsed();
    if (gpuWarm !== null && gpuEnd !== null) {
      console.log(`leaks: GPU memory in use (nvidia-smi) after warm-up ${gpuWarm} MiB, after the soak ${gpuEnd} MiB`);
      assert.ok(gpuEnd - gpuWarm <= 64, `GPU memory grew from ${gpuWarm} to ${gpuEnd} MiB`);
    }
    const growth = (end - warm) / warm;
    console.log(`leaks: RSS after warm-up ${(warm / 2 ** 20).toFixed(1)} MiB, after the soak ${(end / 2 ** 20).toFixed(1)} MiB (${(growth * 100).toFixed(1)}%)`);
    assert.ok(growth < 0.1, `RSS grew ${(growth * 100).toFixed(1)}%: from ${warm} to ${end} bytes`);
  });

  // Issue 16: creating and destroying GPU buffers grows a Dawn process without end (50,000 cycles:
  // 183 -> 241 MB); destroyed tensors' buffers are reused from the manager's pool instead.
  test(`${CHURN_CYCLES} tensor create/destroy cycles: RSS after all of them within ${CHURN_BOUND * 100}% of RSS after the first ${CHURN_CYCLES / 10}`, async () => {
    const gc = (globalThis as { gc?: () => void }).gc!;
    const cycles = async (count: number) => {
      for (let i = 1; i <= count; i++) {
        mgr.tensor(64, 'f32').destroy();
        if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await cycles(CHURN_CYCLES / 10);
    gc();
    const first = process.memoryUsage().rss;
    // Steady state makes no GPU objects and no GPU calls: the pooled buffer, still zeros, is reused as it is.
    const device = mgr.device;
    const calls = { createBuffer: 0, writeBuffer: 0, submit: 0 };
    const { createBuffer } = device;
    const { writeBuffer, submit } = device.queue;
    device.createBuffer = (...args) => (calls.createBuffer++, createBuffer.apply(device, args));
    device.queue.writeBuffer = (...args: Parameters<typeof writeBuffer>) => (calls.writeBuffer++, Reflect.apply(writeBuffer, device.queue, args));
    device.queue.submit = (...args) => (calls.submit++, submit.apply(device.queue, args));
    try {
      await cycles(CHURN_CYCLES - CHURN_CYCLES / 10);
    } finally {
      device.createBuffer = createBuffer;
      device.queue.writeBuffer = writeBuffer;
      device.queue.submit = submit;
    }
    assert.deepEqual(calls, { createBuffer: 0, writeBuffer: 0, submit: 0 }, 'steady-state churn calls no WebGPU function');
    gc();
    const end = process.memoryUsage().rss;
    const growth = (end - first) / first;
    console.log(
      `churn: RSS after ${CHURN_CYCLES / 10} create/destroy cycles ${(first / 2 ** 20).toFixed(1)} MiB, after ${CHURN_CYCLES} ${(end / 2 ** 20).toFixed(1)} MiB (${(growth * 100).toFixed(1)}%)`,
    );
    assert.equal(mgr.memory().tensors, 0);
    assert.equal(mgr.memory().deviceBytes, 0);
    assert.ok(mgr.memory().poolBytes <= 64 * 4, 'one pooled buffer serves every cycle');
    assert.ok(growth < CHURN_BOUND, `RSS grew ${(growth * 100).toFixed(1)}%: from ${first} to ${end} bytes`);
  });
});
