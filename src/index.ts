/**
 * kompute-ts: general-purpose GPU compute for TypeScript on WebGPU, after Kompute's design.
 *
 * A {@link Manager} owns every GPU resource it creates: {@link Tensor}s (typed GPU memory),
 * {@link Algorithm}s (WGSL compute shaders bound to tensors) and {@link Sequence}s (recorded
 * operations evaluated on the GPU).
 *
 * This is the Node entry point: it installs Dawn (npm `webgpu`) as the WebGPU provider used when
 * there is no `navigator.gpu`. Browsers get src/browser.ts, the same API without Dawn (the
 * package's `exports` map picks it under the "browser" condition; test/entry-points.test.ts
 * checks that both export the same names).
 * @module
 */
import './backends/node.js';
import { isEventLevel, setDefaultLogLevel } from './core/events.js';

// KOMPUTE_TS_LOG=debug|info|warn|error logs every manager's events to stderr, no code change needed.
const logLevel = process.env.KOMPUTE_TS_LOG?.trim().toLowerCase();
if (logLevel) {
  if (isEventLevel(logLevel)) setDefaultLogLevel(logLevel);
  else console.error(`[kompute-ts] KOMPUTE_TS_LOG=${logLevel} is not a level: use debug, info, warn or error`);
}

export * from './api.js';
