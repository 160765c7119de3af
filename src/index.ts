/**
 * kompute-ts: general-purpose GPU compute for TypeScript on WebGPU, after Kompute's design.
 *
 * A {@link Manager} owns every GPU resource it creates: {@link Tensor}s (typed GPU memory),
 * {@link Algorithm}s (WGSL compute shaders bound to tensors) and {@link Sequence}s (recorded
 * operations evaluated on the GPU).
 *
 * In Node the package uses Dawn (the optional peer dependency `webgpu`: `npm install kompute-ts
 * webgpu`) when there is no `navigator.gpu`; bundlers for the browser get the same API without
 * Dawn (the package's "browser" export).
 * @module kompute-ts
 */
import './backends/node.js';

export * from './api.js';
