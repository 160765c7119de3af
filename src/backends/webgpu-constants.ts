// The WebGPU flag values, fixed by the specification. Kept here so the library does not depend on
// `GPUBufferUsage` and friends being globals (Dawn's Node binding only provides them on request).

/** `GPUBufferUsage` flags. */
export const BufferUsage = {
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  QUERY_RESOLVE: 0x0200,
} as const;

/** `GPUMapMode` flags. */
export const MapMode = { READ: 0x0001, WRITE: 0x0002 } as const;

/** `GPUShaderStage` flags. */
export const ShaderStage = { COMPUTE: 0x0004 } as const;

/** `GPUTextureUsage` flags. */
export const TextureUsage = {
  COPY_SRC: 0x01,
  COPY_DST: 0x02,
  TEXTURE_BINDING: 0x04,
  STORAGE_BINDING: 0x08,
} as const;
