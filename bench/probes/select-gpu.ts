/**
 * The selection check for a GPU machine (issue 19): lists the devices, opens the GPU by the PCI
 * address the system lists for it (/sys/bus/pci/devices, read here independently of the library),
 * runs a kernel on it against the CPU, shows that the device-select layer silently falls back on
 * an address it cannot match (the reason kompute-ts checks), and that kompute-ts refuses such an
 * address with the documented error; then holds two managers in one process, and runs two worker
 * processes on the GPU. Prints PASS/FAIL per check and a summary; exits 1 on any FAIL.
 *
 *   bash scripts/pack-device-select.sh              (here: .device-select/, about 1 MiB)
 *   source .device/setup.sh && source .device-select/setup.sh && node dist/bench/probes/select-gpu.js
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findDeviceSelectLayer, listThroughLayer, selectionEnv, withEnv } from '../../src/backends/node-devices.js';
import { ArgumentError, Manager, OpMap, OpSyncDevice, OpSyncLocal, runOnDevices } from '../../src/index.js';

const results: [string, boolean, string][] = [];
async function check(name: string, fn: () => Promise<string> | string): Promise<void> {
  try {
    const detail = await fn();
    results.push([name, true, detail]);
    console.log(`PASS  ${name}: ${detail}`);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    results.push([name, false, message]);
    console.log(`FAIL  ${name}: ${message}`);
  }
}

/** Display controllers of vendor 0x10de (NVIDIA) as sysfs lists them, sorted. */
function nvidiaAddresses(): string[] {
  const root = '/sys/bus/pci/devices';
  return readdirSync(root)
    .filter((d) => {
      try {
        const cls = Number.parseInt(readFileSync(join(root, d, 'class'), 'utf8'), 16);
        return cls >> 16 === 0x03 && readFileSync(join(root, d, 'vendor'), 'utf8').trim() === '0x10de';
      } catch {
        return false;
      }
    })
    .sort();
}

async function doubleOn(mgr: Manager): Promise<string> {
  const n = 1 << 20;
  const x = Float32Array.from({ length: n }, (_, i) => (i % 1000) - 500);
  using a = mgr.tensor(x);
  using b = mgr.tensor(n, 'f32');
  await mgr
    .sequence()
    .record(new OpSyncDevice([a]))
    .record(new OpMap('a * 2.0', { a }, b))
    .record(new OpSyncLocal([b]))
    .eval();
  const y = b.data();
  for (let i = 0; i < n; i++) if (y[i] !== 2 * x[i]!) throw new Error(`element ${i}: ${y[i]} instead of ${2 * x[i]!}`);
  return `${n} elements doubled exactly`;
}

const addresses = nvidiaAddresses();
console.log(`sysfs NVIDIA display controllers: ${addresses.join(', ') || 'none'}`);
const layer = findDeviceSelectLayer();
console.log(`device-select layer: ${layer ? `${layer.manifest} (${layer.implicit ? 'implicit' : 'explicit'})` : 'not found'}`);
if (layer) console.log(`layer list: ${JSON.stringify(listThroughLayer(layer, []))}`);

const devices = await Manager.listDevices();
for (const d of devices)
  console.log(`device ${d.index}: ${d.vendor} '${d.name}' ${d.pciAddress ?? '(no PCI address)'} ${d.kind} selectable=${d.selectable}${d.selectHint ? ` (${d.selectHint})` : ''}`);

await check('every NVIDIA GPU of sysfs is listed, selectable, in bus order', () => {
  const listed = devices.filter((d) => d.vendor === 'nvidia');
  if (addresses.length === 0) throw new Error('no NVIDIA display controller in /sys/bus/pci/devices');
  const got = listed.map((d) => d.pciAddress);
  if (JSON.stringify(got) !== JSON.stringify(addresses)) throw new Error(`listed ${JSON.stringify(got)}, sysfs has ${JSON.stringify(addresses)}`);
  if (!listed.every((d) => d.selectable)) throw new Error(`not selectable: ${listed.find((d) => !d.selectable)?.selectHint}`);
  return `${listed.length} listed: ${listed.map((d) => `${d.index} ${d.name} ${d.pciAddress}`).join('; ')}`;
});

