/**
 * The seven memory-ownership rules of the issue, one or more tests each, named after the rule.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DestroyedError, Manager, MemoryType, OpAlgoDispatch, OpCopy, OpMemoryBarrier, OpMult, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { ADD_PUSH_SHADER, assertFails, createManager, describeChild, DOUBLE_SHADER, INCREMENT_SHADER, INDEX_URL, rawDevice, rawRead, runChild, Usage } from './helpers.js';

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

/** Creates, evaluates and destroys 2 * [1, 2, 3] on `mgr`, asserting the result. */
async function assertComputes(mgr: Manager): Promise<void> {
  const a = mgr.tensor([1, 2, 3]);
  const out = mgr.tensor(3, 'f32');
  const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
  const seq = mgr.sequence();
  await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
  assert.deepEqual(Array.from(out.data()), [2, 4, 6]);
  for (const r of [seq, algo, a, out]) r.destroy();
}

/**
 * Calls each public method of `target` named in `calls` (with its arguments), each of which must
 * throw, or reject with, a DestroyedError naming `label`.
 */
async function assertEveryMethodThrowsDestroyed(target: object, label: string, calls: Record<string, unknown[]>): Promise<void> {
  const failures: string[] = [];
  for (const [name, args] of Object.entries(calls)) {
    const method = (target as Record<string, unknown>)[name];
    assert.equal(typeof method, 'function', `${label}.${name} is a method`);
    try {
      const error = await assertFails(() => (method as (...a: unknown[]) => unknown).apply(target, args), DestroyedError);
      assert.equal((error as DestroyedError).resource, label, 'names the resource');
      assert.ok(error.message.includes(label), 'the message names the resource');
    } catch (e) {
      failures.push(`${label}.${name}(): ${(e as Error).message}`);
    }
  }
  assert.deepEqual(failures, [], failures.join('\n'));
}

