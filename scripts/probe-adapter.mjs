// Exits 0 and prints the adapter when Dawn finds a WebGPU adapter, 1 otherwise.
import { create } from 'webgpu';

const gpu = create([]);
const adapter = await gpu.requestAdapter();
if (!adapter) {
  console.log('probe: no WebGPU adapter found');
  process.exit(1);
}
const { vendor, architecture, description } = adapter.info;
console.log(`probe: WebGPU adapter: ${description || 'unnamed'} (${vendor || '?'}, ${architecture || '?'})`);
process.exit(0);
