/**
 * Sobel edge detection on a PNG file, on the GPU with images: the picture is an RGBA u8 image
 * (`rgba8uint`) that the shader reads as a sampled `texture_2d<u32>`; the edges go to a second
 * image through a `texture_storage_2d<rgba8uint, write>`, which is written out as a PNG.
 *
 * Run: `node dist/examples/image-filter.js [in.png] [out.png]`
 * (default: examples/assets/scene.png → edges.png)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { isMain } from './is-main.js';

const TILE = 8;

/** Luminance of each texel (borders clamped), Sobel gradients, magnitude as gray. */
const SOBEL_SHADER = /* wgsl */ `
@group(0) @binding(0) var picture: texture_2d<u32>;
@group(0) @binding(1) var edges: texture_storage_2d<rgba8uint, write>;

fn luma(p: vec2i) -> f32 {
  let size = vec2i(textureDimensions(picture));
  let c = vec4f(textureLoad(picture, clamp(p, vec2i(0), size - 1), 0));
  return (0.299 * c.r + 0.587 * c.g + 0.114 * c.b) / 255.0;
}

@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (any(id.xy >= textureDimensions(picture))) { return; }
  let p = vec2i(id.xy);
  let gx = luma(p + vec2i(1, -1)) + 2.0 * luma(p + vec2i(1, 0)) + luma(p + vec2i(1, 1))
         - luma(p + vec2i(-1, -1)) - 2.0 * luma(p + vec2i(-1, 0)) - luma(p + vec2i(-1, 1));
  let gy = luma(p + vec2i(-1, 1)) + 2.0 * luma(p + vec2i(0, 1)) + luma(p + vec2i(1, 1))
         - luma(p + vec2i(-1, -1)) - 2.0 * luma(p + vec2i(0, -1)) - luma(p + vec2i(1, -1));
  let v = u32(round(min(sqrt(gx * gx + gy * gy), 1.0) * 255.0));
  textureStore(edges, id.xy, vec4u(v, v, v, 255u));
}
`;

/**
 * The Sobel edges of an RGBA picture (`width × height × 4` bytes, row after row), computed on
 * the GPU of `mgr`: gray edge strength in R, G and B, alpha 255.
 */
export async function sobelEdges(mgr: Manager, rgba: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  using picture = mgr.image(rgba, width, height, 4);
  using edges = mgr.image(null, width, height, 4, { dtype: 'u8' });
  using algorithm = mgr.algorithm([picture, edges], SOBEL_SHADER, { workgroup: [Math.ceil(width / TILE), Math.ceil(height / TILE)] });
  using sequence = mgr.sequence();
  await sequence.eval(new OpSyncDevice([picture]), new OpAlgoDispatch(algorithm), new OpSyncLocal([edges]));
  return edges.data().slice();
}

/** Decodes a PNG, finds its edges on the GPU, and encodes them as a grayscale PNG. */
export async function filterPng(mgr: Manager, input: Uint8Array): Promise<Buffer> {
  const png = PNG.sync.read(Buffer.from(input));
  const out = new PNG({ width: png.width, height: png.height });
  out.data = Buffer.from(await sobelEdges(mgr, png.data, png.width, png.height));
  return PNG.sync.write(out, { colorType: 0 });
}

if (isMain(import.meta.url)) {
  const defaultInput = fileURLToPath(new URL('../../examples/assets/scene.png', import.meta.url));
  const [input = defaultInput, output = 'edges.png'] = process.argv.slice(2);
  await using mgr = await Manager.create();
  writeFileSync(output, await filterPng(mgr, readFileSync(input)));
  console.log(`${input} → ${output} (Sobel edges on ${mgr.deviceInfo().description || 'the GPU'})`);
}
