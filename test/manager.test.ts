/**
 * The Manager: device acquisition and its options, device information, live memory accounting,
 * destroy (idempotent, ordered, final) and disposal with `using`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { create } from 'webgpu';
import { acquireGpu } from '../src/backends/gpu-provider.js';
import type { GPU } from '../src/backends/webgpu-types.js';
import { $internal } from '../src/core/internal.js';
import { Algorithm, DestroyedError, Image, KomputeError, Manager, MemoryType, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, Sequence, StateError, Tensor, UnsupportedError } from '../src/index.js';
import { ADD_PUSH_SHADER, assertFails, createManager, DOUBLE_SHADER, liveMemory, Usage } from './helpers.js';

/** The adapter Dawn offers by default, to compare the manager's device with. */
async function defaultAdapter(): Promise<GPUAdapter> {
  const adapter = await create([]).requestAdapter();
  assert.ok(adapter, 'Dawn found no adapter');
  return adapter;
}

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

describe('Manager.create()', () => {
  let mgr: Manager;
  let adapter: GPUAdapter;
  before(async () => {
    mgr = await createManager();
    adapter = await defaultAdapter();
  });
  after(() => mgr.destroy());

  test('create() gives a usable manager that owns its device', () => {
    assert.equal(mgr.isInit(), true);
    assert.equal(mgr.ownsDevice, true);
    assert.equal(typeof mgr.device.createBuffer, 'function');
  });

  test('create() raises the storage-buffer limits to the adapter maxima (>= 9 storage buffers per stage where the adapter allows)', () => {
    const limits = mgr.deviceInfo().limits;
    const adapterLimits = adapter.limits;
    assert.equal(limits.maxStorageBuffersPerShaderStage, adapterLimits.maxStorageBuffersPerShaderStage);
    if (adapterLimits.maxStorageBuffersPerShaderStage >= 9) assert.ok(limits.maxStorageBuffersPerShaderStage! >= 9);
    assert.equal(limits.maxStorageBufferBindingSize, adapterLimits.maxStorageBufferBindingSize);
    assert.equal(limits.maxBufferSize, adapterLimits.maxBufferSize);
    assert.equal(limits.maxComputeWorkgroupsPerDimension, adapterLimits.maxComputeWorkgroupsPerDimension);
  });

  test('nine storage buffers can be bound to one algorithm (Kompute logistic regression needs it)', async () => {
    const tensors = Array.from({ length: 9 }, (_, i) => mgr.tensor([i]));
    const decls = tensors.map((_, i) => `@group(0) @binding(${i}) var<storage, read_write> t${i}: array<f32>;`).join('\n');
    const sum = tensors
      .slice(0, 8)
      .map((_, i) => `t${i}[0]`)
      .join(' + ');
    const wgsl = `${decls}\n@compute @workgroup_size(1) fn main() { t8[0] = ${sum}; }`;
    const algo = mgr.algorithm(tensors, wgsl, { workgroup: [1] });
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice(tensors), new OpAlgoDispatch(algo), new OpSyncLocal([tensors[8]!]));
    assert.equal(tensors[8]!.data()[0], 0 + 1 + 2 + 3 + 4 + 5 + 6 + 7);
    seq.destroy();
    algo.destroy();
    for (const t of tensors) t.destroy();
  });

  test('deviceInfo() reports the adapter strings, the sorted feature list and numeric limits', () => {
    const info = mgr.deviceInfo();
    for (const key of ['vendor', 'architecture', 'device', 'description'] as const) assert.equal(typeof info[key], 'string');
    assert.equal(info.vendor, adapter.info.vendor);
    assert.equal(info.description, adapter.info.description);
    assert.ok(Array.isArray(info.features));
    assert.deepEqual([...info.features], [...info.features].sort());
    const deviceFeatures = [...(mgr.device.features as unknown as Iterable<string>)].sort();
    assert.deepEqual([...info.features], deviceFeatures);
    // The useful optional features are requested whenever the adapter has them.
    const offered = new Set(adapter.features as unknown as Iterable<string>);
    for (const f of ['timestamp-query', 'shader-f16']) if (offered.has(f)) assert.ok(info.features.includes(f), `${f} enabled`);
    for (const name of ['maxBufferSize', 'maxStorageBufferBindingSize', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupsPerDimension', 'maxComputeInvocationsPerWorkgroup']) {
      assert.equal(typeof info.limits[name], 'number', name);
      assert.ok(info.limits[name]! > 0, name);
    }
  });

  test('an adapter name filter that matches the adapter is accepted', async () => {
    const name = mgr.deviceInfo().vendor || mgr.deviceInfo().description;
    assert.ok(name, 'the adapter has a name');
    const other = await createManager({ adapter: name.toUpperCase() });
    try {
      assert.equal(other.isInit(), true);
    } finally {
      other.destroy();
    }
  });

  test('an adapter name filter that matches no adapter fails with UnsupportedError', async () => {
    const error = await assertFails(() => Manager.create({ adapter: 'no-such-gpu-vendor-xyz' }), UnsupportedError, /no-such-gpu-vendor-xyz/);
    assert.equal((error as UnsupportedError).code, 'KP_UNSUPPORTED');
  });

  test('a required feature the adapter lacks fails with UnsupportedError naming it', async () => {
    await assertFails(() => Manager.create({ requiredFeatures: ['no-such-feature'] }), UnsupportedError, /no-such-feature/);
    const offered = new Set(adapter.features as unknown as Iterable<string>);
    const real = ['texture-compression-astc', 'texture-compression-etc2', 'texture-compression-bc', 'shader-f16', 'timestamp-query'].find((f) => !offered.has(f));
    if (real) await assertFails(() => Manager.create({ requiredFeatures: [real] }), UnsupportedError, new RegExp(real));
  });

  test('a required feature the adapter offers is enabled on the device', async () => {
    const feature = [...(adapter.features as unknown as Iterable<string>)].find((f) => f === 'float32-filterable' || f === 'timestamp-query');
    assert.ok(feature, 'the adapter offers float32-filterable or timestamp-query');
    const other = await createManager({ requiredFeatures: [feature] });
    try {
      assert.ok(other.deviceInfo().features.includes(feature));
    } finally {
      other.destroy();
    }
  });

  test('requiredLimits beyond the adapter fail with UnsupportedError naming the limit', async () => {
    const max = adapter.limits.maxStorageBuffersPerShaderStage;
    await assertFails(() => Manager.create({ requiredLimits: { maxStorageBuffersPerShaderStage: max + 1 } }), UnsupportedError, /maxStorageBuffersPerShaderStage/);
    await assertFails(() => Manager.create({ requiredLimits: { maxBufferSize: adapter.limits.maxBufferSize * 2 } }), UnsupportedError, /maxBufferSize/);
  });

  test("a device request failing with bun-webgpu's garbled feature list is made again, and other failures are not", async () => {
    const gpu = await acquireGpu([]);
    const flakyGpu = (failures: number, message: string): { gpu: GPU; requests: () => number } => {
      let requests = 0;
      const wrapped = {
        requestAdapter: async (options?: GPURequestAdapterOptions) => {
          const real = await gpu.requestAdapter(options);
          assert.ok(real);
          return new Proxy(real, {
            get(target, key) {
              if (key === 'requestDevice') {
                return async (descriptor?: GPUDeviceDescriptor) => {
                  requests++;
                  if (requests <= failures) throw new Error(message);
                  return target.requestDevice(descriptor);
                };
              }
              const value = Reflect.get(target, key, target);
              return typeof value === 'function' ? value.bind(target) : value;
            },
          });
        },
      } as unknown as GPU;
      return { gpu: wrapped, requests: () => requests };
    };
    const garbled = 'WGPU Error (Error): Invalid feature required: Value 529 is invalid for WGPUFeatureName.';
    const once = flakyGpu(1, garbled);
    const other = await Manager.create({ gpu: once.gpu });
    try {
      assert.equal(once.requests(), 2, 'the request was made again');
      const t = other.tensor([1, 2, 3]);
      await other.sequence().eval(new OpSyncDevice([t]), new OpSyncLocal([t]));
      assert.deepEqual(Array.from(t.data()), [1, 2, 3]);
    } finally {
      other.destroy();
    }
    const always = flakyGpu(Infinity, garbled);
    await assertFails(() => Manager.create({ gpu: always.gpu }), UnsupportedError, /did not open a device: .*WGPUFeatureName/);
    assert.equal(always.requests(), 3, 'three tries, then the error');
    const lost = flakyGpu(1, 'device creation failed: out of memory');
    const error = await assertFails(() => Manager.create({ gpu: lost.gpu }), UnsupportedError, /out of memory/);
    assert.match(String((error.cause as Error).message), /out of memory/, 'the cause is the runtime error');
    assert.equal(lost.requests(), 1, 'any other failure is not retried');
  });

  test('after failed create() calls an existing manager still computes correctly', async () => {
    const a = mgr.tensor([1, 2, 3]);
    const out = mgr.tensor(3, 'f32');
    const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
    assert.deepEqual(Array.from(out.data()), [2, 4, 6]);
    for (const r of [seq, algo, a, out]) r.destroy();
  });
});

