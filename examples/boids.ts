/**
 * A boids-style flock: particles (a struct array of position and velocity) in two tensors swapped
 * every step, steering parameters in a uniform struct from a parameter block, bound by the names
 * the shader declares. The shader is written the way WebGPU samples write theirs (uniform at
 * binding 0, storage buffers after it, `@workgroup_size(64)`); kompute-ts runs it unchanged.
 * Run: `node dist/examples/boids.js`
 */
import { Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from '../src/index.js';
import { isMain } from './is-main.js';

const FLOCK = /* wgsl */ `
struct Particle { pos: vec2f, vel: vec2f }
struct Params { dt: f32, neighbourhood: f32, cohesion: f32, separation: f32, alignment: f32, maxSpeed: f32, count: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> current: array<Particle>;
@group(0) @binding(2) var<storage, read_write> next: array<Particle>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= params.count) { return; }
  let me = current[i];
  var centre = vec2f(0.0);
  var away = vec2f(0.0);
  var heading = vec2f(0.0);
  var neighbours = 0.0;
  for (var j = 0u; j < params.count; j++) {
    if (j == i) { continue; }
    let other = current[j];
    let d = distance(other.pos, me.pos);
    if (d < params.neighbourhood) {
      centre += other.pos;
      heading += other.vel;
      away -= (other.pos - me.pos) / max(d * d, 1e-4);
      neighbours += 1.0;
    }
  }
  var vel = me.vel;
  if (neighbours > 0.0) {
    vel += (centre / neighbours - me.pos) * params.cohesion + away * params.separation + (heading / neighbours - me.vel) * params.alignment;
  }
  let speed = length(vel);
  if (speed > params.maxSpeed) { vel *= params.maxSpeed / speed; }
  var pos = me.pos + vel * params.dt;
  pos = pos - floor(pos * 0.5 + 0.5) * 2.0; // wrap around the [-1, 1) square
  next[i] = Particle(pos, vel);
}`;

/** Flies `count` boids for `steps` steps; returns the final positions and velocities (x, y, vx, vy per boid). */
export async function flock(mgr: Manager, count = 256, steps = 20): Promise<Float32Array> {
  const start = new Float32Array(count * 4);
  for (let i = 0; i < count; i++) {
    const a = (i * 2.399963) % (2 * Math.PI);
    const r = Math.sqrt((i + 0.5) / count) * 0.9;
    start.set([r * Math.cos(a), r * Math.sin(a), -Math.sin(a) * 0.1, Math.cos(a) * 0.1], i * 4);
  }
  using a = mgr.tensor(start);
  using b = mgr.tensor(count * 4, 'f32');
  using params = mgr.params({ dt: 0.04, neighbourhood: 0.15, cohesion: 0.02, separation: 0.0004, alignment: 0.05, maxSpeed: 0.3, count });
  // Two algorithms, one per direction: a -> b, then b -> a.
  using forward = mgr.algorithm({ params, current: a, next: b }, FLOCK, { invocations: [count] });
  using backward = mgr.algorithm({ params, current: b, next: a }, FLOCK, { invocations: [count] });
  using seq = mgr.sequence();
  seq.record(new OpSyncDevice([a]));
  for (let s = 0; s < steps; s++) seq.record(new OpAlgoDispatch(s % 2 === 0 ? forward : backward));
  seq.record(new OpSyncLocal([steps % 2 === 0 ? a : b]));
  await seq.eval();
  return (steps % 2 === 0 ? a : b).data().slice();
}

if (isMain(import.meta.url)) {
  await using mgr = await Manager.create();
  const boids = await flock(mgr);
  let speed = 0;
  for (let i = 0; i < boids.length; i += 4) speed += Math.hypot(boids[i + 2]!, boids[i + 3]!);
  console.log(`${boids.length / 4} boids after 20 steps, mean speed ${(speed / (boids.length / 4)).toFixed(4)}`);
}