const address = addresses[0] ?? '0000:00:06.0';
await check(`Manager.create({ device: '${address}' }) opens that GPU and computes`, async () => {
  await using mgr = await Manager.create({ device: address });
  const info = mgr.deviceInfo();
  if (mgr.selectedDevice?.pciAddress !== address) throw new Error(`selectedDevice is ${JSON.stringify(mgr.selectedDevice)}`);
  if (info.vendor !== 'nvidia') throw new Error(`vendor ${info.vendor}`);
  return `${info.vendor} ${info.device} (${info.description}); ${await doubleOn(mgr)}`;
});

await check('Manager.create({ device: 0 }) by index opens the same GPU', async () => {
  await using mgr = await Manager.create({ device: 0 });
  return `${mgr.selectedDevice?.pciAddress} ${mgr.deviceInfo().device}; ${await doubleOn(mgr)}`;
});

await check('the layer itself silently ignores an address it cannot match (why kompute-ts checks)', async () => {
  if (!layer) throw new Error('no layer');
  const { create } = await import('webgpu');
  let pending: Promise<GPUAdapter | null> = Promise.resolve(null);
  withEnv(selectionEnv(layer, '0000:ff:1f.7'), () => {
    pending = create([]).requestAdapter();
  });
  const adapter = await pending;
  return adapter ? `with DRI_PRIME=pci-0000_ff_1f_7 the layer still handed out '${adapter.info.device}' (no error)` : 'no adapter at all';
});

for (const wrong of ['0000:ff:1f.7', '65:00', addresses.length > 0 ? `${address.slice(0, -1)}7` : '0000:00:06.7']) {
  await check(`Manager.create({ device: '${wrong}' }) is refused with ArgumentError (device)`, async () => {
    try {
      await Manager.create({ device: wrong });
    } catch (error) {
      if (error instanceof ArgumentError && error.argument === 'device') return error.message;
      throw error;
    }
    throw new Error('no error: a manager was opened');
  });
}

await check('one process holds a selected manager and a default one at the same time; both compute', async () => {
  await using selected = await Manager.create({ device: address });
  await using plain = await Manager.create();
  return `selected: ${await doubleOn(selected)}; default: ${await doubleOn(plain)}`;
});

await check('runOnDevices: two worker processes on the GPU by address, results gathered, managers released', async () => {
  const worker = new URL('../../examples/multi-gpu-worker.js', import.meta.url);
  const rows = Float32Array.from({ length: 4096 }, (_, i) => i);
  const outcomes = await runOnDevices<{ rows: Float32Array; width: number }, { y: Float32Array; device: string }>({
    worker,
    devices: [address, address],
    inputs: [
      { rows: rows.subarray(0, 2048), width: 64 },
      { rows: rows.subarray(2048), width: 64 },
    ],
  });
  const bad = outcomes.find((o) => !o.ok || o.bytesAfterDestroy !== 0);
  if (bad) throw new Error(bad.ok ? `bytes after destroy ${bad.bytesAfterDestroy}` : bad.error.message);
  const y = outcomes.flatMap((o) => (o.ok ? [...o.value.y] : []));
  if (y.some((v, i) => v !== 3 * i + 1)) throw new Error('wrong values');
  return `2 workers on ${outcomes.map((o) => (o.ok ? o.value.device : '?')).join(', ')}`;
});

const failed = results.filter(([, ok]) => !ok);
console.log(`\nSUMMARY: ${failed.length === 0 ? 'PASS' : 'FAIL'} (${results.length - failed.length} of ${results.length} checks passed)`);
for (const [name] of failed) console.log(`  failed: ${name}`);
process.exitCode = failed.length === 0 ? 0 : 1;