describe('mgr.memory()', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  test('a fresh manager reports no resources and no bytes', () => {
    assert.deepEqual({ ...mgr.memory() }, ZERO);
  });

  test('memory() counts each tensor, algorithm and sequence exactly and returns to the same numbers after each destroy', () => {
    const m0 = mgr.memory();
    const a = mgr.tensor([1, 2, 3]); // 12 bytes
    const m1 = mgr.memory();
    assert.equal(m1.tensors, m0.tensors + 1);
    assert.equal(m1.deviceBytes, m0.deviceBytes + 12);
    // A host copy may live in staging memory (upload, and readback once used), at most twice the data.
    assert.ok(m1.stagingBytes - m0.stagingBytes <= 24, `staging grew by ${m1.stagingBytes - m0.stagingBytes}`);

    const s = mgr.tensor(5, 'i32', { type: MemoryType.Storage }); // 20 bytes, no host copy
    const m2 = mgr.memory();
    assert.equal(m2.tensors, m1.tensors + 1);
    assert.equal(m2.deviceBytes, m1.deviceBytes + 20);
    assert.equal(m2.stagingBytes, m1.stagingBytes, 'Storage tensors have no staging');

    const algo = mgr.algorithm([a, mgr.tensor(3, 'f32')], DOUBLE_SHADER);
    const m3 = mgr.memory();
    assert.equal(m3.algorithms, m2.algorithms + 1);
    assert.equal(m3.tensors, m2.tensors + 1);
    assert.equal(m3.deviceBytes, m2.deviceBytes + 12);

    const seq = mgr.sequence();
    const m4 = mgr.memory();
    assert.equal(m4.sequences, m3.sequences + 1);
    assert.equal(m4.totalBytes, m3.totalBytes, 'a sequence allocates nothing until it evaluates');

    for (const m of [m0, m1, m2, m3, m4]) assert.equal(m.totalBytes, m.deviceBytes + m.imageBytes + m.stagingBytes + m.otherBytes + m.poolBytes);

    seq.destroy();
    assert.deepEqual(liveMemory(mgr.memory()), liveMemory(m3));
    const [, second] = algo.getTensors();
    algo.destroy();
    assert.equal(mgr.memory().algorithms, m2.algorithms);
    second!.destroy();
    assert.deepEqual(liveMemory(mgr.memory()), liveMemory(m2));
    s.destroy();
    assert.deepEqual(liveMemory(mgr.memory()), liveMemory(m1));
    a.destroy();
    assert.deepEqual(liveMemory(mgr.memory()), liveMemory(m0));
    // A destroyed tensor's buffer waits in the pool for the next tensor of its size; trimmed, nothing is left.
    mgr.trimStagingPool();
    assert.deepEqual({ ...mgr.memory() }, { ...m0, poolBytes: 0, totalBytes: m0.totalBytes - m0.poolBytes });
  });

  test('memory() counts the push-constant memory of an evaluated sequence and frees it with the sequence', async () => {
    const before0 = mgr.memory();
    const t = mgr.tensor([0, 0], { type: MemoryType.Storage });
    const algo = mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [1] });
    const seq = mgr.sequence();
    const idle = mgr.memory();
    await seq.eval(new OpAlgoDispatch(algo));
    const during = mgr.memory();
    assert.ok(during.totalBytes - idle.totalBytes >= 256, `one 256-byte push slot at least, got ${during.totalBytes - idle.totalBytes}`);
    assert.equal(during.deviceBytes, idle.deviceBytes);
    assert.equal(during.totalBytes, during.deviceBytes + during.imageBytes + during.stagingBytes + during.otherBytes + during.poolBytes);
    seq.destroy();
    // The sequence's transfer buffer goes to the staging pool, reported apart, until trimmed.
    assert.equal(mgr.memory().poolBytes - idle.poolBytes, during.otherBytes - idle.otherBytes);
    mgr.trimStagingPool();
    assert.deepEqual({ ...mgr.memory() }, { ...idle, sequences: idle.sequences - 1, poolBytes: 0, totalBytes: idle.totalBytes - idle.poolBytes });
    algo.destroy();
    t.destroy();
    assert.deepEqual(liveMemory(mgr.memory()), liveMemory(before0));
  });

  test('push-constant uniform memory is reported under otherBytes, as MemoryReport documents', async () => {
    const t = mgr.tensor([0], { type: MemoryType.Storage });
    const algo = mgr.algorithm([t], ADD_PUSH_SHADER, { pushConstants: [1] });
    const seq = mgr.sequence();
    const idle = mgr.memory();
    await seq.eval(new OpAlgoDispatch(algo));
    const during = mgr.memory();
    // A Storage tensor moves no host data: the only new memory is the push-constant slot.
    assert.ok(during.otherBytes - idle.otherBytes >= 256, `otherBytes grew by ${during.otherBytes - idle.otherBytes}, stagingBytes by ${during.stagingBytes - idle.stagingBytes}`);
    for (const r of [seq, algo, t]) r.destroy();
  });

  // Small tensors share their sequence's transfer buffers; large ones (over 64 KiB) have their own.
  for (const length of [4, 32768]) {
    test(`memory() counts the staging that syncing a ${length}-element tensor creates and frees all of it with the tensor and the sequence`, async () => {
      mgr.trimStagingPool();
      const before0 = mgr.memory();
      const t = mgr.tensor(new Int32Array(length).fill(3));
      const created = mgr.memory();
      assert.equal(created.deviceBytes, before0.deviceBytes + 4 * length);
      const seq = mgr.sequence();
      await seq.eval(new OpSyncDevice([t]));
      t.setData(new Int32Array(length));
      await seq.eval(new OpSyncLocal([t]));
      assert.equal(t.data()[length - 1], 3);
      const synced = mgr.memory();
      assert.equal(synced.deviceBytes, created.deviceBytes);
      assert.ok(synced.stagingBytes >= created.stagingBytes);
      assert.equal(synced.totalBytes, synced.deviceBytes + synced.imageBytes + synced.stagingBytes + synced.otherBytes + synced.poolBytes);
      seq.destroy();
      t.destroy();
      // Its buffer, its staging and the sequence's transfer buffers go to the pool, reported apart.
      const freed = synced.deviceBytes + synced.stagingBytes + synced.otherBytes - before0.deviceBytes - before0.stagingBytes - before0.otherBytes;
      assert.equal(mgr.memory().poolBytes - before0.poolBytes, freed);
      mgr.trimStagingPool();
      assert.deepEqual({ ...mgr.memory() }, { ...before0, poolBytes: 0, totalBytes: before0.totalBytes - before0.poolBytes });
    });
  }
});

