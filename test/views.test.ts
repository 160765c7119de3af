/**
 * Views of a tensor (`tensor.view(offset, length)`, Kompute #24): created through their tensor,
 * owning no GPU memory, bound at an offset like a tensor, moved on their own by OpSyncDevice,
 * OpSyncLocal and OpCopy in every memory type, and dying with their tensor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AlgorithmBindingError,
  ArgumentError,
  DestroyedError,
  type Manager,
  MemoryType,
  OpAlgoDispatch,
  OpCopy,
  OpMult,
  OpSyncDevice,
  OpSyncLocal,
  SizeError,
  StateError,
  type Tensor,
  TensorView,
} from '../src/index.js';
import { assertFails, createManager, rawDevice, rawRead, Usage } from './helpers.js';

const TYPES = [MemoryType.Device, MemoryType.Host, MemoryType.DeviceAndHost, MemoryType.Storage] as const;
/** Element counts on both sides of the 64 KiB line between plain and mapped host copies. */
const SIZES = [1000, 40_000] as const;

/** What the GPU buffer of `tensor` holds, read with raw WebGPU on the manager's device (host copies untouched). */
async function gpuValues(mgr: Manager, tensor: Tensor): Promise<number[]> {
  const bytes = Math.ceil(tensor.byteLength / 4) * 4;
  return Array.from(new Float32Array(await rawRead(mgr.device, tensor.buffer, bytes), 0, tensor.size));
}

function ramp(n: number, scale: number, shift = 0): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => i * scale + shift);
}

/** `expected` with `inner[k]` at `offset + k`. */
function spliced(outer: ArrayLike<number>, offset: number, inner: ArrayLike<number>): number[] {
  const out = Array.from(outer);
  for (let k = 0; k < inner.length; k++) out[offset + k] = inner[k]!;
  return out;
}

