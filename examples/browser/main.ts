/**
 * The browser demo (`npm run demo:web`): Kompute's array multiplication and logistic regression
 * on the visitor's GPU, with the adapter, results, timings and the loss curve. It uses the
 * library's browser entry point and the same example functions as `npm start`.
 */
import { Manager } from '../../src/browser.js';
import { arrayMultiplication } from '../array-multiplication.js';
import { KOMPUTE_INPUT, logisticRegression } from '../logistic-regression.js';
import { doubleOnDevice } from './bring-your-own-device.js';
import { lossChartSvg } from './loss-chart.js';

/** What the page found, also left on `window.komputeDemo` for the browser test. */
export interface DemoOutcome {
  readonly state: 'done' | 'unsupported' | 'error';
  readonly message: string;
  readonly adapter?: Record<string, string>;
  readonly product?: number[];
  readonly losses?: number[];
  readonly w?: [number, number];
  readonly b?: number;
  readonly borrowed?: { doubled: number[]; deviceStillUsable: boolean };
  readonly timings?: Record<string, number>;
}

const byId = (id: string): HTMLElement => document.getElementById(id)!;

function setStatus(outcome: DemoOutcome): void {
  const status = byId('status');
  status.textContent = outcome.message;
  status.className = outcome.state;
  document.body.dataset.state = outcome.state;
  (window as unknown as { komputeDemo: DemoOutcome }).komputeDemo = outcome;
}

function showList(id: string, entries: Record<string, string>): void {
  const list = byId(id);
  list.replaceChildren();
  for (const [name, value] of Object.entries(entries)) {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = value;
    list.append(dt, dd);
  }
}

async function run(): Promise<DemoOutcome> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    const reason = window.isSecureContext
      ? 'This browser has no navigator.gpu: it does not support WebGPU, or WebGPU is turned off.'
      : 'This page is not a secure context (https or localhost), so the browser hides navigator.gpu.';
    byId('unsupported-reason').textContent = reason;
    return { state: 'unsupported', message: 'WebGPU is not available in this browser.' };
  }
  const timings: Record<string, number> = {};
  let adapterInfo: Record<string, string> = {};
  let product: number[];
  let losses: number[];
  let w: [number, number];
  let b: number;
  let t = performance.now();
  let mgr: Manager;
  try {
    mgr = await Manager.create();
  } catch (error) {
    byId('unsupported-reason').textContent = `navigator.gpu is present but no device could be created: ${error instanceof Error ? error.message : String(error)}`;
    return { state: 'unsupported', message: 'WebGPU is present but offers no usable adapter.' };
  }
  try {
    timings.managerMs = performance.now() - t;
    const info = mgr.deviceInfo();
    adapterInfo = {
      vendor: info.vendor || '(not reported)',
      architecture: info.architecture || '(not reported)',
      description: info.description || '(not reported)',
      'max buffer size': `${(info.limits.maxBufferSize ?? 0) / 2 ** 20} MiB`,
      'max workgroup size x': String(info.limits.maxComputeWorkgroupSizeX ?? '?'),
      features: info.features.join(', ') || '(none)',
      'manager ready in': `${timings.managerMs.toFixed(1)} ms`,
    };
    showList('adapter', adapterInfo);

    t = performance.now();
    product = await arrayMultiplication(mgr);
    timings.multiplicationMs = performance.now() - t;
    byId('multiplication').textContent = `[2, 4, 6] * [0, 1, 2] = [${product.join(', ')}]  (${timings.multiplicationMs.toFixed(1)} ms)`;

    t = performance.now();
    ({ w, b, losses } = await logisticRegression(mgr));
    timings.regressionMs = performance.now() - t;
    const perIteration = (timings.regressionMs * 1000) / KOMPUTE_INPUT.iterations;
    byId('regression').textContent =
      `${KOMPUTE_INPUT.y.length} samples, ${KOMPUTE_INPUT.iterations} iterations, learning rate ${KOMPUTE_INPUT.learningRate}: ` +
      `w = [${w.map((v) => v.toFixed(4)).join(', ')}], b = ${b.toFixed(4)}, mean loss ${losses[0]!.toFixed(4)} → ${losses.at(-1)!.toFixed(4)} ` +
      `(${timings.regressionMs.toFixed(1)} ms, ${perIteration.toFixed(0)} µs per iteration)`;
    byId('loss-chart').innerHTML = lossChartSvg(losses);
  } finally {
    mgr.destroy();
  }

  // Bring your own device: a device the page requested itself, lent to a manager.
  t = performance.now();
  const adapter = await navigator.gpu.requestAdapter();
  const device = await adapter!.requestDevice();
  const borrowed = await doubleOnDevice(device, [1, 2, 3, 4], adapter!.info);
  timings.borrowedMs = performance.now() - t;
  byId('borrowed').textContent =
    `Manager.fromDevice(device): [1, 2, 3, 4] * 2 = [${borrowed.doubled.join(', ')}]; ` +
    `after mgr.destroy() the page's device ${borrowed.deviceStillUsable ? 'still works' : 'is broken'} (${timings.borrowedMs.toFixed(1)} ms)`;
  device.destroy();
  return { state: 'done', message: 'Done: all programs ran on this GPU.', adapter: adapterInfo, product, losses, w, b, borrowed, timings };
}

run()
  .catch((error: unknown): DemoOutcome => ({ state: 'error', message: `Failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` }))
  .then(setStatus);
