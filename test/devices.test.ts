/**
 * Every GPU of the host: Manager.listDevices(), Manager.create({ device }) and runOnDevices, on
 * lavapipe. The PCI cases (identical GPUs, a BMC's VGA, a driver without bus info, no layer) are
 * checked on recorded platform reports through the pure functions of src/backends/gpu-devices.ts;
 * the rest runs for real: the listing, the selection's error paths, a manager on the selected
 * device, several worker processes on the same lavapipe device, and workers that fail.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeDevices, parseDeviceSelectList, parsePciAddress, parsePciEntry, resolveDevice, type AdapterSummary, type LayerDevice, type PciDisplayDevice } from '../src/backends/gpu-devices.js';
import { findDeviceSelectLayer, selectionEnv, withEnv } from '../src/backends/node-devices.js';
import { ArgumentError, Manager, runOnDevices, SizeError, UnsupportedError, WorkerError, type WorkerOutcome } from '../src/index.js';
import type { WorkerInput, WorkerResult } from './fixtures/gpu-worker.js';
import { assertFails, describeChild, INDEX_URL, runChild } from './helpers.js';

const WORKER = new URL('./fixtures/gpu-worker.js', import.meta.url);

const H200_LIST = `selectable devices:
  GPU 0: 10de:2335 "NVIDIA H200" discrete GPU 0000:18:00.0
  GPU 1: 10de:2335 "NVIDIA H200" discrete GPU 0000:2a:00.0
  GPU 2: 10005:0 "llvmpipe (LLVM 15.0.6, 256 bits)" CPU 0000:00:00.0
`;
const H200_PCI: PciDisplayDevice[] = [
  { address: '0000:2a:00.0', vendorId: 0x10de, deviceId: 0x2335, classCode: 0x030200 },
  { address: '0000:03:00.0', vendorId: 0x1a03, deviceId: 0x2000, classCode: 0x030000 }, // the BMC's VGA
  { address: '0000:18:00.0', vendorId: 0x10de, deviceId: 0x2335, classCode: 0x030200 },
];
const NVIDIA: AdapterSummary = { vendor: 'nvidia', device: 'nvidia-h200', description: 'NVIDIA: 580.159.04', isFallbackAdapter: false };
const LAVAPIPE: AdapterSummary = { vendor: 'mesa', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7', isFallbackAdapter: true };

describe('device reports (pure)', () => {
  test('PCI addresses: canonical form, Mesa form, domain left out; anything else is refused', () => {
    assert.equal(parsePciAddress('0000:65:00.0'), '0000:65:00.0');
    assert.equal(parsePciAddress('65:00.0'), '0000:65:00.0');
    assert.equal(parsePciAddress('0000:AB:1F.7'), '0000:ab:1f.7');
    assert.equal(parsePciAddress('pci-0000_65_00_0'), '0000:65:00.0');
    for (const bad of ['65:00', '0000:65:00.8', 'gpu0', '', '0000:65:00:0']) assert.equal(parsePciAddress(bad), null, bad);
  });

  test('sysfs entries: display controllers (class 0x03xxxx) only', () => {
    assert.deepEqual(parsePciEntry('0000:18:00.0', '0x030200\n', '0x10de\n', '0x2335\n'), { address: '0000:18:00.0', classCode: 0x030200, vendorId: 0x10de, deviceId: 0x2335 });
    assert.equal(parsePciEntry('0000:00:03.0', '0x020000\n', '0x1af4\n', '0x1041\n'), null, 'a network card');
  });

  test("the device-select layer's list: vendor:device, name, type, bus address; null when the layer did not load", () => {
    const list = parseDeviceSelectList(`Warning: something\n${H200_LIST}`)!;
    assert.equal(list.length, 3);
    assert.deepEqual(list[1], { layerIndex: 1, vendorId: 0x10de, deviceId: 0x2335, name: 'NVIDIA H200', type: 'discrete GPU', address: '0000:2a:00.0' });
    assert.deepEqual(parseDeviceSelectList('selectable devices:\n  GPU 0: 10005:0 "llvmpipe (LLVM 15.0.6, 256 bits)" CPU\n'), [
      { layerIndex: 0, vendorId: 0x10005, deviceId: 0, name: 'llvmpipe (LLVM 15.0.6, 256 bits)', type: 'CPU' },
    ]);
    assert.equal(parseDeviceSelectList('no layer here'), null);
  });

  test('two identical GPUs are two devices in bus order, both selectable; the BMC VGA is left out; the CPU adapter follows', () => {
    const devices = mergeDevices({ pci: H200_PCI, layer: parseDeviceSelectList(H200_LIST), adapters: [NVIDIA, LAVAPIPE], noLayerHint: 'x' });
    assert.deepEqual(
      devices.map((d) => [d.index, d.vendor, d.name, d.pciAddress, d.kind, d.selectable]),
      [
        [0, 'nvidia', 'NVIDIA H200', '0000:18:00.0', 'gpu', true],
        [1, 'nvidia', 'NVIDIA H200', '0000:2a:00.0', 'gpu', true],
        [2, 'mesa', 'llvmpipe (LLVM 15.0.6, 256 bits)', undefined, 'software', true],
      ],
    );
  });

  test('without the layer the PCI GPUs are listed (named after the adapter of their vendor) but not selectable, with the hint', () => {
    const devices = mergeDevices({ pci: H200_PCI, layer: null, adapters: [NVIDIA], noLayerHint: 'install the layer' });
    assert.deepEqual(
      devices.map((d) => [d.pciAddress, d.name, d.selectable, d.selectHint]),
      [
        ['0000:18:00.0', 'nvidia-h200', false, 'install the layer'],
        ['0000:2a:00.0', 'nvidia-h200', false, 'install the layer'],
      ],
    );
    assert.throws(
      () => resolveDevice(devices, 1),
      (e: unknown) => e instanceof UnsupportedError && /install the layer/.test(e.message) && /mesa-vulkan-drivers/.test(e.hint),
    );
  });

  test('a GPU whose driver reports no bus info to the layer is listed, not selectable', () => {
    const layer: LayerDevice[] = [{ layerIndex: 0, vendorId: 0x10de, deviceId: 0x2335, name: 'NVIDIA H200', type: 'discrete GPU' }];
    const [d] = mergeDevices({ pci: [H200_PCI[2]!], layer, adapters: [NVIDIA], noLayerHint: '' });
    assert.equal(d!.selectable, false);
    assert.match(d!.selectHint, /reports no PCI bus info/);
  });

  test('selectors resolve to their entry; a bad index or an absent address is an ArgumentError naming device', () => {
    const devices = mergeDevices({ pci: H200_PCI, layer: parseDeviceSelectList(H200_LIST), adapters: [NVIDIA, LAVAPIPE], noLayerHint: '' });
    assert.equal(resolveDevice(devices, 1).pciAddress, '0000:2a:00.0');
    assert.equal(resolveDevice(devices, '0000:18:00.0').index, 0);
    for (const bad of [3, '0000:03:00.0']) {
      assert.throws(
        () => resolveDevice(devices, bad),
        (e: unknown) => e instanceof ArgumentError && e.argument === 'device' && /NVIDIA H200 at 0000:18:00\.0/.test(e.hint),
      );
    }
  });

  test('the selection environment: DRI_PRIME in Mesa form, default device forced, the layer enabled when explicit', () => {
    assert.deepEqual(selectionEnv({ manifest: '/x.json', implicit: true }, '0000:2a:00.0', {}), {
      NODEVICE_SELECT: undefined,
      MESA_VK_DEVICE_SELECT: undefined,
      DRI_PRIME: 'pci-0000_2a_00_0',
      MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1',
    });
    assert.equal(
      selectionEnv({ manifest: '/x.json', implicit: false }, null, { VK_INSTANCE_LAYERS: 'VK_LAYER_KHRONOS_validation' }).VK_INSTANCE_LAYERS,
      'VK_LAYER_KHRONOS_validation:VK_LAYER_MESA_device_select',
    );
  });

  test('withEnv sets and removes variables for the call only', () => {
    process.env.KTS_PROBE_A = 'before';
    const seen = withEnv({ KTS_PROBE_A: undefined, KTS_PROBE_B: 'set' }, () => [process.env.KTS_PROBE_A, process.env.KTS_PROBE_B]);
    assert.deepEqual(seen, [undefined, 'set']);
    assert.equal(process.env.KTS_PROBE_A, 'before');
    assert.equal('KTS_PROBE_B' in process.env, false);
    delete process.env.KTS_PROBE_A;
  });
});

describe('Manager.listDevices and Manager.create({ device }) on this machine', () => {
  test('lists lavapipe (through the device-select layer shipped with mesa-vulkan-drivers) and opens it by index', async () => {
    assert.ok(findDeviceSelectLayer(), "Mesa's device-select layer is installed here (mesa-vulkan-drivers)");
    const devices = await Manager.listDevices();
    assert.ok(devices.length >= 1);
    const lavapipe = devices.find((d) => d.kind === 'software' && /llvmpipe/.test(d.name));
    assert.ok(lavapipe, JSON.stringify(devices));
    assert.equal(lavapipe.vendor, 'mesa');
    assert.equal(lavapipe.pciAddress, undefined, 'lavapipe has no PCI address');
    assert.ok(lavapipe.selectable);
    devices.forEach((d, i) => assert.equal(d.index, i));
    await using mgr = await Manager.create({ device: lavapipe.index });
    assert.deepEqual(mgr.selectedDevice, lavapipe);
    assert.match(mgr.deviceInfo().device, /llvmpipe/);
    using t = mgr.tensor([1, 2, 3]);
    assert.deepEqual([...t.data()], [1, 2, 3]);
    // A manager made without `device` reports none.
    await using plain = await Manager.create();
    assert.equal(plain.selectedDevice, undefined);
  });

  test('two managers on the selected device in one process are independent: destroying one leaves the other computing', async () => {
    const a = await Manager.create({ device: 0 });
    const b = await Manager.create({ device: 0 });
    a.tensor([1]);
    a.destroy();
    assert.equal(a.memory().tensors, 0);
    using t = b.tensor([4, 5]);
    assert.deepEqual([...t.data()], [4, 5]);
    b.destroy();
  });

  test('error paths: index out of range, fractional, malformed address, absent address, not a number or string', async () => {
    await assertFails(() => Manager.create({ device: 99 }), ArgumentError, /index 99 is out of range/);
    await assertFails(() => Manager.create({ device: 1.5 }), ArgumentError, /device/);
    await assertFails(() => Manager.create({ device: 'ab:cd' }), ArgumentError, /not a PCI bus address/);
    await assertFails(() => Manager.create({ device: '0000:ff:1f.7' }), ArgumentError, /no GPU at 0000:ff:1f\.7/);
    await assertFails(() => Manager.create({ device: true as never }), ArgumentError, /device/);
  });

  test('identical software adapters (lavapipe twice) are both listed; the second cannot be told apart and says so', () => {
    // Two manifests of the same driver make the Vulkan loader offer lavapipe twice.
    const script = `
      import { writeFileSync, mkdtempSync } from 'node:fs'; import { join } from 'node:path'; import { tmpdir } from 'node:os';
      const dir = mkdtempSync(join(tmpdir(), 'kts-twin-'));
      const icd = JSON.stringify({ ICD: { api_version: '1.3.0', library_path: 'libvulkan_lvp.so' }, file_format_version: '1.0.0' });
      writeFileSync(join(dir, 'a.json'), icd); writeFileSync(join(dir, 'b.json'), icd);
      process.env.VK_DRIVER_FILES = join(dir, 'a.json') + ':' + join(dir, 'b.json');
      const { Manager, UnsupportedError } = await import(${JSON.stringify(INDEX_URL)});
      const devices = await Manager.listDevices();
      let second = 'opened';
      try { await Manager.create({ device: 1 }); } catch (e) { second = (e instanceof UnsupportedError) + ' ' + e.message; }
      const first = await Manager.create({ device: 0 });
      console.log(JSON.stringify({ devices, second, first: first.deviceInfo().device }));
      first.destroy();`;
    const child = runChild(script, 60_000);
    assert.equal(child.status, 0, describeChild(child));
    const out = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { devices: { name: string; selectable: boolean }[]; second: string; first: string };
    assert.equal(out.devices.length, 2, child.stdout);
    assert.equal(out.devices[0]!.name, out.devices[1]!.name);
    assert.deepEqual(
      out.devices.map((d) => d.selectable),
      [true, false],
    );
    assert.match(out.second, /^true device 1 .* cannot be told apart/);
    assert.match(out.first, /llvmpipe/);
  });

  test('one process, several Dawn instances: the loader and the layer read the environment per instance, at its first requestAdapter', () => {
    // Evidence for one manager per GPU in one process: variables in force while an instance
    // makes its first requestAdapter (Dawn's vkCreateInstance) apply to that instance only.
    const nodeDevices = INDEX_URL.replace(/index\.js$/, 'backends/node-devices.js');
    const script = `
      const { create } = await import('webgpu');
      const { withEnv } = await import(${JSON.stringify(nodeDevices)});
      const first = async (env, mark) => { process.stderr.write('[mark ' + mark + ']\\n'); let p; withEnv(env, () => { p = create([]).requestAdapter(); }); return (await p.catch(() => null))?.info.device ?? null; };
      const plain = await first({}, 'plain');
      const noDriver = await first({ VK_DRIVER_FILES: '/nonexistent/icd.json' }, 'no-driver');
      const debug = await first({ MESA_VK_DEVICE_SELECT_DEBUG: '1' }, 'debug');
      const plainAgain = await first({}, 'again'); process.stderr.write('[mark end]\\n');
      console.log(JSON.stringify({ plain, noDriver, debug, plainAgain }));`;
    const child = runChild(script, 60_000);
    assert.equal(child.status, 0, describeChild(child));
    const out = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, string | null>;
    assert.match(out.plain!, /llvmpipe/);
    assert.equal(out.noDriver, null, 'the instance made under VK_DRIVER_FILES=/nonexistent found no driver');
    assert.match(out.debug!, /llvmpipe/);
    assert.match(out.plainAgain!, /llvmpipe/, 'the next instance, without it, finds lavapipe again');
    // The layer printed its device list for the instance made under MESA_VK_DEVICE_SELECT_DEBUG only.
    const sections = Object.fromEntries(
      child.stderr
        .split('[mark ')
        .slice(1)
        .map((part) => [part.slice(0, part.indexOf(']')), part.includes('selectable devices:')]),
    );
    assert.deepEqual(sections, { plain: false, 'no-driver': false, debug: true, again: false, end: false }, child.stderr);
  });

  test('wrong platform: the browser entry (no Dawn) cannot select a device or start workers', () => {
    const browser = INDEX_URL.replace(/index\.js$/, 'browser.js');
    const script = `
      const { Manager, runOnDevices, UnsupportedError } = await import(${JSON.stringify(browser)});
      const out = [];
      for (const call of [() => Manager.create({ device: 0 }), () => runOnDevices({ worker: 'file:///w.js', devices: [0] })]) {
        try { await call(); out.push('no error'); } catch (e) { out.push((e instanceof UnsupportedError) + ' ' + e.code + ' ' + e.message); }
      }
      console.log(JSON.stringify(out));`;
    const child = runChild(script);
    assert.equal(child.status, 0, describeChild(child));
    const [select, workers] = JSON.parse(child.stdout) as string[];
    assert.match(select!, /^true KP_UNSUPPORTED this platform cannot select a GPU/);
    assert.match(workers!, /^true KP_UNSUPPORTED runOnDevices needs Node\.js/);
  });
});

describe('runOnDevices on lavapipe', () => {
  const values = (rank: number): Float32Array => Float32Array.from({ length: 1000 }, (_, i) => rank * 1000 + i - 300);

  test('three workers on the same device each double their share; results come back in order, every manager released', async () => {
    const inputs: WorkerInput[] = [0, 1, 2].map((r) => ({ mode: 'double', values: values(r) }));
    const outcomes = await runOnDevices<WorkerInput, WorkerResult>({ worker: WORKER, devices: [0, 0, 0], inputs });
    assert.equal(outcomes.length, 3);
    const pids = new Set<number>();
    outcomes.forEach((o, rank) => {
      assert.ok(o.ok, o.ok ? '' : o.error.message);
      assert.equal(o.rank, rank);
      assert.equal(o.device, 0);
      assert.equal(o.value.rank, rank);
      assert.equal(o.value.size, 3);
      assert.match(o.value.device, /llvmpipe/);
      assert.ok(o.value.doubled instanceof Float32Array, 'typed arrays cross the process boundary');
      assert.deepEqual(
        [...o.value.doubled],
        [...values(rank)].map((v) => 2 * v),
      );
      assert.equal(o.value.liveTensors, 1, 'the worker left its tensor alive');
      assert.equal(o.bytesAfterDestroy, 0, "the runner's destroy() released it");
      assert.notEqual(o.value.pid, process.pid);
      pids.add(o.value.pid);
    });
    assert.equal(pids.size, 3, 'one process per worker');
  });

  test('workers that throw, exit or are killed are reported with WorkerError; the others are gathered', async () => {
    const modes: WorkerInput[] = [{ mode: 'double', values: values(0) }, { mode: 'throw' }, { mode: 'exit' }, { mode: 'kill' }, { mode: 'double', values: values(4) }];
    const outcomes: WorkerOutcome<WorkerResult>[] = await runOnDevices<WorkerInput, WorkerResult>({ worker: WORKER, devices: modes.map(() => 0), inputs: modes });
    const errorOf = (rank: number): WorkerError => {
      const o = outcomes[rank]!;
      assert.ok(!o.ok, `worker ${rank} should fail`);
      assert.ok(o.error instanceof WorkerError);
      assert.equal(o.error.code, 'KP_WORKER');
      assert.equal(o.error.rank, rank);
      assert.ok(o.error.hint.length > 0);
      return o.error;
    };
    for (const rank of [0, 4]) {
      const o = outcomes[rank]!;
      assert.ok(o.ok, o.ok ? '' : o.error.message);
      assert.deepEqual(
        [...o.value.doubled],
        [...values(rank)].map((v) => 2 * v),
      );
    }
    const threw = errorOf(1);
    assert.equal(threw.failure, 'threw');
    assert.deepEqual([threw.remote?.name, threw.remote?.code], [SizeError.name, 'KP_SIZE']);
    assert.match(threw.message, /worker 1 \(device 0\) threw SizeError \[KP_SIZE\]: values: worker 1 refuses/);
    const exited = errorOf(2);
    assert.deepEqual([exited.failure, exited.exitCode], ['exited', 3]);
    assert.match(exited.message, /exited with code 3 before sending a result/);
    const killed = errorOf(3);
    assert.deepEqual([killed.failure, killed.signal], ['killed', 'SIGKILL']);
  });

  test('a worker past its timeout is killed and reported', async () => {
    const [o] = await runOnDevices<WorkerInput, WorkerResult>({ worker: WORKER, devices: [0], inputs: [{ mode: 'hang' }], timeoutMs: 3000 });
    assert.ok(o && !o.ok);
    assert.equal(o.error.failure, 'timeout');
    assert.match(o.error.message, /took longer than its timeout/);
  });

  test('a worker module without a default export function is reported as thrown', async () => {
    const [o] = await runOnDevices({ worker: new URL('./helpers.js', import.meta.url), devices: [0] });
    assert.ok(o && !o.ok);
    assert.equal(o.error.failure, 'threw');
    assert.match(o.error.message, /has no default export function/);
  });

  test('devices default to every selectable device', async () => {
    const selectable = (await Manager.listDevices()).filter((d) => d.selectable);
    const outcomes = await runOnDevices<WorkerInput, WorkerResult>({ worker: WORKER, inputs: selectable.map((d) => ({ mode: 'double', values: values(d.index) })) });
    assert.deepEqual(
      outcomes.map((o) => [o.ok, o.device]),
      selectable.map((d) => [true, d.index]),
    );
  });
});
