/**
 * Large tensors: host data over 64 KiB lives in mapped staging buffers of its own, while small
 * tensors share their sequence's transfer buffers. Both paths must give the same results, alone
 * and mixed in one batch, for every memory type.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Manager, MemoryType, OpAlgoDispatch, OpCopy, OpSyncDevice, OpSyncLocal, type Tensor } from '../src/index.js';
import { assertClose, cpuReference, createManager, randomValues, readBack } from './helpers.js';

const LARGE = 20_000; // 80 KB of f32
const SMALL = 16;

/** out[i] = a[i] * 2 + 1 with 64 invocations per workgroup and a bounds check. */
const AFFINE64 = /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&out)) { out[id.x] = a[id.x] * 2.0 + 1.0; }
}
`;

/** t[i] += 1 with 64 invocations per workgroup. */
const INCREMENT64 = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> t: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&t)) { t[id.x] = t[id.x] + 1.0; }
}
`;

const groups = (n: number): number[] => [Math.ceil(n / 64)];

for (const hostData of ['upload-buffer', 'host-memory'] as const)
  describe(`large and small tensors (hostData: '${hostData}')`, () => {
    let mgr: Manager;
    before(async () => {
      mgr = await createManager({ hostData });
    });
    after(() => mgr.destroy());

    for (const n of [SMALL, LARGE]) {
      test(`a ${n}-element tensor round-trips through OpSyncDevice and OpSyncLocal`, async () => {
        const values = randomValues(n, n);
        const t = mgr.tensor(values);
        const seq = mgr.sequence();
        await seq.eval(new OpSyncDevice([t]));
        t.setData(new Float32Array(n));
        assert.equal(t.data()[n - 1], 0);
        await seq.eval(new OpSyncLocal([t]));
        assertClose(t.data(), values, 0);
        seq.destroy();
        t.destroy();
      });

      test(`an algorithm over ${n} elements matches the CPU, evaluated twice with new data in between`, async () => {
        const xs = randomValues(n, 11);
        const a = mgr.tensor(xs);
        const out = mgr.tensor(n, 'f32');
        const algo = mgr.algorithm([a, out], AFFINE64, { workgroup: groups(n) });
        const seq = mgr.sequence();
        seq
          .record(new OpSyncDevice([a]))
          .record(new OpAlgoDispatch(algo))
          .record(new OpSyncLocal([out]));
        await seq.eval();
        assertClose(
          out.data(),
          cpuReference(n, (i) => xs[i]! * 2 + 1),
          1e-6,
        );
        const ys = randomValues(n, 12);
        a.setData(ys);
        await seq.eval();
        assertClose(
          out.data(),
          cpuReference(n, (i) => ys[i]! * 2 + 1),
          1e-6,
        );
        for (const r of [seq, algo, a, out]) r.destroy();
      });

      test(`a ${n}-element tensor synced up, changed in place on the GPU and synced back in one batch gets the GPU result`, async () => {
        const t = mgr.tensor(new Float32Array(n).fill(5));
        const algo = mgr.algorithm([t], INCREMENT64, { workgroup: groups(n) });
        const seq = mgr.sequence();
        await seq.eval(new OpSyncDevice([t]), new OpAlgoDispatch(algo), new OpAlgoDispatch(algo), new OpSyncLocal([t]));
        const data = t.data();
        assert.equal(data[0], 7);
        assert.equal(data[n - 1], 7);
        for (const r of [seq, algo, t]) r.destroy();
      });

      test(`OpSyncLocal then OpSyncDevice of a ${n}-element tensor in one batch leaves host and GPU holding the same data (Kompute's staging round trip)`, async () => {
        const t = mgr.tensor(new Float32Array(n).fill(1));
        const seq = mgr.sequence();
        await seq.eval(new OpSyncDevice([t])); // GPU: all 1
        t.setData(new Float32Array(n).fill(9)); // host only
        await seq.eval(new OpSyncLocal([t]), new OpSyncDevice([t]));
        const host = Array.from(t.data().subarray(0, 4));
        const gpu = (await readBack(mgr, t)).slice(0, 4);
        assert.deepEqual(host, gpu, `host ${host} and GPU ${gpu} agree`);
        assert.deepEqual(host, [1, 1, 1, 1], 'the GPU data came back first, then went up again unchanged');
        seq.destroy();
        t.destroy();
      });

      test(`OpCopy into a ${n}-element Device tensor followed by OpSyncDevice of it in one batch keeps the copied data on the GPU, whatever the size`, async () => {
        const a = mgr.tensor(new Float32Array(n).fill(5));
        const b = mgr.tensor(n, 'f32');
        const seq = mgr.sequence();
        await seq.eval(new OpSyncDevice([a]));
        // OpCopy also brings the copied data to b's host copy, so uploading it again changes nothing.
        await seq.eval(new OpCopy([a, b]), new OpSyncDevice([b]));
        assert.equal(b.data()[0], 5, 'host');
        assert.equal((await readBack(mgr, b))[0], 5, 'GPU');
        for (const r of [seq, a, b]) r.destroy();
      });

      test(`Host and DeviceAndHost tensors of ${n} elements are coherent without sync operations`, async () => {
        for (const type of [MemoryType.Host, MemoryType.DeviceAndHost]) {
          const t = mgr.tensor(new Float32Array(n).fill(2), { type });
          const algo = mgr.algorithm([t], INCREMENT64, { workgroup: groups(n) });
          const seq = mgr.sequence().record(new OpAlgoDispatch(algo));
          await seq.eval();
          assert.equal(t.data()[n - 1], 3, type);
          t.setData(new Float32Array(n).fill(10));
          await seq.eval();
          assert.equal(t.data()[0], 11, type);
          assert.equal(t.data()[n - 1], 11, type);
          for (const r of [seq, algo, t]) r.destroy();
        }
      });
    }

    test('OpCopy between every pair of memory types works for large tensors', async () => {
      const types = [MemoryType.Device, MemoryType.Host, MemoryType.DeviceAndHost, MemoryType.Storage];
      let k = 0;
      for (const from of types) {
        for (const to of types) {
          k++;
          const values = new Float32Array(LARGE).fill(k);
          values[LARGE - 1] = -k;
          const source = mgr.tensor(values, { type: from });
          const target = mgr.tensor(LARGE, 'f32', { type: to });
          const seq = mgr.sequence();
          await seq.eval(new OpSyncDevice([source]), new OpCopy([source, target]));
          const got = await readBack(mgr, target);
          assert.equal(got[0], k, `${from} -> ${to}`);
          assert.equal(got[LARGE - 1], -k, `${from} -> ${to}`);
          for (const r of [seq, source, target]) r.destroy();
        }
      }
    });

    test('small and large tensors mixed in one batch all arrive', async () => {
      const tensors: Tensor[] = [];
      for (let i = 0; i < 6; i++) tensors.push(mgr.tensor(new Float32Array(i % 2 === 0 ? SMALL : LARGE).fill(i + 1)));
      const seq = mgr.sequence();
      await seq.eval(new OpSyncDevice(tensors));
      for (const t of tensors) t.setData(new Float32Array(t.size));
      await seq.eval(new OpSyncLocal(tensors));
      tensors.forEach((t, i) => {
        assert.equal(t.data()[0], i + 1);
        assert.equal(t.data()[t.size - 1], i + 1);
      });
      seq.destroy();
      for (const t of tensors) t.destroy();
    });

    test('rebuild() can move a tensor from the small path to the large one and back', async () => {
      const t = mgr.tensor([1, 2, 3]);
      const out = mgr.tensor(3, 'f32');
      const algo = mgr.algorithm([t, out], AFFINE64, { workgroup: groups(LARGE) });
      const seq = mgr.sequence();
      t.rebuild(new Float32Array(LARGE).fill(4));
      out.rebuild(LARGE);
      await seq.eval(new OpSyncDevice([t]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
      assert.equal(out.data()[LARGE - 1], 9);
      t.rebuild([1, 2]);
      out.rebuild(2);
      await seq.eval(new OpSyncDevice([t]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
      assert.deepEqual(Array.from(out.data()), [3, 5]);
      for (const r of [seq, algo, t, out]) r.destroy();
    });
  });

describe("hostData: 'host-memory' keeps the host data readable", () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager({ hostData: 'host-memory' });
  });
  after(() => mgr.destroy());

  test('data() after setData and before any evaluation reads what was written, and a view stays valid across an upload', async () => {
    const xs = randomValues(LARGE, 3);
    const t = mgr.tensor(LARGE, 'f32');
    t.setData(xs);
    const view = t.data();
    assertClose(view, xs, 0);
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([t]));
    assert.equal(t.data(), view, 'an upload leaves the host data where it is');
    // Written in place after the upload, uploaded again.
    view[0] = 42;
    await seq.eval(new OpSyncDevice([t]));
    const gpu = await readBack(mgr, t);
    assert.equal(gpu[0], 42);
    assertClose(gpu.slice(1), Array.from(xs.subarray(1)), 0);
    for (const r of [seq, t]) r.destroy();
  });

  test('a readback replaces the host data, and writing into it then uploading sends the edit', async () => {
    const t = mgr.tensor(new Float32Array(LARGE).fill(4));
    const algo = mgr.algorithm([t], INCREMENT64, { workgroup: groups(LARGE) });
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([t]), new OpAlgoDispatch(algo), new OpSyncLocal([t]));
    const data = t.data();
    assert.equal(data[LARGE - 1], 5);
    data[LARGE - 1] = -1;
    await seq.eval(new OpSyncDevice([t]), new OpAlgoDispatch(algo), new OpSyncLocal([t]));
    assert.equal(t.data()[LARGE - 1], 0);
    assert.equal(t.data()[0], 6);
    for (const r of [seq, algo, t]) r.destroy();
  });

  test("a released tensor's host buffer reused by the next one starts zeroed", async () => {
    const a = mgr.tensor(new Float32Array(LARGE).fill(7));
    await mgr.sequence().eval(new OpSyncLocal([a]));
    a.destroy();
    const b = mgr.tensor(LARGE, 'f32');
    assert.equal(b.data()[0], 0);
    assert.equal(b.data()[LARGE - 1], 0);
    b.destroy();
  });
});

test("hostData: 'auto' resolves to a placement that round-trips data", async () => {
  const mgr = await createManager({ hostData: 'auto' });
  try {
    const xs = randomValues(LARGE, 5);
    const t = mgr.tensor(xs);
    assertClose(t.data(), xs, 0);
    await mgr.sequence().eval(new OpSyncDevice([t]), new OpSyncLocal([t]));
    assertClose(t.data(), xs, 0);
  } finally {
    mgr.destroy();
  }
});
