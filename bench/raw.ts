/**
 * The raw-WebGPU side of the benchmark: the same work written directly against the device, as a
 * careful user would without a framework. Every workload's ratio is kompute-ts / raw.
 */
import { BufferUsage, MapMode } from '../src/backends/webgpu-constants.js';

export function storageBuffer(device: GPUDevice, bytes: number, data?: Float32Array): GPUBuffer {
  const buffer = device.createBuffer({
    size: bytes,
    usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    mappedAtCreation: data !== undefined,
  });
  if (data) {
    new Float32Array(buffer.getMappedRange()).set(data);
    buffer.unmap();
  }
  return buffer;
}

export function readbackBuffer(device: GPUDevice, bytes: number): GPUBuffer {
  return device.createBuffer({ size: bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
}

/** A compute pipeline and its bind group over `buffers` (binding i = buffer i). */
export async function rawKernel(
  device: GPUDevice,
  wgsl: string,
  buffers: readonly GPUBuffer[],
  constants: Record<string, number> = {},
): Promise<{ pipeline: GPUComputePipeline; group: GPUBindGroup }> {
  const module = device.createShaderModule({ code: wgsl });
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, constants } });
  const group = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  return { pipeline, group };
}

/** Encodes `count` dispatches of one kernel in one pass, submits, and waits. */
export async function rawDispatch(device: GPUDevice, kernel: { pipeline: GPUComputePipeline; group: GPUBindGroup }, workgroups: number, count = 1): Promise<void> {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(kernel.pipeline);
  pass.setBindGroup(0, kernel.group);
  for (let i = 0; i < count; i++) pass.dispatchWorkgroups(workgroups);
  pass.end();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
}

/** Raw readback into a JavaScript array: copy, map, copy out, unmap. */
export async function rawRead(device: GPUDevice, source: GPUBuffer, readback: GPUBuffer, bytes: number): Promise<Float32Array> {
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(source, 0, readback, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await readback.mapAsync(MapMode.READ);
  const out = new Float32Array(readback.getMappedRange().slice(0));
  readback.unmap();
  return out;
}
