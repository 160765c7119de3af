/**
 * Stands in for the `webgpu` package (Dawn) in the browser test bundle: `create()` returns the
 * page's `navigator.gpu`, so the tests' raw devices (bring-your-own-device tests) come from the
 * browser's own WebGPU.
 */
export function create(_flags: readonly string[] = []): GPU {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) throw new Error('navigator.gpu is missing: the browser tests need WebGPU (launch Chromium with --enable-unsafe-webgpu)');
  return gpu;
}

export const globals = {};
