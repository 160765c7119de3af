/**
 * Bring your own device and buffers: `Manager.fromDevice(device)` and `mgr.tensorFromBuffer(...)`.
 * The manager tracks and destroys what it created on them, never the external objects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ArgumentError, Manager, MemoryType, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, SizeError, StateError, ValidationError } from '../src/index.js';
import { assertFails, DOUBLE_SHADER, rawDevice, rawRead, Usage } from './helpers.js';

const RAW_INCREMENT = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> v: array<u32>;
@compute @workgroup_size(4)
fn main(@builtin(global_invocation_id) id: vec3u) {
  v[id.x] = v[id.x] + 1u;
}
`;

/** Runs a tiny compute pass with raw WebGPU on `device` and returns its result: [1,2,3,4] + 1. */
async function rawCompute(device: GPUDevice): Promise<number[]> {
  const buffer = device.createBuffer({ size: 16, usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, new Uint32Array([1, 2, 3, 4]));
  const module = device.createShaderModule({ code: RAW_INCREMENT });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer } }] });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(1);
  pass.end();
  device.queue.submit([encoder.finish()]);
  const result = Array.from(new Uint32Array(await rawRead(device, buffer, 16)));
  buffer.destroy();
  return result;
}

/** Whether `promise` has settled (checked after one turn of the event loop). */
async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('Manager.fromDevice()', () => {
  let device: GPUDevice;
  before(async () => {
    ({ device } = await rawDevice());
  });
  after(() => device.destroy());

  test('fromDevice() gives a manager that computes on the external device and does not own it', async () => {
    const mgr = Manager.fromDevice(device);
    try {
      assert.equal(mgr.ownsDevice, false);
      assert.equal(mgr.device, device);
      const a = mgr.tensor([1, 2, 3]);
      const out = mgr.tensor(3, 'f32');
      const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
      const seq = mgr.sequence();
      await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
      assert.deepEqual(Array.from(out.data()), [2, 4, 6]);
      const m = mgr.memory();
      assert.equal(m.tensors, 2);
      assert.equal(m.algorithms, 1);
      assert.equal(m.sequences, 1);
      assert.ok(m.deviceBytes >= 24);
    } finally {
      mgr.destroy();
    }
  });

  test('fromDevice(): mgr.destroy() destroys everything it created, but the external device still works', async () => {
    const mgr = Manager.fromDevice(device);
    const a = mgr.tensor([1, 2]);
    const out = mgr.tensor(2, 'f32', { type: MemoryType.Host });
    const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo));
    assert.deepEqual(Array.from(out.data()), [2, 4]);
    mgr.destroy();
    for (const r of [a, out, algo, seq]) assert.equal(r.isInit(), false);
    assert.equal(mgr.memory().totalBytes, 0);
    assert.equal(mgr.memory().tensors, 0);
    assert.equal(await hasSettled(device.lost), false, 'the external device is not lost');
    assert.deepEqual(await rawCompute(device), [2, 3, 4, 5]);
  });

  test('fromDevice(): several managers can share one external device, and destroying one leaves the other working', async () => {
    const first = Manager.fromDevice(device);
    const second = Manager.fromDevice(device);
    try {
      const t = second.tensor([5]);
      first.tensor([1]);
      first.destroy();
      assert.equal(t.isInit(), true);
      const seq = second.sequence();
      const out = second.tensor(1, 'f32');
      const algo = second.algorithm([t, out], DOUBLE_SHADER);
      await seq.eval(new OpSyncDevice([t]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
      assert.deepEqual(Array.from(out.data()), [10]);
    } finally {
      second.destroy();
    }
    assert.deepEqual(await rawCompute(device), [2, 3, 4, 5]);
  });

  test('fromDevice() rejects something that is not a GPUDevice with ArgumentError', () => {
    assert.throws(() => Manager.fromDevice({} as GPUDevice), ArgumentError);
    assert.throws(() => Manager.fromDevice(null as unknown as GPUDevice), ArgumentError);
  });
});