describe('mgr.destroy()', () => {
  test('destroy() is idempotent and quiet', async () => {
    const mgr = await createManager();
    mgr.tensor([1]);
    mgr.destroy();
    assert.doesNotThrow(() => mgr.destroy());
    assert.doesNotThrow(() => mgr.destroy());
    assert.equal(mgr.isInit(), false);
  });

  test('destroy() destroys sequences, algorithms and tensors: held objects report isInit() false and memory() is zero', async () => {
    const mgr = await createManager();
    const a = mgr.tensor([1, 2]);
    const out = mgr.tensor(2, 'f32', { type: MemoryType.Host });
    const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
    const seq = mgr.sequence();
    await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo));
    assert.deepEqual(Array.from(out.data()), [2, 4]);
    for (const r of [a, out, algo, seq]) assert.equal(r.isInit(), true);
    mgr.destroy();
    for (const r of [a, out, algo, seq]) {
      assert.equal(r.isInit(), false);
      assert.equal(r.isDestroyed, true);
    }
    assert.equal(mgr.isInit(), false);
    assert.deepEqual({ ...mgr.memory() }, ZERO);
    // Destroying the children again afterwards is quiet too.
    for (const r of [seq, algo, out, a]) assert.doesNotThrow(() => r.destroy());
  });

  test('destroy() drops the Dawn instance it holds so the process can exit', async () => {
    const mgr = await createManager();
    assert.notEqual(mgr[$internal].heldGpu, null);
    mgr.destroy();
    assert.equal(mgr[$internal].heldGpu, null);
  });

  test('every factory of a destroyed manager throws DestroyedError naming the Manager', async () => {
    const mgr = await createManager();
    const buffer = mgr.device.createBuffer({ size: 16, usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST });
    const t = mgr.tensor([1]);
    mgr.destroy();
    const calls: Record<string, () => unknown> = {
      'tensor(data)': () => mgr.tensor([1, 2]),
      'tensor(typed array)': () => mgr.tensor(new Float32Array(2)),
      'tensor(length, dtype)': () => mgr.tensor(4, 'u32'),
      tensorFromBuffer: () => mgr.tensorFromBuffer(buffer, 'f32', 4),
      algorithm: () => mgr.algorithm([t], DOUBLE_SHADER),
      sequence: () => mgr.sequence(),
      deviceInfo: () => mgr.deviceInfo(),
      device: () => mgr.device,
    };
    for (const [name, call] of Object.entries(calls)) {
      assert.throws(call, (e: unknown) => e instanceof DestroyedError && /Manager/.test(e.message) && e.resource === 'Manager', name);
    }
  });
});