const DOUBLE_IN_PLACE = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> data: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&data)) { data[id.x] = data[id.x] * 2.0 + 1.0; }
}
`;

describe('tensor views', () => {
  let mgr: Manager;
  let align: number;
  before(async () => {
    mgr = await createManager();
    align = mgr.device.limits.minStorageBufferOffsetAlignment;
  });
  after(() => mgr.destroy());

  test('a view reports its range, its tensor and its bytes, and owns no GPU memory', () => {
    const t = mgr.tensor(ramp(100, 1));
    const before0 = mgr.memory();
    const v = t.view(8, 16);
    assert.ok(v instanceof TensorView);
    assert.equal(v.kind, 'view');
    assert.equal(v.tensor, t);
    assert.equal(v.offset, 8);
    assert.equal(v.size, 16);
    assert.equal(v.dtype, 'f32');
    assert.equal(v.byteOffset, 32);
    assert.equal(v.byteLength, 64);
    assert.equal(v.memoryType, MemoryType.Device);
    assert.deepEqual(Array.from(v.data()), Array.from(ramp(16, 1, 8)));
    const after0 = mgr.memory();
    assert.equal(after0.views, before0.views + 1);
    assert.equal(after0.totalBytes, before0.totalBytes, 'a view adds no bytes');
    assert.equal(after0.tensors, before0.tensors);
    assert.equal(t.view(90).size, 10, 'the length defaults to the rest of the tensor');
    t.destroy();
    assert.equal(mgr.memory().views, before0.views, 'views die with their tensor');
  });

  test('offsets: any element for 4-byte types, even elements for f16; errors name the nearest legal offsets and lengths', async () => {
    const f16 = mgr.tensor(10, 'f16');
    assert.equal(f16.view(2, 4).byteOffset, 4);
    assert.equal(f16.view(4, 6).size, 6, 'an odd-length view may end the tensor (its padding is the tensor’s own)');
    assert.equal(f16.view(8, 2).size, 2);
    await assertFails(() => f16.view(3, 2), ArgumentError, /^offset: .*not a multiple of 4.*element 2 or 4/);
    await assertFails(() => f16.view(2, 3), ArgumentError, /^length: .*6 bytes.*view 2 or 4 elements/);
    const f32 = mgr.tensor(10, 'f32');
    await assertFails(() => f32.view(-1, 2), ArgumentError, /^offset: must be a non-negative integer/);
    await assertFails(() => f32.view(1.5, 2), ArgumentError, /^offset/);
    await assertFails(() => f32.view(2, 0), ArgumentError, /^length: must be a positive integer/);
    await assertFails(() => f32.view(8, 3), SizeError, /^length: .*ends at element 11, past .*'s 10.*at most 2 elements/);
    await assertFails(() => f32.view(10), ArgumentError, /^length/);
    f16.destroy();
    f32.destroy();
  });

  test('binding a view checks its byte offset against minStorageBufferOffsetAlignment, naming the nearest legal offsets', async () => {
    const perAlign = align / 4;
    const t = mgr.tensor(4 * perAlign, 'f32');
    const misaligned = t.view(perAlign + 3, 8);
    const error = await assertFails(() => mgr.algorithm([misaligned], DOUBLE_IN_PLACE, { workgroup: [1] }), AlgorithmBindingError);
    assert.match(error.message, new RegExp(`^tensors\\[0\\]: .*starts at byte ${(perAlign + 3) * 4}.*minStorageBufferOffsetAlignment \\(${align} bytes\\)`));
    assert.match(error.message, new RegExp(`element ${perAlign} or ${2 * perAlign}`));
    // Near the end, only the offset below fits.
    const tail = t.view(3 * perAlign + 1, perAlign - 1);
    await assertFails(() => mgr.algorithm([tail], DOUBLE_IN_PLACE, { workgroup: [1] }), AlgorithmBindingError, new RegExp(`element ${3 * perAlign} \\(`));
    // Misaligned views still sync and copy: only binding needs the alignment.
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([misaligned]), new OpSyncLocal([misaligned]));
    seq.destroy();
    t.destroy();
  });

  test('views bound at aligned offsets read and write only their range, as raw WebGPU with the same bindings', async () => {
    const perAlign = align / 4;
    const n = 5 * perAlign + 7;
    const initial = ramp(n, 0.5, -3);
    // kompute-ts: two views of one tensor, in two algorithms and in one algorithm with two bindings.
    const t = mgr.tensor(initial);
    const first = t.view(perAlign, 2 * perAlign - 5);
    const second = t.view(3 * perAlign, 2 * perAlign + 7);
    const doubled = mgr.algorithm([first], DOUBLE_IN_PLACE, { workgroup: [Math.ceil(first.size / 64)] });
    const pairShader = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> b: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&b)) { b[id.x] = b[id.x] + a[id.x % arrayLength(&a)] + f32(arrayLength(&a)); }
}
`;
    const pair = mgr.algorithm([first, second], pairShader, { workgroup: [Math.ceil(second.size / 64)] });
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([t]), new OpAlgoDispatch(doubled), new OpAlgoDispatch(pair), new OpSyncLocal([t]));
    const got = Array.from(t.data());

    // Raw WebGPU on a device of its own: the same shaders, the same buffer ranges.
    const { device } = await rawDevice();
    const buffer = device.createBuffer({ size: n * 4, usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST });
    device.queue.writeBuffer(buffer, 0, initial);
    const run = (code: string, entries: GPUBindGroupEntry[], groups: number) => {
      const module = device.createShaderModule({ code });
      const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(groups);
      pass.end();
      device.queue.submit([encoder.finish()]);
    };
    const firstRange = { buffer, offset: first.byteOffset, size: first.byteLength };
    const secondRange = { buffer, offset: second.byteOffset, size: second.byteLength };
    run(DOUBLE_IN_PLACE, [{ binding: 0, resource: firstRange }], Math.ceil(first.size / 64));
    run(
      pairShader,
      [
        { binding: 0, resource: firstRange },
        { binding: 1, resource: secondRange },
      ],
      Math.ceil(second.size / 64),
    );
    const raw = Array.from(new Float32Array(await rawRead(device, buffer, n * 4)));
    device.destroy();

    assert.deepEqual(got, raw, 'kompute-ts and raw WebGPU agree bit for bit');
    // And the CPU says the same: outside the views nothing moved.
    const expected = Array.from(initial);
    for (let i = 0; i < first.size; i++) expected[first.offset + i] = Math.fround(expected[first.offset + i]! * 2 + 1);
    for (let i = 0; i < second.size; i++) {
      const j = second.offset + i;
      expected[j] = Math.fround(Math.fround(expected[j]! + expected[first.offset + (i % first.size)]!) + first.size);
    }
    assert.deepEqual(got, expected);
    seq.destroy();
    t.destroy();
  });

  test('views of one tensor in one algorithm: a read-only and a writable binding, or overlapping writable ranges, are AlgorithmBindingErrors', async () => {
    const perAlign = align / 4;
    const t = mgr.tensor(4 * perAlign, 'f32');
    const mixed = /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> b: array<f32>;
@compute @workgroup_size(1) fn main() { b[0] = a[0]; }
`;
    const both = mixed.replace('var<storage, read> a', 'var<storage, read_write> a');
    await assertFails(
      () => mgr.algorithm([t.view(0, perAlign), t.view(perAlign, perAlign)], mixed),
      AlgorithmBindingError,
      /^tensors\[1\]: .*parts of one tensor.*only one of the bindings is writable/,
    );
    await assertFails(() => mgr.algorithm([t, t.view(perAlign, perAlign)], mixed), AlgorithmBindingError, /parts of one tensor/);
    await assertFails(() => mgr.algorithm([t.view(0, 2 * perAlign), t.view(perAlign, perAlign)], both), AlgorithmBindingError, /ranges overlap and both are writable/);
    // Both read-only, overlapping: allowed; both writable, apart: allowed.
    const reads = mixed.replace('var<storage, read_write> b', 'var<storage, read> b').replace('b[0] = a[0];', '_ = a[0] + b[0];');
    await mgr.algorithm([t.view(0, 2 * perAlign), t.view(perAlign, perAlign)], reads).compiled();
    await mgr.algorithm([t.view(0, perAlign), t.view(perAlign, perAlign)], both).compiled();
    t.destroy();
  });

  test('a view bound as var<uniform> reads its range, as raw WebGPU with the same binding; its offset is checked against minUniformBufferOffsetAlignment', async () => {
    const ualign = mgr.device.limits.minUniformBufferOffsetAlignment;
    const per = ualign / 4;
    const initial = ramp(3 * per, 1.5, -7);
    const shader = /* wgsl */ `
struct U { a: vec4f, b: vec4f }
@group(0) @binding(0) var<uniform> u: U;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(1) fn main() {
  for (var i = 0u; i < 4u; i++) { out[i] = u.a[i]; out[i + 4u] = u.b[i] * 2.0; }
}
`;
    const t = mgr.tensor(initial);
    const out = mgr.tensor(8, 'f32');
    const view = t.view(per, 8);
    const algo = mgr.algorithm([view, out], shader, { workgroup: [1] });
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([t]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
    const expected = [...Array.from(initial.slice(per, per + 4)), ...Array.from(initial.slice(per + 4, per + 8), (x) => Math.fround(x * 2))];
    assert.deepEqual(Array.from(out.data()), expected);

    const { device } = await rawDevice();
    const buffer = device.createBuffer({ size: initial.byteLength, usage: Usage.UNIFORM | Usage.COPY_DST });
    device.queue.writeBuffer(buffer, 0, initial);
    const result = device.createBuffer({ size: 32, usage: Usage.STORAGE | Usage.COPY_SRC });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: shader }), entryPoint: 'main' } });
    const group = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer, offset: view.byteOffset, size: view.byteLength } },
        { binding: 1, resource: { buffer: result } },
      ],
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(1);
    pass.end();
    device.queue.submit([encoder.finish()]);
    assert.deepEqual(Array.from(new Float32Array(await rawRead(device, result, 32))), Array.from(out.data()), 'raw WebGPU reads the same');
    device.destroy();

    const misaligned = t.view(per + 4, 8);
    await assertFails(
      () => mgr.algorithm([misaligned, out], shader, { workgroup: [1] }),
      AlgorithmBindingError,
      new RegExp(`minUniformBufferOffsetAlignment \\(${ualign} bytes\\).*element ${per} or ${2 * per}`),
    );
    // A uniform view and a writable view of one tensor in one dispatch: rejected before WebGPU does.
    await assertFails(() => mgr.algorithm([view, t.view(2 * per, 8)], shader, { workgroup: [1] }), AlgorithmBindingError, /only one of the bindings is writable/);
    seq.destroy();
    algo.destroy();
    t.destroy();
    out.destroy();
  });

  test('OpMult multiplies views', async () => {
    const perAlign = align / 4;
    const t = mgr.tensor(ramp(3 * perAlign, 1));
    const out = mgr.tensor(perAlign, 'f32');
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([t]), new OpMult([t.view(0, perAlign), t.view(2 * perAlign, perAlign), out]), new OpSyncLocal([out]));
    assert.deepEqual(
      Array.from(out.data()),
      Array.from({ length: perAlign }, (_, i) => Math.fround(i * (2 * perAlign + i))),
    );
    seq.destroy();
    t.destroy();
    out.destroy();
  });

  for (const n of SIZES) {
    test(`Device tensors of ${n} elements: OpSyncDevice and OpSyncLocal of a view move only its range, both ways`, async () => {
      const t = mgr.tensor(ramp(n, 1));
      const seq = mgr.sequence();
      await seq.eval(new OpSyncDevice([t]));
      const offset = 100;
      const length = Math.floor(n / 3);
      const view = t.view(offset, length);
      // Host → GPU: only the range goes.
      t.setData(ramp(n, -1));
      await seq.eval(new OpSyncDevice([view]));
      assert.deepEqual(await gpuValues(mgr, t), spliced(ramp(n, 1), offset, ramp(length, -1, -offset)));
      // GPU → host: only the range comes back, over host data that differs from the GPU elsewhere.
      const other = mgr.tensor(ramp(n, 3));
      await seq.eval(new OpSyncDevice([other]), new OpCopy([other, t]));
      t.setData(ramp(n, 7));
      await seq.eval(new OpSyncLocal([view]));
      assert.deepEqual(Array.from(t.data()), spliced(ramp(n, 7), offset, ramp(length, 3, 3 * offset)));
      assert.deepEqual(Array.from(view.data()), Array.from(ramp(length, 3, 3 * offset)));
      // view.setData writes the range of the host copy, and an upload of the view sends it.
      view.setData(ramp(length, 0, 42));
      assert.deepEqual(Array.from(t.data()), spliced(ramp(n, 7), offset, ramp(length, 0, 42)));
      await seq.eval(new OpSyncDevice([view]));
      assert.deepEqual(await gpuValues(mgr, t), spliced(ramp(n, 3), offset, ramp(length, 0, 42)));
      await assertFails(() => view.setData([1, 2]), SizeError, /^values: got 2 values/);
      seq.destroy();
      other.destroy();
      t.destroy();
    });
  }

  test('mapped host copies: ranged readbacks land right whatever holds the host data (fresh, read back, viewed, written)', async () => {
    const n = 60_000;
    const gpu = mgr.tensor(ramp(n, 2));
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([gpu]));
    // 1. No host data yet (zeros): the range lands in zeros.
    const fresh = mgr.tensor(n, 'f32');
    await seq.eval(new OpCopy([gpu.view(10, 100), fresh.view(10, 100)]));
    assert.deepEqual(Array.from(fresh.data()), spliced(new Float32Array(n), 10, ramp(100, 2, 20)));
    assert.deepEqual((await gpuValues(mgr, fresh)).slice(0, 120), spliced(new Float32Array(120), 10, ramp(100, 2, 20)));
    // 2. After a readback nobody looked at: the rest stays.
    const t = mgr.tensor(n, 'f32');
    await seq.eval(new OpCopy([gpu, t]));
    const changed = mgr.tensor(ramp(n, -5));
    await seq.eval(new OpSyncDevice([changed]), new OpCopy([changed, t]), new OpSyncLocal([t.view(0, 50)]));
    // OpCopy into the whole tensor read it back whole: the later ranged readback agrees with it.
    assert.deepEqual(Array.from(t.data()), Array.from(ramp(n, -5)));
    await seq.eval(new OpCopy([gpu.view(1000, 500), t.view(1000, 500)]));
    assert.deepEqual(Array.from(t.data()), spliced(ramp(n, -5), 1000, ramp(500, 2, 2000)));
    // 3. After the host data was viewed and written through the view: those writes survive.
    const host = t.data();
    host[5] = 12345;
    host[n - 1] = -1;
    await seq.eval(new OpCopy([gpu.view(2000, 64), t.view(2000, 64)]));
    const expected3 = spliced(ramp(n, -5), 1000, ramp(500, 2, 2000));
    expected3[5] = 12345;
    expected3[n - 1] = -1;
    assert.deepEqual(Array.from(t.data()), spliced(expected3, 2000, ramp(64, 2, 4000)));
    assert.equal(host[2000], 4000, 'a view handed out before stays valid and shows the range');
    // 4. Host data set by setData (the upload buffer holds it).
    t.setData(ramp(n, 1, 0.5));
    await seq.eval(new OpSyncLocal([t.view(30_000, 1000)]));
    const expected4 = spliced(ramp(n, 1, 0.5), 30_000, Array.from(await gpuValues(mgr, t)).slice(30_000, 31_000));
    assert.deepEqual(Array.from(t.data()), expected4);
    // ... and an upload of the whole afterwards sends it all.
    await seq.eval(new OpSyncDevice([t]));
    assert.deepEqual(await gpuValues(mgr, t), expected4);
    seq.destroy();
    for (const x of [gpu, fresh, t, changed]) x.destroy();
  });

  test('mapped host copies: repeated ranged readbacks stay right when the readback buffer takes over the host data', async () => {
    const n = 50_000;
    const gpu = mgr.tensor(ramp(n, 3));
    const t = mgr.tensor(ramp(n, -1));
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([gpu]));
    let expected = Array.from(ramp(n, -1));
    for (let round = 0; round < 6; round++) {
      const offset = (round * 7919) % (n - 20_000);
      // Writes through data() between readbacks (the host data's home may be either buffer).
      const host = t.data();
      host[round] = 1000 + round;
      expected[round] = 1000 + round;
      await seq.eval(new OpCopy([gpu.view(offset, 20_000), t.view(offset, 20_000)]));
      expected = spliced(expected, offset, ramp(20_000, 3, 3 * offset));
      assert.deepEqual(Array.from(t.data()), expected, `round ${round}`);
    }
    seq.destroy();
    gpu.destroy();
    t.destroy();
  });

  for (const n of SIZES) {
    test(`one batch of ${n} elements: a ranged readback then an upload of the whole skips the range (the GPU holds it)`, async () => {
      const t = mgr.tensor(ramp(n, 1));
      const seq = mgr.sequence();
      await seq.eval(new OpSyncDevice([t]));
      const source = mgr.tensor(ramp(n, -1));
      await seq.eval(new OpSyncDevice([source]));
      t.setData(ramp(n, 4));
      // GPU range [200, 300) gets the source; the readback of that range and the whole upload keep it.
      const view = t.view(200, 100);
      await seq.eval(new OpCopy([source.view(200, 100), view]), new OpSyncLocal([view]), new OpSyncDevice([t]));
      const expected = spliced(ramp(n, 4), 200, ramp(100, -1, -200));
      assert.deepEqual(await gpuValues(mgr, t), expected);
      assert.deepEqual(Array.from(t.data()), expected);
      // Whole readback after a ranged one in one batch: the whole wins, and a later range too.
      await seq.eval(new OpSyncDevice([source]), new OpCopy([source, t]), new OpSyncLocal([t.view(0, 10)]), new OpSyncLocal([t]), new OpSyncLocal([t.view(4, 4)]));
      assert.deepEqual(Array.from(t.data()), Array.from(ramp(n, -1)));
      seq.destroy();
      source.destroy();
      t.destroy();
    });
  }

  for (const type of [MemoryType.Host, MemoryType.DeviceAndHost]) {
    for (const n of SIZES) {
      test(`${type} tensors of ${n} elements: an algorithm bound to a view keeps only the view's range coherent`, async () => {
        const perAlign = align / 4;
        const t = mgr.tensor(ramp(n, 1), { type });
        const view = t.view(perAlign, 2 * perAlign);
        const algo = mgr.algorithm([view], DOUBLE_IN_PLACE, { workgroup: [Math.ceil(view.size / 64)] });
        const seq = mgr.sequence();
        // Sync operations are no-ops for coherent tensors, views included.
        await seq.eval(new OpSyncDevice([view]), new OpAlgoDispatch(algo), new OpSyncLocal([view]));
        const doubled = Array.from(ramp(2 * perAlign, 1, perAlign), (x) => Math.fround(x * 2 + 1));
        assert.deepEqual(Array.from(t.data()), spliced(ramp(n, 1), perAlign, doubled));
        const onGpu = await gpuValues(mgr, t);
        assert.deepEqual(onGpu.slice(perAlign, 3 * perAlign), doubled, "the view's range went up and came back");
        assert.equal(onGpu[0], 0, 'outside the view nothing was uploaded: the GPU buffer is still zeros');
        // OpCopy into a view of a coherent tensor: the range comes back with the evaluation.
        const source = mgr.tensor(ramp(10, -1), { type: MemoryType.Storage });
        await seq.eval(new OpCopy([source, t.view(n - 10, 10)]));
        assert.deepEqual(Array.from(t.data()).slice(n - 10), Array.from(ramp(10, -1)));
        seq.destroy();
        algo.destroy();
        source.destroy();
        t.destroy();
      });
    }
  }

  test('Storage tensors: views have no host data, sync operations are no-ops, OpCopy moves ranges on the GPU', async () => {
    const t = mgr.tensor(ramp(300, 1), { type: MemoryType.Storage });
    const view = t.view(100, 50);
    await assertFails(() => view.data(), StateError, /Storage tensors have no host copy/);
    await assertFails(() => view.setData(new Float32Array(50)), StateError, /Storage tensors have no host copy/);
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([view]), new OpSyncLocal([view]));
    const device = mgr.tensor(ramp(50, -1));
    await seq.eval(new OpSyncDevice([device]), new OpCopy([device, view]));
    assert.deepEqual(await gpuValues(mgr, t), spliced(ramp(300, 1), 100, ramp(50, -1)));
    seq.destroy();
    device.destroy();
    t.destroy();
  });

  test('OpCopy between views and tensors of every memory type moves only the ranges, into the host copy’s matching range', async () => {
    const seq = mgr.sequence();
    let k = 0;
    for (const from of TYPES) {
      for (const to of TYPES) {
        k++;
        const source = mgr.tensor(ramp(64, 1, 100 * k), { type: from });
        const target = mgr.tensor(ramp(64, 0, -k), { type: to });
        // Coherent sources upload with the evaluation; a Device source needs its OpSyncDevice.
        await seq.eval(new OpSyncDevice([source]), new OpSyncDevice([target]), new OpCopy([source.view(8, 16), target.view(40, 16)]));
        const expected = spliced(ramp(64, 0, -k), 40, ramp(16, 1, 100 * k + 8));
        assert.deepEqual(await gpuValues(mgr, target), expected, `${from} -> ${to} on the GPU`);
        if (to !== MemoryType.Storage) assert.deepEqual(Array.from(target.data()), expected, `${from} -> ${to} host copy`);
        // View to whole tensor and whole tensor to view.
        const small = mgr.tensor(16, 'f32', { type: to });
        await seq.eval(new OpCopy([source.view(48, 16), small]));
        assert.deepEqual(await gpuValues(mgr, small), Array.from(ramp(16, 1, 100 * k + 48)), `${from} view -> ${to} tensor`);
        await seq.eval(new OpCopy([small, source.view(0, 16)]));
        assert.deepEqual((await gpuValues(mgr, source)).slice(0, 16), Array.from(ramp(16, 1, 100 * k + 48)), `${to} tensor -> ${from} view`);
        source.destroy();
        target.destroy();
        small.destroy();
      }
    }
    seq.destroy();
  });

  test('OpCopy rejects two views of one tensor, and views of other sizes or dtypes', async () => {
    const t = mgr.tensor(ramp(100, 1));
    await assertFails(() => new OpCopy([t.view(0, 10), t.view(50, 10)]).validate('recording'), ArgumentError, /both are parts of .*different buffers/);
    await assertFails(() => new OpCopy([t, t.view(0, 100)]).validate('recording'), ArgumentError, /both are parts of/);
    const other = mgr.tensor(100, 'f32');
    await assertFails(() => new OpCopy([t.view(0, 10), other.view(0, 11)]).validate('recording'), SizeError, /10 elements.*11 elements/);
    const ints = mgr.tensor(100, 'i32');
    await assertFails(() => new OpCopy([t.view(0, 10), ints.view(0, 10)]).validate('recording'), ArgumentError, /f32.*i32/);
    const seq = mgr.sequence();
    await assertFails(() => seq.record(new OpCopy([t.view(0, 10), t.view(20, 10)])), ArgumentError, /both are parts of/);
    seq.destroy();
    for (const x of [t, other, ints]) x.destroy();
  });

  test('OpCopy between an image and a view copies the image into the view’s range', async () => {
    const image = mgr.image(ramp(4 * 3 * 4, 1), 4, 3, 4);
    const t = mgr.tensor(200, 'f32');
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([image]), new OpCopy([image, t.view(20, 48)]));
    assert.deepEqual(Array.from(t.data()), spliced(new Float32Array(200), 20, ramp(48, 1)));
    await assertFails(() => new OpCopy([image, t.view(22, 48)]).validate('recording'), ArgumentError, /not a multiple of .*16-byte texels/);
    seq.destroy();
    image.destroy();
    t.destroy();
  });

  test('a view of a destroyed tensor throws DestroyedError everywhere; views are destroyed with it and with the manager', async () => {
    const m = await createManager();
    const t = m.tensor(ramp(256, 1));
    const v = t.view(64, 64);
    const w = t.view(0, 64);
    const seq = m.sequence().record(new OpSyncLocal([v]));
    const algo = m.algorithm([w], DOUBLE_IN_PLACE, { workgroup: [1] });
    assert.equal(m.memory().views, 2);
    v.destroy();
    assert.equal(m.memory().views, 1);
    assert.equal(v.isDestroyed, true);
    await assertFails(() => v.data(), DestroyedError, /View.* was destroyed/);
    v.destroy(); // idempotent
    t.destroy();
    assert.equal(m.memory().views, 0, 'the tensor destroyed its views');
    assert.equal(w.isInit(), false);
    for (const use of [
      () => w.data(),
      () => w.setData(new Float32Array(64)),
      () => w.buffer,
      () => w.rebuild(0, 1),
      () => t.view(0, 1),
      () => seq.eval(),
      () => m.sequence().eval(new OpAlgoDispatch(algo)),
    ]) {
      const e = await assertFails(use, DestroyedError);
      assert.match(e.message, /Tensor#\d+ was destroyed/);
    }
    await assertFails(() => m.sequence().record(new OpSyncDevice([w])), DestroyedError, /a view of a destroyed tensor/);
    const u = m.tensor(10, 'f32');
    const views = [u.view(0, 2), u.view(2, 2)];
    assert.equal(m.memory().views, 2);
    m.destroy();
    assert.equal(m.memory().views, 0);
    for (const x of views) {
      assert.equal(x.isDestroyed, true);
      await assertFails(() => x.data(), DestroyedError);
    }
  });

  test('a tensor rebuilt smaller than a view makes it throw StateError until the view is moved; rebuilt larger, views follow the new buffer', async () => {
    const perAlign = align / 4;
    const t = mgr.tensor(ramp(4 * perAlign, 1));
    const v = t.view(2 * perAlign, perAlign);
    const algo = mgr.algorithm([v], DOUBLE_IN_PLACE, { workgroup: [Math.ceil(perAlign / 64)] });
    const seq = mgr
      .sequence()
      .record(new OpSyncDevice([t]))
      .record(new OpAlgoDispatch(algo))
      .record(new OpSyncLocal([t]));
    await seq.eval();
    t.rebuild(ramp(2 * perAlign + 1, -1));
    assert.equal(v.isInit(), false);
    await assertFails(() => v.data(), StateError, new RegExp(`covers elements ${2 * perAlign} to ${3 * perAlign - 1} but .* was rebuilt to ${2 * perAlign + 1} elements.*view.rebuild`));
    await assertFails(() => seq.eval(), StateError, /was rebuilt to/);
    await assertFails(() => mgr.sequence().record(new OpSyncLocal([v])), StateError, /was rebuilt to/);
    // Rebuilt larger: the view binds the new buffer at the next dispatch.
    t.rebuild(ramp(4 * perAlign, 10));
    assert.equal(v.isInit(), true);
    await seq.eval();
    const expected = spliced(
      ramp(4 * perAlign, 10),
      2 * perAlign,
      Array.from(ramp(perAlign, 10, 20 * perAlign), (x) => Math.fround(x * 2 + 1)),
    );
    assert.deepEqual(Array.from(t.data()), expected);
    // view.rebuild moves the range; the algorithm binds the new one.
    t.rebuild(ramp(perAlign, 1));
    v.rebuild(0);
    assert.equal(v.size, perAlign);
    await seq.eval();
    assert.deepEqual(
      Array.from(t.data()),
      Array.from(ramp(perAlign, 1), (x) => Math.fround(x * 2 + 1)),
    );
    await assertFails(() => v.rebuild(0, perAlign + 1), SizeError, /past/);
    seq.destroy();
    algo.destroy();
    t.destroy();
  });

  test('views are held weakly: a dropped view is collected and no longer counted', async (t) => {
    if (typeof globalThis.gc !== 'function') {
      t.skip('needs node --expose-gc');
      return;
    }
    const m = await createManager();
    const tensor = m.tensor(100, 'f32');
    const base = 0;
    (() => {
      for (let i = 0; i < 50; i++) tensor.view(i, 1);
    })();
    assert.equal(m.memory().views, base + 50);
    for (let i = 0; i < 20 && m.memory().views > base; i++) {
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(m.memory().views, base);
    assert.equal(tensor.isInit(), true, 'the tensor lives on');
    m.destroy();
  });
});
