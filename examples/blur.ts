/**
 * An image blur written the way WebGPU samples write theirs: a sampler and the textures in
 * group 1 (`var samp: sampler`, `texture_2d<f32>`, `texture_storage_2d<rgba8unorm, write>`),
 * the blur's parameters in a uniform struct in group 0, sampled with `textureSampleLevel`.
 * Run: `node dist/examples/blur.js`
 */
import { Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { isMain } from './is-main.js';

const BLUR = /* wgsl */ `
struct Settings { radius: i32, direction: vec2f }
@group(0) @binding(0) var<uniform> settings: Settings;
@group(1) @binding(0) var samp: sampler;
@group(1) @binding(1) var source: texture_2d<f32>;
@group(1) @binding(2) var dest: texture_storage_2d<rgba8unorm, write>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let size = textureDimensions(dest);
  if (gid.x >= size.x || gid.y >= size.y) { return; }
  let texel = 1.0 / vec2f(size);
  let uv = (vec2f(gid.xy) + 0.5) * texel;
  var sum = vec4f(0.0);
  for (var k = -settings.radius; k <= settings.radius; k++) {
    sum += textureSampleLevel(source, samp, uv + f32(k) * settings.direction * texel, 0.0);
  }
  textureStore(dest, gid.xy, sum / f32(2 * settings.radius + 1));
}`;

/** Blurs an RGBA image (`rgba`: bytes, 4 per texel) horizontally with a box of `2 * radius + 1` texels. */
export async function blur(mgr: Manager, rgba: Uint8Array, width: number, height: number, radius = 2): Promise<Uint8Array> {
  using source = mgr.image(rgba, width, height, 4, { dtype: 'unorm8' });
  using target = mgr.image(null, width, height, 4, { dtype: 'unorm8' });
  using samp = mgr.sampler({ magFilter: 'linear', minFilter: 'linear' });
  using settings = mgr.params({ radius, direction: [1, 0] });
  using algorithm = mgr.algorithm({ settings, samp, source, dest: target }, BLUR, { invocations: [width, height] });
  await mgr.sequence().eval(new OpSyncDevice([source]), new OpAlgoDispatch(algorithm), new OpSyncLocal([target]));
  return target.data().slice();
}

if (isMain(import.meta.url)) {
  await using mgr = await Manager.create();
  const width = 16;
  const stripes = new Uint8Array(width * 4 * 4);
  for (let i = 0; i < width * 4; i++) stripes.set((i % width) % 4 < 2 ? [255, 255, 255, 255] : [0, 0, 0, 255], i * 4);
  const out = await blur(mgr, stripes, width, 4);
  console.log(`first row red before: ${Array.from({ length: width }, (_, x) => stripes[x * 4]).join(' ')}`);
  console.log(`first row red after:  ${Array.from({ length: width }, (_, x) => out[x * 4]).join(' ')}`);
}
