/**
 * Issue 16's churn figure as a probe: `mgr.tensor(64, 'f32').destroy()` in a loop (the soak's loop:
 * a macrotask turn every 1,000 cycles), with process.memoryUsage() after a full GC at every
 * checkpoint. Run on any machine with a GPU (or lavapipe):
 *
 *   npx tsc -p . && node --expose-gc dist/bench/probes/churn.js [cycles] [mode]
 *
 * `cycles` (default 200000) is the total; checkpoints every tenth of the first 100,000 and every
 * 50,000 after. The figure is RSS growth from the checkpoint at 10,000 cycles to 100,000 (and to
 * the end). `mode` compares the library with bare Dawn calls:
 * - `lib` (default): the library's tensor create/destroy.
 * - `dawn-create`: bare `device.createBuffer` + `buffer.destroy()` of 256 bytes.
 * - `dawn-write`: one buffer, a 256-byte `queue.writeBuffer` per cycle, never submitted.
 * - `dawn-label`: one buffer, a new `buffer.label` per cycle.
 * - `none`: the loop alone.
 */
import { create } from 'webgpu';
import { BufferUsage } from '../../src/backends/webgpu-constants.js';
import { Manager } from '../../src/index.js';

const total = Number(process.argv[2] ?? 200_000);
const mode = process.argv[3] ?? 'lib';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

let cycle: (i: number) => void;
let done: () => void = () => {};
let report: () => string = () => '';
if (mode === 'lib') {
  const mgr = await Manager.create();
  cycle = () => mgr.tensor(64, 'f32').destroy();
  report = () => `tensors ${mgr.memory().tensors} poolBytes ${mgr.memory().poolBytes}`;
  done = () => mgr.destroy();
} else {
  const gpu = create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  const device = await adapter.requestDevice();
  const usage = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST | BufferUsage.UNIFORM;
  const one = device.createBuffer({ size: 256, usage });
  const zeros = new Uint8Array(256);
  if (mode === 'dawn-create') cycle = (i) => device.createBuffer({ label: `Tensor#${i}`, size: 256, usage }).destroy();
  else if (mode === 'dawn-write') cycle = () => device.queue.writeBuffer(one, 0, zeros, 0, 256);
  else if (mode === 'dawn-label') cycle = (i) => (one.label = `Tensor#${i}`);
  else if (mode === 'none') cycle = () => {};
  else throw new Error(`unknown mode ${mode}`);
  done = () => device.destroy();
  // Keep the instance referenced to the end (Dawn aborts if it is collected while in use).
  report = () => (gpu ? '' : '');
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1).padStart(7);
const checkpoints = new Set<number>();
for (let c = 10_000; c <= Math.min(total, 100_000); c += 10_000) checkpoints.add(c);
for (let c = 150_000; c <= total; c += 50_000) checkpoints.add(c);
checkpoints.add(total);
const rss = new Map<number, number>();
console.log(`churn probe: ${total} cycles, mode ${mode}, node ${process.version}`);
console.log('  cycles     rss  heapUsed heapTotal external arrayBufs  rss-heap-ext');
for (let i = 1; i <= total; i++) {
  cycle(i);
  if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
  if (checkpoints.has(i)) {
    gc();
    const m = process.memoryUsage();
    rss.set(i, m.rss);
    console.log(`${String(i).padStart(8)} ${mib(m.rss)} ${mib(m.heapUsed)}  ${mib(m.heapTotal)}  ${mib(m.external)}  ${mib(m.arrayBuffers)}  ${mib(m.rss - m.heapTotal - m.external)}  ${report()}`);
  }
}
const first = rss.get(10_000);
const growth = (at: number) => (first && rss.has(at) ? `${(((rss.get(at)! - first) / first) * 100).toFixed(1)}%` : 'n/a');
console.log(`churn: RSS growth 10k -> 100k cycles ${growth(100_000)}; 10k -> ${total} ${growth(total)}`);
done();
