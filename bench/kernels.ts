/** WGSL kernels shared by the kompute-ts and raw-WebGPU sides of the benchmark. */

/**
 * `b = a * 2` over vec4s, a grid-stride loop of 4 vec4 per thread: the shape that measured fastest
 * on the H100 (issue #3's notes). `threads` is the total thread count, passed as an override.
 */
export const SCALE_WGSL = /* wgsl */ `
@id(0) override threads: u32 = 65536u;
@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> b: array<vec4f>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let n = arrayLength(&a);
  for (var i = id.x; i < n; i += threads) {
    b[i] = a[i] * 2.0;
  }
}
`;

/** The smallest useful dispatch: one thread writes one value. */
export const TINY_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(1)
fn main() {
  x[0] = x[0] + 1.0;
}
`;

/** Kompute's benchmark kernel shape: one element per thread, `y = x * 1.0001 + 1`. */
export const SMALL_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&x)) {
    x[id.x] = x[id.x] * 1.0001 + 1.0;
  }
}
`;
