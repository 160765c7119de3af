/**
 * The library in a Node worker thread (`worker_threads`): a manager created in the worker runs a
 * kernel, posts the results back, is destroyed, and the worker then exits by itself. The browser
 * run has the same check with a Web Worker (test-browser/worker-check.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { INDEX_URL } from './helpers.js';

// CommonJS (an eval'd worker is not a module), so the library comes in through import().
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } = await import(workerData.index);
  const mgr = await Manager.create();
  const a = mgr.tensor([2, 4, 6, 8]);
  const b = mgr.tensor([0, 1, 2, 3]);
  const product = mgr.tensor(4, 'f32');
  const algo = mgr.algorithm([a, b, product], workerData.shader);
  await mgr.sequence().record(new OpSyncDevice([a, b])).record(new OpAlgoDispatch(algo)).record(new OpSyncLocal([product])).eval();
  const result = Array.from(product.data());
  const vendor = mgr.deviceInfo().vendor;
  mgr.destroy();
  parentPort.postMessage({ result, vendor, aliveAfterDestroy: mgr.isInit(), tensorAfterDestroy: a.isInit() });
})().catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));
`;

const SHADER = `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> product: array<f32>;
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) { product[id.x] = a[id.x] * b[id.x]; }
`;

interface WorkerReport {
  readonly result?: number[];
  readonly vendor?: string;
  readonly aliveAfterDestroy?: boolean;
  readonly tensorAfterDestroy?: boolean;
  readonly error?: string;
}

test('worker_threads: a manager created in a worker runs a kernel, posts the product back, is destroyed, and the worker exits by itself', async () => {
  const worker = new Worker(WORKER, { eval: true, workerData: { index: INDEX_URL, shader: SHADER } });
  const messages: WorkerReport[] = [];
  worker.on('message', (message: WorkerReport) => messages.push(message));
  let timer: NodeJS.Timeout | undefined;
  const exitCode = await Promise.race([
    new Promise<number>((resolve, reject) => {
      worker.once('exit', resolve);
      worker.once('error', reject);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void worker.terminate();
        reject(new Error('the worker did not exit by itself within 60 s (something it holds keeps its event loop alive)'));
      }, 60_000);
    }),
  ]).finally(() => clearTimeout(timer));
  assert.equal(messages.length, 1, JSON.stringify(messages));
  const [report] = messages;
  assert.equal(report?.error, undefined, String(report?.error));
  assert.deepEqual(report?.result, [0, 4, 12, 24]);
  assert.equal(report?.aliveAfterDestroy, false, 'mgr.isInit() is false after destroy()');
  assert.equal(report?.tensorAfterDestroy, false, "the manager's tensors are destroyed with it");
  assert.equal(exitCode, 0, 'the worker exits with code 0 once its work is done');
});
