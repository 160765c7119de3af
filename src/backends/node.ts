/**
 * Node.js: WebGPU through Dawn (npm package `webgpu`). The returned GPU object is the Dawn
 * instance; whoever holds it keeps Dawn alive, so only the Manager that asked for it holds it,
 * never a global, and the process can exit once the manager is destroyed.
 */
export async function createDawnGpu(flags: readonly string[]): Promise<GPU> {
  const { create } = await import('webgpu');
  return create([...flags]);
}