describe('disposal with using', () => {
  test('`using` destroys a manager at the end of its block', async () => {
    let outer: Manager | undefined;
    {
      using mgr = await createManager();
      outer = mgr;
      assert.equal(mgr.isInit(), true);
    }
    assert.equal(outer.isInit(), false);
  });

  test('`await using` destroys a manager and the resources made in the block', async () => {
    let outer: Manager | undefined;
    let tensor;
    {
      await using mgr = await createManager();
      outer = mgr;
      tensor = mgr.tensor([1, 2, 3]);
    }
    assert.equal(outer.isInit(), false);
    assert.equal(tensor.isInit(), false);
    assert.deepEqual({ ...outer.memory() }, ZERO);
  });

  test('`using` destroys tensors, algorithms and sequences at the end of their block, leaving the manager alive', async () => {
    const mgr = await createManager();
    try {
      const before0 = mgr.memory();
      const held: { isInit(): boolean }[] = [];
      {
        using a = mgr.tensor([1, 2]);
        using out = mgr.tensor(2, 'f32');
        using algo = mgr.algorithm([a, out], DOUBLE_SHADER);
        await using seq = mgr.sequence();
        await seq.eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
        assert.deepEqual(Array.from(out.data()), [2, 4]);
        held.push(a, out, algo, seq);
      }
      for (const r of held) assert.equal(r.isInit(), false);
      assert.equal(mgr.isInit(), true);
      mgr.trimStagingPool();
      assert.deepEqual({ ...mgr.memory() }, { ...before0 });
    } finally {
      mgr.destroy();
    }
  });
});