describe('mgr.tensorFromBuffer()', () => {
  let device: GPUDevice;
  let mgr: Manager;
  before(async () => {
    ({ device } = await rawDevice());
    mgr = Manager.fromDevice(device);
  });
  after(() => {
    mgr.destroy();
    device.destroy();
  });

  function external(bytes: number, usage = Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST): GPUBuffer {
    return device.createBuffer({ size: bytes, usage });
  }

  test('data round-trips through a wrapped external buffer in both directions', async () => {
    const buffer = external(16);
    device.queue.writeBuffer(buffer, 0, new Float32Array([1, 2, 3, 4]));
    const t = mgr.tensorFromBuffer(buffer, 'f32', 4);
    assert.equal(t.size, 4);
    assert.equal(t.dtype, 'f32');
    assert.equal(t.buffer, buffer);
    const out = mgr.tensor(4, 'f32');
    const algo = mgr.algorithm([t, out], DOUBLE_SHADER);
    const seq = mgr.sequence();
    // GPU -> host: what raw WebGPU wrote is what the tensor holds.
    await seq.eval(new OpSyncLocal([t]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
    assert.deepEqual(Array.from(t.data()), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(out.data()), [2, 4, 6, 8]);
    // host -> GPU: what the tensor uploads is what raw WebGPU reads.
    t.setData([9, 8, 7, 6]);
    await seq.eval(new OpSyncDevice([t]));
    assert.deepEqual(Array.from(new Float32Array(await rawRead(device, buffer, 16))), [9, 8, 7, 6]);
    for (const r of [seq, algo, out, t]) r.destroy();
    buffer.destroy();
  });

  // Found by the lifecycle model test: the rejected batch's readback buffer (stale bytes) was
  // still delivered into the host data.
  for (const length of [1, 32768]) {
    test(`a read back from a buffer its owner destroyed fails with ValidationError and leaves the host data as it was (${length} elements)`, async () => {
      const buffer = external(4 * length);
      const t = mgr.tensorFromBuffer(buffer, 'f32', length);
      const seq = mgr.sequence();
      t.setData(new Float32Array(length).fill(1));
      await seq.eval(new OpSyncDevice([t]), new OpSyncLocal([t]));
      assert.equal(t.data()[length - 1], 1);
      buffer.destroy();
      t.setData(new Float32Array(length).fill(29));
      await assertFails(() => seq.eval(new OpSyncLocal([t])), ValidationError);
      assert.equal(t.data()[0], 29);
      assert.equal(t.data()[length - 1], 29);
      for (const r of [seq, t]) r.destroy();
    });
  }

  test('a wrapped buffer is counted as a tensor but not as device bytes', () => {
    const before0 = mgr.memory();
    const buffer = external(64);
    const t = mgr.tensorFromBuffer(buffer, 'u32', 16, { type: MemoryType.Storage });
    const m = mgr.memory();
    assert.equal(m.tensors, before0.tensors + 1);
    assert.equal(m.deviceBytes, before0.deviceBytes);
    t.destroy();
    assert.deepEqual({ ...mgr.memory() }, { ...before0 });
    buffer.destroy();
  });

  test('tensor.destroy() and mgr.destroy() never destroy a wrapped buffer: raw WebGPU still maps and reads it', async () => {
    const own = Manager.fromDevice(device);
    const buffer = external(16);
    const t = own.tensorFromBuffer(buffer, 'i32', 4);
    t.setData(new Int32Array([-1, 2, -3, 4]));
    const seq = own.sequence();
    await seq.eval(new OpSyncDevice([t]));
    t.destroy();
    assert.equal(t.isInit(), false);
    own.destroy();
    assert.deepEqual(Array.from(new Int32Array(await rawRead(device, buffer, 16))), [-1, 2, -3, 4]);
    // Still writable too.
    device.queue.writeBuffer(buffer, 0, new Int32Array([5, 6, 7, 8]));
    assert.deepEqual(Array.from(new Int32Array(await rawRead(device, buffer, 16))), [5, 6, 7, 8]);
    buffer.destroy();
  });

  test('a buffer kept alive only by the manager after the tensor is dropped is not destroyed by manager teardown either', async () => {
    const own = Manager.fromDevice(device);
    const buffer = external(16);
    own.tensorFromBuffer(buffer, 'u32', 4); // dropped without destroy()
    device.queue.writeBuffer(buffer, 0, new Uint32Array([3, 1, 4, 1]));
    own.destroy();
    assert.deepEqual(Array.from(new Uint32Array(await rawRead(device, buffer, 16))), [3, 1, 4, 1]);
    buffer.destroy();
  });

  test('a buffer too small for the length fails with SizeError', () => {
    const buffer = external(16);
    assert.throws(() => mgr.tensorFromBuffer(buffer, 'f32', 5), SizeError);
    buffer.destroy();
  });

  test('a buffer without STORAGE | COPY_SRC | COPY_DST usage fails with ArgumentError, unless wrapped as Storage', () => {
    const storageOnly = external(16, Usage.STORAGE);
    assert.throws(() => mgr.tensorFromBuffer(storageOnly, 'f32', 4), ArgumentError);
    const t = mgr.tensorFromBuffer(storageOnly, 'f32', 4, { type: MemoryType.Storage });
    assert.equal(t.memoryType, MemoryType.Storage);
    t.destroy();
    const uniform = external(16, Usage.UNIFORM | Usage.COPY_DST);
    assert.throws(() => mgr.tensorFromBuffer(uniform, 'f32', 4, { type: MemoryType.Storage }), ArgumentError);
    storageOnly.destroy();
    uniform.destroy();
  });

  test('a wrapped tensor cannot be rebuilt (its buffer is not ours to replace)', async () => {
    const buffer = external(16);
    const t = mgr.tensorFromBuffer(buffer, 'f32', 4);
    await assertFails(() => t.rebuild(8), StateError);
    assert.equal(t.buffer, buffer);
    t.destroy();
    buffer.destroy();
  });
});
