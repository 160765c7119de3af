/**
 * A particle simulation whose state is a WGSL `array<Particle>`, read back as plain objects
 * (StructType, no hand-computed offsets), where each step touches only a window of the particles
 * from JavaScript: the window is respawned on the host and uploaded with a ranged OpSyncDevice,
 * the GPU moves every particle, and a ranged OpSyncLocal brings back just the window. Checked
 * against a CPU reference of the same physics.
 * Run: `node dist/examples/particles.js`
 */
import { Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, StructType } from '../src/index.js';
import { isMain } from './is-main.js';

/** The particle as the shader declares it: 48 bytes with padding (vec4f aligns to 16, the struct to 16). */
export const PARTICLE_WGSL = /* wgsl */ `
struct Particle {
  pos: vec2f,
  vel: vec2f,
  color: vec4f,
  id: u32,
}
`;

const DT = 0.01;
const GRAVITY = -9.8;
const WORKGROUP = 64;

const SHADER = /* wgsl */ `${PARTICLE_WGSL}
@group(0) @binding(0) var<storage, read_write> particles: array<Particle>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= arrayLength(&particles)) { return; }
  var p = particles[i];
  p.vel.y = p.vel.y + ${GRAVITY} * ${DT};
  p.pos = p.pos + p.vel * ${DT};
  if (p.pos.y < 0.0) {
    p.pos.y = -p.pos.y;
    p.vel.y = -p.vel.y * 0.5;
    p.color = vec4f(p.color.xyz * 0.9, p.color.w);
  }
  particles[i] = p;
}
`;

/** One particle, as StructType reads and writes it. */
export interface Particle {
  pos: number[];
  vel: number[];
  color: number[];
  id: number;
}

function spawn(id: number, step: number): Particle {
  const a = (id * 2.399963) % (2 * Math.PI);
  return { pos: [Math.cos(a), (id % 7) * 0.1], vel: [Math.sin(a) * 0.5, 0.2 * (step % 3)], color: [1, (id % 5) / 5, 0.5, 1], id: id + 1_000_000 * step };
}

/** The shader's step on the CPU, rounded to f32 like the GPU. */
function stepCpu(p: Particle): Particle {
  const f = Math.fround;
  const vel = [p.vel[0]!, f(p.vel[1]! + f(GRAVITY * DT))];
  const pos = [f(p.pos[0]! + f(vel[0]! * DT)), f(p.pos[1]! + f(vel[1]! * DT))];
  let color = p.color;
  if (pos[1]! < 0) {
    pos[1] = -pos[1]!;
    vel[1] = f(-vel[1]! * 0.5);
    color = [f(color[0]! * 0.9), f(color[1]! * 0.9), f(color[2]! * 0.9), color[3]!];
  }
  return { pos, vel, color, id: p.id };
}

/** What {@link particles} returns: each step's window as read back, and its largest difference from the CPU. */
export interface ParticlesResult {
  readonly stride: number;
  readonly windows: Particle[][];
  readonly maxError: number;
  readonly idsMatch: boolean;
}

/**
 * Runs `steps` steps of `count` particles; step *s* respawns the window of `window` particles
 * starting at `s × window` (wrapping), moves everyone, and reads that window back.
 */
export async function particles(mgr: Manager, count = 4096, window = 256, steps = 12): Promise<ParticlesResult> {
  const Particle = StructType.fromWgsl(SHADER, 'Particle');
  let cpu: Particle[] = Array.from({ length: count }, (_, i) => spawn(i, 0));
  using state = mgr.tensor(Particle.encode(cpu));
  using algorithm = mgr.algorithm([state], SHADER, { workgroup: [Math.ceil(count / WORKGROUP)] });
  using sequence = mgr.sequence();
  await sequence.eval(new OpSyncDevice([state]));
  const windows: Particle[][] = [];
  let maxError = 0;
  let idsMatch = true;
  for (let s = 1; s <= steps; s++) {
    const first = ((s - 1) * window) % (count - window + 1);
    const fresh = Array.from({ length: window }, (_, k) => spawn(first + k, s));
    // Only the window's structs change on the host, and only they go up and come back.
    Particle.write(state, fresh, first);
    using part = Particle.view(state, first, window);
    await sequence.eval(new OpSyncDevice([part]), new OpAlgoDispatch(algorithm), new OpSyncLocal([part]));
    const back = Particle.read(part) as unknown as Particle[];
    windows.push(back);
    cpu = cpu.map((p, i) => stepCpu(i >= first && i < first + window ? fresh[i - first]! : p));
    back.forEach((p, k) => {
      const ref = cpu[first + k]!;
      idsMatch &&= p.id === ref.id;
      for (const key of ['pos', 'vel', 'color'] as const) p[key].forEach((v, j) => (maxError = Math.max(maxError, Math.abs(v - ref[key][j]!))));
    });
  }
  return { stride: Particle.stride, windows, maxError, idsMatch };
}

if (isMain(import.meta.url)) {
  await using mgr = await Manager.create();
  const { stride, windows, maxError, idsMatch } = await particles(mgr);
  const last = windows.at(-1)!;
  console.log(`${windows.length} steps of 4096 particles (${stride}-byte structs), 256 synced per step`);
  console.log('last window, first particle:', last[0]);
  console.log(`largest difference from the CPU reference: ${maxError.toExponential(2)}; ids ${idsMatch ? 'match' : 'DIFFER'}`);
}