describe('one creation path per resource', () => {
  let mgr: Manager;
  before(async () => {
    mgr = await createManager();
  });
  after(() => mgr.destroy());

  // The constructors are @internal: the published types show an implicit `new Tensor()`, so user
  // code can call it. It must fail with the library's error and point at the manager.
  const cases: readonly [string, unknown, string, () => readonly unknown[]][] = [
    ['Tensor', Tensor, 'mgr.tensor(', () => []],
    ['Tensor (given a manager)', Tensor, 'mgr.tensor(', () => [mgr, { dtype: 'f32', size: 4 }]],
    ['Image', Image, 'mgr.image(', () => []],
    ['Algorithm', Algorithm, 'mgr.algorithm(', () => [[mgr.tensor([1])], 'fn main() {}']],
    ['Sequence', Sequence, 'mgr.sequence(', () => [{}]],
  ];
  for (const [name, cls, factory, args] of cases) {
    test(`new ${name}() throws StateError (a KomputeError, not a TypeError) whose hint names ${factory}...)`, () => {
      const before = mgr.memory();
      assert.throws(
        () => new (cls as new (...a: unknown[]) => unknown)(...args()),
        (e: unknown) => e instanceof StateError && e instanceof KomputeError && e.code === 'KP_STATE' && e.hint.includes(factory),
      );
      const { tensors, images, algorithms, sequences } = mgr.memory();
      assert.deepEqual({ images, algorithms, sequences }, { images: before.images, algorithms: before.algorithms, sequences: before.sequences });
      assert.ok(tensors <= before.tensors + 1, 'nothing but the argument tensor was created');
    });
  }
});