describe('memory-ownership rules', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  describe('rule 1: only what the framework created is managed', () => {
    let device: GPUDevice;
    before(async () => {
      ({ device } = await rawDevice());
    });
    after(() => device.destroy());

    test('rule 1: an external device is never destroyed: after mgr.destroy() raw WebGPU still creates buffers and runs a compute pass on it', async () => {
      const byo = Manager.fromDevice(device);
      await assertComputes(byo);
      byo.tensor([1, 2, 3, 4]);
      byo.destroy();
      assert.equal(byo.isInit(), false);
      assert.deepEqual({ ...byo.memory() }, ZERO);

      const buffer = device.createBuffer({ size: 16, usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST });
      device.queue.writeBuffer(buffer, 0, new Float32Array([1, 2, 3, 4]));
      const module = device.createShaderModule({
        code: '@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n@compute @workgroup_size(4) fn main(@builtin(global_invocation_id) id: vec3u) { v[id.x] = v[id.x] * 10.0; }',
      });
      const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer } }] }));
      pass.dispatchWorkgroups(1);
      pass.end();
      device.queue.submit([encoder.finish()]);
      assert.deepEqual(Array.from(new Float32Array(await rawRead(device, buffer, 16))), [10, 20, 30, 40]);
      buffer.destroy();
    });

    test('rule 1: an external buffer is never destroyed: after tensor.destroy() and mgr.destroy() raw WebGPU still maps and reads it', async () => {
      const byo = Manager.fromDevice(device);
      const buffer = device.createBuffer({ size: 12, usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST });
      const t = byo.tensorFromBuffer(buffer, 'u32', 3);
      t.setData([7, 8, 9]);
      await byo.sequence().eval(new OpSyncDevice([t]));
      t.destroy();
      byo.destroy();
      assert.deepEqual(Array.from(new Uint32Array(await rawRead(device, buffer, 12))), [7, 8, 9]);
      buffer.destroy();
    });
  });

  describe('rule 2: ownership is acyclic with one top owner, the manager', () => {
    test('rule 2: destroying the manager destroys every tensor, algorithm and sequence it created', async () => {
      const own = await createManager();
      const t = own.tensor([1, 2]);
      const out = own.tensor(2, 'f32', { type: MemoryType.Storage });
      const algo = own.algorithm([t, out], DOUBLE_SHADER);
      const seq = own.sequence();
      await seq.eval(new OpSyncDevice([t]), new OpAlgoDispatch(algo));
      own.destroy();
      for (const r of [t, out, algo, seq]) assert.equal(r.isInit(), false);
      assert.deepEqual({ ...own.memory() }, ZERO);
    });

    test("rule 2: children don't keep a destroyed manager usable: every use through a child throws DestroyedError", async () => {
      const own = await createManager();
      const t = own.tensor([1, 2]);
      const out = own.tensor(2, 'f32');
      const algo = own.algorithm([t, out], DOUBLE_SHADER);
      const seq = own.sequence().record(new OpAlgoDispatch(algo));
      own.destroy();
      await assertFails(() => t.data(), DestroyedError);
      await assertFails(() => t.setData([1, 2]), DestroyedError);
      await assertFails(() => algo.rebuild([t, out], DOUBLE_SHADER), DestroyedError);
      await assertFails(() => seq.eval(), DestroyedError);
      await assertFails(() => seq.record(new OpSyncLocal([out])), DestroyedError);
      await assertFails(() => own.tensor([1]), DestroyedError);
      assert.equal(own.isInit(), false);
      assert.deepEqual({ ...own.memory() }, ZERO);
    });

    test('rule 2: destroying a child never destroys its owner or its siblings', async () => {
      const a = mgr.tensor([1, 2, 3]);
      const out = mgr.tensor(3, 'f32');
      const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
      const seq = mgr.sequence();
      await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
      seq.destroy();
      algo.destroy();
      assert.equal(mgr.isInit(), true);
      assert.equal(a.isInit(), true);
      assert.equal(out.isInit(), true);
      assert.deepEqual(Array.from(out.data()), [2, 4, 6], 'tensors outlive the sequence and algorithm that used them');
      a.destroy();
      out.destroy();
      await assertComputes(mgr);
    });

    test('rule 2: nothing refers back to the manager: a manager dropped without destroy() is collected, and its held tensor then reports isInit() false', () => {
      // In a child process: collecting a manager also collects its Dawn instance.
      const result = runChild(`
        import { Manager, OpSyncDevice } from ${JSON.stringify(INDEX_URL)};
        let ref;
        async function make() {
          const mgr = await Manager.create();
          ref = new WeakRef(mgr);
          const t = mgr.tensor([1, 2, 3]);
          await mgr.sequence().eval(new OpSyncDevice([t]));
          return t;
        }
        const t = await make();
        let collected = false;
        for (let i = 0; i < 100 && !collected; i++) {
          await new Promise((r) => setImmediate(r));
          gc();
          collected = ref.deref() === undefined;
        }
        for (let i = 0; i < 10; i++) { await new Promise((r) => setImmediate(r)); gc(); }
        let error = null;
        try { t.data(); } catch (e) { error = e.name; }
        console.log(JSON.stringify({ collected, isInit: t.isInit(), error }));
      `);
      assert.equal(result.status, 0, describeChild(result));
      const line = result.stdout.trim().split('\n').at(-1)!;
      assert.deepEqual(JSON.parse(line), { collected: true, isInit: false, error: 'DestroyedError' }, describeChild(result));
    });
  });

  describe('rule 3: operations own nothing', () => {
    test('rule 3: creating many operations allocates nothing: memory() is identical before and after', () => {
      const a = mgr.tensor([1, 2, 3]);
      const b = mgr.tensor(3, 'f32');
      const algo = mgr.algorithm([a], ADD_PUSH_SHADER, { pushConstants: [1] });
      const before0 = mgr.memory();
      const ops = [];
      for (let i = 0; i < 100; i++) {
        ops.push(new OpSyncDevice([a, b]), new OpSyncLocal([a]), new OpCopy([a, b]), new OpAlgoDispatch(algo, [i]), new OpAlgoDispatch(algo), new OpMemoryBarrier([a]));
      }
      assert.equal(ops.length, 600);
      assert.deepEqual({ ...mgr.memory() }, { ...before0 });
      for (const r of [algo, a, b]) r.destroy();
    });

    test('rule 3: destroying the sequence that holds operations releases only the sequence, never the tensors or algorithms they use', async () => {
      const a = mgr.tensor([1, 2]);
      const out = mgr.tensor(2, 'f32');
      const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
      const seq = mgr.sequence();
      await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
      const withSequence = mgr.memory();
      seq.destroy();
      const m = mgr.memory();
      assert.equal(m.tensors, withSequence.tensors);
      assert.equal(m.algorithms, withSequence.algorithms);
      assert.equal(m.sequences, withSequence.sequences - 1);
      assert.equal(m.deviceBytes, withSequence.deviceBytes, 'the tensors keep their GPU buffers');
      assert.ok(m.stagingBytes <= withSequence.stagingBytes, "only the sequence's own transfer memory may go");
      assert.equal(a.isInit(), true);
      assert.equal(algo.isInit(), true);
      assert.deepEqual(Array.from(out.data()), [2, 4]);
      // The tensors and the algorithm still work in another sequence.
      out.setData([0, 0]);
      await mgr.sequence().eval(new OpAlgoDispatch(algo), new OpSyncLocal([out]));
      assert.deepEqual(Array.from(out.data()), [2, 4]);
      for (const r of [algo, a, out]) r.destroy();
    });

    test("rule 3: OpMult's built-in algorithm belongs to the manager, not to the operation", async () => {
      const own = await createManager();
      const lhs = own.tensor([2, 4, 6]);
      const rhs = own.tensor([0, 1, 2]);
      const out = own.tensor(3, 'f32');
      const before0 = own.memory();
      const op = new OpMult([lhs, rhs, out]);
      assert.equal(own.memory().algorithms, before0.algorithms + 1, 'the manager counts it');
      await own.sequence().eval(new OpSyncDevice([lhs, rhs]), op, new OpSyncLocal([out]));
      assert.deepEqual(Array.from(out.data()), [0, 4, 12]);
      own.destroy();
      assert.equal(op.algorithm.isInit(), false, 'the manager destroyed it');
      assert.deepEqual({ ...own.memory() }, ZERO);
    });
  });

  describe('rule 4: manager destroy releases everything it created', () => {
    test('rule 4: after mgr.destroy() every held object reports isInit() false and memory() is all zero', async () => {
      const own = await createManager();
      const held: { isInit(): boolean }[] = [];
      for (const type of [MemoryType.Device, MemoryType.Host, MemoryType.DeviceAndHost, MemoryType.Storage]) {
        held.push(own.tensor([1, 2, 3, 4], { type }));
      }
      const a = own.tensor([1, 2, 3]);
      const out = own.tensor(3, 'f32');
      const algo = own.algorithm([a, out], DOUBLE_SHADER);
      const pushAlgo = own.algorithm([a], ADD_PUSH_SHADER, { pushConstants: [1] });
      const seq = own.sequence();
      await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpAlgoDispatch(pushAlgo, [2]), new OpSyncLocal([out, a]));
      held.push(a, out, algo, pushAlgo, seq);
      if (own.deviceInfo().features.includes('timestamp-query')) {
        const timed = own.sequence({ timestamps: true });
        await timed.eval(new OpAlgoDispatch(algo));
        held.push(timed);
      }
      const mult = new OpMult([a, a, out]);
      held.push(mult.algorithm);
      const m = own.memory();
      assert.ok(m.deviceBytes > 0 && m.stagingBytes > 0 && m.otherBytes > 0, JSON.stringify(m));
      for (const r of held) assert.equal(r.isInit(), true);

      own.destroy();
      for (const r of held) assert.equal(r.isInit(), false);
      assert.deepEqual({ ...own.memory() }, ZERO);
    });

    test('rule 4: resources the user dropped before mgr.destroy() are released too', async () => {
      const own = await createManager();
      (() => {
        const t = own.tensor([1, 2, 3]);
        own.algorithm([t, own.tensor(3, 'f32')], DOUBLE_SHADER);
        own.sequence();
      })();
      assert.equal(own.memory().tensors, 2);
      own.destroy();
      assert.deepEqual({ ...own.memory() }, ZERO);
    });
  });

  // Rule 5 (weak holding, garbage collection) is tested in weak-holding.test.ts, in a process of
  // its own, where nothing other tests dropped can be collected during its counts.

  describe('rule 6: a destroyed resource cannot be used or recreated', () => {
    // The public methods of the API (state queries such as isInit() and the idempotent
    // destroy() stay callable).
    test('rule 6: every method of a destroyed tensor throws DestroyedError naming the tensor', async () => {
      const t = mgr.tensor([1, 2, 3]);
      t.destroy();
      await assertEveryMethodThrowsDestroyed(t, t.label, { data: [], setData: [[1, 2, 3]], rebuild: [4] });
      assert.throws(
        () => t.buffer,
        (e: unknown) => e instanceof DestroyedError && e.resource === t.label,
      );
      assert.equal(t.isInit(), false);
      assert.doesNotThrow(() => t.destroy());
    });

    test('rule 6: every method of a destroyed algorithm throws DestroyedError naming the algorithm', async () => {
      const a = mgr.tensor([1]);
      const algo = mgr.algorithm([a], ADD_PUSH_SHADER, { pushConstants: [1] });
      algo.destroy();
      await assertEveryMethodThrowsDestroyed(algo, algo.label, {
        rebuild: [[a], ADD_PUSH_SHADER, { pushConstants: [1] }],
        compiled: [],
        setPushConstants: [[2]],
        getWorkgroup: [],
        getPushConstants: [],
        getSpecializationConstants: [],
        getTensors: [],
      });
      assert.equal(algo.isInit(), false);
      assert.doesNotThrow(() => algo.destroy());
      a.destroy();
    });

    test('rule 6: every method of a destroyed sequence throws DestroyedError naming the sequence', async () => {
      const a = mgr.tensor([1]);
      const seq = mgr.sequence();
      await seq.eval(new OpSyncDevice([a]));
      seq.destroy();
      await assertEveryMethodThrowsDestroyed(seq, seq.label, {
        record: [new OpSyncDevice([a])],
        eval: [],
        evalAsync: [],
        evalAwait: [],
        clear: [],
        rerecord: [],
        getOperations: [],
        getTimestamps: [],
      });
      assert.equal(seq.isInit(), false);
      assert.equal(seq.isRunning(), false);
      assert.doesNotThrow(() => seq.destroy());
      a.destroy();
    });

    test('rule 6: every method of a destroyed manager throws DestroyedError naming the manager', async () => {
      const own = await createManager();
      const buffer = own.device.createBuffer({ size: 16, usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST });
      const t = own.tensor([1]);
      own.destroy();
      await assertEveryMethodThrowsDestroyed(own, 'Manager', {
        tensor: [[1, 2]],
        tensorFromBuffer: [buffer, 'f32', 4],
        algorithm: [[t], DOUBLE_SHADER],
        sequence: [],
        deviceInfo: [],
      });
      assert.throws(() => own.device, DestroyedError);
      // memory() keeps reporting, all zero, as rule 4 requires.
      assert.deepEqual({ ...own.memory() }, ZERO);
    });

    test('rule 6: a destroyed tensor cannot be bound to a new algorithm', () => {
      const t = mgr.tensor([1, 2]);
      const out = mgr.tensor(2, 'f32');
      t.destroy();
      assert.throws(
        () => mgr.algorithm([t, out], DOUBLE_SHADER),
        (e: unknown) => e instanceof DestroyedError && e.resource === t.label,
      );
      out.destroy();
    });

    test('rule 6: a destroyed tensor cannot be dispatched: recording an algorithm that binds it throws DestroyedError', async () => {
      const t = mgr.tensor([1, 2]);
      const out = mgr.tensor(2, 'f32');
      const algo = mgr.algorithm([t, out], DOUBLE_SHADER);
      const seq = mgr.sequence();
      t.destroy();
      assert.throws(
        () => seq.record(new OpAlgoDispatch(algo)),
        (e: unknown) => e instanceof DestroyedError && e.resource === t.label,
      );
      await assertFails(() => seq.eval(new OpAlgoDispatch(algo)), DestroyedError);
      assert.throws(() => seq.record(new OpSyncDevice([t])), DestroyedError);
      assert.throws(() => seq.record(new OpCopy([out, t])), DestroyedError);
      for (const r of [seq, algo, out]) r.destroy();
    });

    test('rule 6: a tensor destroyed after recording makes eval() of the recorded sequence reject with DestroyedError', async () => {
      const t = mgr.tensor([1, 2]);
      const out = mgr.tensor(2, 'f32');
      const algo = mgr.algorithm([t, out], DOUBLE_SHADER);
      const seq = mgr.sequence();
      seq
        .record(new OpSyncDevice([t]))
        .record(new OpAlgoDispatch(algo))
        .record(new OpSyncLocal([out]));
      await seq.eval();
      assert.deepEqual(Array.from(out.data()), [2, 4]);
      t.destroy();
      const error = await assertFails(() => seq.eval(), DestroyedError);
      assert.equal((error as DestroyedError).resource, t.label);
      assert.equal(seq.isRunning(), false);
      assert.throws(() => seq.rerecord(), DestroyedError);
      for (const r of [seq, algo, out]) r.destroy();
      await assertComputes(mgr);
    });

    test('rule 6: a destroyed algorithm in a recorded sequence makes eval() reject with DestroyedError', async () => {
      const t = mgr.tensor([1], { type: MemoryType.Host });
      const algo = mgr.algorithm([t], INCREMENT_SHADER);
      const seq = mgr.sequence().record(new OpAlgoDispatch(algo));
      algo.destroy();
      const error = await assertFails(() => seq.eval(), DestroyedError);
      assert.equal((error as DestroyedError).resource, algo.label);
      assert.throws(() => seq.record(new OpAlgoDispatch(algo)), DestroyedError);
      seq.destroy();
      t.destroy();
      await assertComputes(mgr);
    });
  });

  describe('rule 7: rebuild works only while not destroyed', () => {
    test('rule 7: a live tensor and a live algorithm can be rebuilt', async () => {
      const t = mgr.tensor([1, 2], { type: MemoryType.Host });
      t.rebuild([5, 6, 7]);
      assert.equal(t.size, 3);
      const algo = mgr.algorithm([t], INCREMENT_SHADER);
      algo.rebuild([t], ADD_PUSH_SHADER, { pushConstants: [10] });
      await mgr.sequence().eval(new OpAlgoDispatch(algo));
      assert.deepEqual(Array.from(t.data()), [15, 16, 17]);
      algo.destroy();
      t.destroy();
    });

    test('rule 7: rebuild() of a destroyed tensor or algorithm throws DestroyedError and allocates nothing', async () => {
      const t = mgr.tensor([1, 2]);
      const algo = mgr.algorithm([t], INCREMENT_SHADER.replace('array<f32>', 'array<f32>'));
      algo.destroy();
      const live = mgr.tensor([3]);
      await assertFails(() => algo.rebuild([live], INCREMENT_SHADER), DestroyedError);
      t.destroy();
      const before0 = mgr.memory();
      await assertFails(() => t.rebuild(16), DestroyedError);
      await assertFails(() => t.rebuild([1, 2, 3]), DestroyedError);
      assert.deepEqual({ ...mgr.memory() }, { ...before0 });
      assert.equal(t.isInit(), false);
      assert.equal(algo.isInit(), false);
      live.destroy();
    });

    test('rule 7: rebuild() of the children of a destroyed manager throws DestroyedError', async () => {
      const own = await createManager();
      const t = own.tensor([1, 2]);
      const algo = own.algorithm([t], INCREMENT_SHADER);
      own.destroy();
      await assertFails(() => t.rebuild(4), DestroyedError);
      await assertFails(() => algo.rebuild([t], INCREMENT_SHADER), DestroyedError);
    });
  });

  test('after every ownership error the manager still computes correctly', async () => {
    await assertComputes(mgr);
  });
});
