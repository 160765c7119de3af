/**
 * kompute-ts: general-purpose GPU compute for TypeScript on WebGPU, after Kompute's design.
 *
 * A {@link Manager} owns every GPU resource it creates: {@link Tensor}s (typed GPU memory),
 * {@link Algorithm}s (WGSL compute shaders bound to tensors) and {@link Sequence}s (recorded
 * operations evaluated on the GPU).
 *
 * This is the browser entry point: the API of src/index.ts without Dawn, so a bundle of it
 * reaches no Node-only module. `Manager.create()` uses `navigator.gpu`; `Manager.fromDevice()`
 * wraps a device the page already has.
 * @module
 */

export * from './api.js';
