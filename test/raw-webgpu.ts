/**
 * A raw WebGPU runner for the bring-your-own-shader tests: the same shader and inputs as a
 * kompute-ts algorithm, run with WebGPU alone (`layout: 'auto'`, bind groups from
 * `getBindGroupLayout`), every buffer and texture read back as bytes.
 */
const BUFFER = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
const TEXTURE = { COPY_SRC: 0x1, COPY_DST: 0x2, TEXTURE_BINDING: 0x4, STORAGE_BINDING: 0x8 } as const;

export type RawResource =
  | { readonly kind: 'buffer'; readonly data: ArrayBufferView; readonly uniform?: boolean }
  | {
      readonly kind: 'texture';
      readonly format: GPUTextureFormat;
      readonly width: number;
      readonly height: number;
      readonly bytesPerTexel: number;
      readonly data?: ArrayBufferView;
      readonly layers?: number;
      readonly dimension?: '2d' | '3d';
      readonly view?: GPUTextureViewDimension;
    }
  | { readonly kind: 'sampler'; readonly descriptor?: GPUSamplerDescriptor };

/** `'g:b'` → resource. */
export type RawBindings = Readonly<Record<string, RawResource>>;

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Runs `wgsl` on `device` with raw WebGPU; returns every buffer's and texture's bytes afterwards (textures tightly packed). */
export async function runRaw(
  device: GPUDevice,
  wgsl: string,
  bindings: RawBindings,
  workgroups: readonly [number, number, number],
  stage: { entryPoint?: string; constants?: Record<string, number> } = {},
): Promise<Map<string, Uint8Array>> {
  const module = device.createShaderModule({ code: wgsl });
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, ...stage } });
  const made = new Map<string, GPUBuffer | GPUTexture>();
  const groups = new Map<number, GPUBindGroupEntry[]>();
  for (const [key, r] of Object.entries(bindings)) {
    const [g, b] = key.split(':').map(Number) as [number, number];
    let resource: GPUBindingResource;
    if (r.kind === 'buffer') {
      const size = Math.max(16, Math.ceil(r.data.byteLength / 16) * 16);
      const buffer = device.createBuffer({ size, usage: (r.uniform ? BUFFER.UNIFORM : BUFFER.STORAGE) | BUFFER.COPY_SRC | BUFFER.COPY_DST });
      device.queue.writeBuffer(buffer, 0, bytesOf(r.data));
      made.set(key, buffer);
      resource = { buffer };
    } else if (r.kind === 'texture') {
      const layers = r.layers ?? 1;
      const texture = device.createTexture({
        size: [r.width, r.height, layers],
        dimension: r.dimension ?? '2d',
        format: r.format,
        usage: TEXTURE.COPY_SRC | TEXTURE.COPY_DST | TEXTURE.TEXTURE_BINDING | TEXTURE.STORAGE_BINDING,
      });
      if (r.data) device.queue.writeTexture({ texture }, bytesOf(r.data), { bytesPerRow: r.width * r.bytesPerTexel, rowsPerImage: r.height }, [r.width, r.height, layers]);
      made.set(key, texture);
      resource = texture.createView(r.view ? { dimension: r.view } : {});
    } else {
      resource = device.createSampler(r.descriptor);
    }
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push({ binding: b, resource });
  }
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  for (const [g, entries] of groups) pass.setBindGroup(g, device.createBindGroup({ layout: pipeline.getBindGroupLayout(g), entries }));
  pass.dispatchWorkgroups(...workgroups);
  pass.end();
  const reads: { key: string; buffer: GPUBuffer; bytes: number; row?: number; padded?: number; rows?: number }[] = [];
  for (const [key, object] of made) {
    const r = bindings[key]!;
    if (r.kind === 'buffer') {
      const bytes = r.data.byteLength;
      const buffer = device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: BUFFER.MAP_READ | BUFFER.COPY_DST });
      encoder.copyBufferToBuffer(object as GPUBuffer, 0, buffer, 0, Math.ceil(bytes / 4) * 4);
      reads.push({ key, buffer, bytes });
    } else if (r.kind === 'texture') {
      const row = r.width * r.bytesPerTexel;
      const padded = Math.ceil(row / 256) * 256;
      const layers = r.layers ?? 1;
      const buffer = device.createBuffer({ size: padded * r.height * layers, usage: BUFFER.MAP_READ | BUFFER.COPY_DST });
      encoder.copyTextureToBuffer({ texture: object as GPUTexture }, { buffer, bytesPerRow: padded, rowsPerImage: r.height }, [r.width, r.height, layers]);
      reads.push({ key, buffer, bytes: row * r.height * layers, row, padded, rows: r.height * layers });
    }
  }
  device.queue.submit([encoder.finish()]);
  const out = new Map<string, Uint8Array>();
  for (const read of reads) {
    await read.buffer.mapAsync(1);
    const all = new Uint8Array(read.buffer.getMappedRange().slice(0));
    read.buffer.unmap();
    read.buffer.destroy();
    if (read.row === undefined) out.set(read.key, all.slice(0, read.bytes));
    else {
      const packed = new Uint8Array(read.bytes);
      for (let y = 0; y < read.rows!; y++) packed.set(all.subarray(y * read.padded!, y * read.padded! + read.row), y * read.row);
      out.set(read.key, packed);
    }
  }
  for (const object of made.values()) object.destroy();
  return out;
}

/** The bytes of a typed array (for comparing results bit for bit). */
export function bytes(view: ArrayBufferView): number[] {
  return Array.from(bytesOf(view));
}
