/**
 * Images, tensor views, samplers and parameter blocks in the lifecycle model test: the resource
 * kinds beside tensors. Their commands create, write, read, rebuild, destroy and drop them; an
 * image algorithm binds two images, a parameter block and maybe a sampler (`dst = src * p.k + p.b`
 * over a grid of texels, src read with textureLoad or through a nearest sampler at texel centres);
 * and {@link LocalEval} evaluates, awaited on a sequence of its own, OpSyncDevice / OpCopy /
 * OpAlgoDispatch / OpSyncLocal over images, views and fresh tensors. Those evaluations use only
 * memory no evaluation in flight touches, so their results are exact (the races of tensors'
 * evaluations stay with test/model/sequences.ts).
 */
import {
  type Algorithm,
  type Image,
  type ImageDType,
  type MemoryType,
  OpAlgoDispatch,
  OpCopy,
  type Operation,
  OpSyncDevice,
  OpSyncLocal,
  type ParamBlock,
  type Sampler,
  type Tensor,
  type TensorView,
} from '../../src/index.js';
import { axpb, DTS, type DT, type Val } from './kernels.js';
import { type Arr, compareValues, type ErrName, type IDT, IMAGE_WGSL, type ImageM, MEMS, type Mem, type Model, zeros } from './model.js';
import { type Box, count, decide, fails, type Hyp, observe, type Real, succeeds } from './harness.js';
import { hasHeld, heldOf, show, Step, tname, TYPED } from './common.js';

export const IDTS: readonly IDT[] = ['f32', 'i32', 'u32', 'u8', 'i16'];
const IMAGE_ARRAYS = { f32: Float32Array, i32: Int32Array, u32: Uint32Array, u8: Uint8Array, i16: Int16Array } as const;
const RANGE: Record<IDT, [number, number] | null> = { f32: null, i32: [-(2 ** 31), 2 ** 31 - 1], u32: [0, 2 ** 32 - 1], u8: [0, 255], i16: [-32768, 32767] };
const FORMAT: Record<IDT, string> = { f32: '32float', i32: '32sint', u32: '32uint', u8: '8uint', i16: '16sint' };
const PREFIX = { 1: 'r', 2: 'rg', 4: 'rgba' } as const;

const iname = (id: number): string => `i${id}`;
const vname = (id: number): string => `v${id}`;
const xname = (id: number): string => `x${id}`;

function local<T>(real: Real, id: number): T {
  return real.local.get(id) as T;
}

function register(real: Real, id: number, o: { destroy(): void }): void {
  real.local.set(id, o);
  real.refs.set(id, new WeakRef(o));
}

/** Small values that fit `dtype` (u8 and i16 kept low so that `* k + b` mostly stays in range). */
export function imageValues(dtype: IDT, n: number, seed: number): number[] {
  const out: number[] = new Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const r = s >>> 8;
    out[i] = dtype === 'f32' || dtype === 'i32' || dtype === 'i16' ? (r % 201) - 100 : r % 100;
  }
  return out;
}

function pickFrom<T extends { id: number }>(list: T[], pick: number): T | undefined {
  if (list.length === 0) return undefined;
  // Negative picks count from the newest (scenarios use the objects they just made).
  return pick < 0 ? list[Math.max(0, list.length + pick)] : list[pick % list.length];
}

function images(m: Model, alive: boolean, filter?: (x: ImageM) => boolean): ImageM[] {
  let list = heldOf(m.images);
  if (alive) {
    const a = list.filter((x) => m.imageAlive(x.id));
    if (a.length > 0) list = a;
  }
  if (filter) list = list.filter(filter);
  return list;
}

/** Image sizes: mostly tiny, sometimes rows over 256 bytes (copies between tensors and images go row by row). */
function extent(sizeClass: number, seed: number): [number, number] {
  if (sizeClass < 85) return [1 + (seed % 5), 1 + ((seed >> 3) % 4)];
  return [65 + (seed % 7), 1 + ((seed >> 3) % 3)];
}

// ---- images ----

export interface CreateImageP {
  dtype: number;
  channels: number;
  mem: number;
  sizeClass: number;
  seed: number;
  form: 'null' | 'typed' | 'numbers';
  bad: null | 'channels3' | 'zeroWidth' | 'short';
}

export class CreateImage extends Step {
  constructor(readonly p: CreateImageP) {
    super();
  }

  toString(): string {
    return `CreateImage(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const p = this.p;
    const m = box.m;
    const dtype = IDTS[p.dtype % IDTS.length]!;
    // 8- and 16-bit formats are storage formats everywhere with 4 channels only.
    const channels = dtype === 'u8' || dtype === 'i16' ? 4 : ([1, 2, 4] as const)[p.channels % 3]!;
    const mem = MEMS[p.mem % 4]!;
    const [w, h] = extent(p.sizeClass, p.seed);
    const n = w * h * channels;
    const values = p.form === 'null' ? null : imageValues(dtype, p.bad === 'short' ? n - 1 : n, p.seed);
    const arg = values === null ? null : p.form === 'typed' ? IMAGE_ARRAYS[dtype].from(values) : values;
    const options: { type: MemoryType; dtype?: ImageDType } = { type: mem as MemoryType };
    if (p.form !== 'typed') options.dtype = dtype;
    const next = m.clone();
    const id = next.nextId++;
    const what = `${iname(id)} = image(${p.bad ? `bad: ${p.bad}, ` : ''}${p.form}, ${w}x${h}x${channels}, ${dtype}, ${mem})`;
    let hyp: Hyp;
    if (p.bad === 'channels3' || p.bad === 'zeroWidth') hyp = fails('ArgumentError', m);
    else if (p.bad === 'short' && values !== null) hyp = fails('SizeError', m);
    else {
      const data = values ?? zeros(n);
      next.images.set(id, {
        id,
        mgr: next.mgr,
        dtype,
        channels,
        mem,
        width: w,
        height: h,
        host: mem === 'Storage' ? null : data,
        device: mem === 'Storage' ? data : zeros(n),
        destroyed: false,
        held: true,
      });
      hyp = succeeds(next);
    }
    const ch = (p.bad === 'channels3' ? 3 : channels) as 1 | 2 | 4;
    const obs = await observe(what, () => real.mgr.image(arg as never, p.bad === 'zeroWidth' ? 0 : w, h, ch, options));
    decide(box, what, obs, [hyp]);
    if (obs.ok) register(real, id, obs.value as Image);
    return what;
  }
}

export interface ImagePickP {
  pick: number;
  alive: boolean;
}

export class ImageHostData extends Step {
  constructor(readonly p: ImagePickP & { write: boolean; seed: number; short: boolean }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.images);
  }

  toString(): string {
    return `ImageHostData(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const m = box.m;
    const x = pickFrom(images(m, this.p.alive), this.p.pick)!;
    const image = local<Image>(real, x.id);
    const n = x.width * x.height * x.channels;
    const hyps: Hyp[] = [];
    if (this.p.write) {
      const values = imageValues(x.dtype, this.p.short ? n + 1 : n, this.p.seed);
      const what = `${iname(x.id)}.setData(x${values.length})`;
      if (!m.imageAlive(x.id)) hyps.push(fails('DestroyedError', m));
      else if (x.mem === 'Storage') hyps.push(fails('StateError', m));
      else if (this.p.short) hyps.push(fails('SizeError', m));
      else {
        const next = m.clone();
        next.images.get(x.id)!.host = values;
        hyps.push(succeeds(next));
      }
      decide(box, what, await observe(what, () => image.setData(IMAGE_ARRAYS[x.dtype].from(values) as never)), hyps);
      return what;
    }
    const what = `${iname(x.id)}.data()`;
    if (!m.imageAlive(x.id)) hyps.push(fails('DestroyedError', m));
    else if (x.mem === 'Storage') hyps.push(fails('StateError', m));
    else
      hyps.push(
        succeeds(m, 'the model host data', (value) => {
          if (!(value instanceof IMAGE_ARRAYS[x.dtype])) return `data() returned ${Object.prototype.toString.call(value)}`;
          if (image.width !== x.width || image.height !== x.height || image.size !== n) return `image is ${image.width}x${image.height} (${image.size}), model ${x.width}x${x.height}`;
          count('image data() elements checked', n);
          return compareValues(value as ArrayLike<number>, x.host!, what);
        }),
      );
    decide(box, what, await observe(what, () => image.data()), hyps);
    return what;
  }
}

export class RebuildImage extends Step {
  constructor(readonly p: ImagePickP & { sizeClass: number; seed: number; withData: boolean; bad: null | 'short' | 'zero' }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.images);
  }

  toString(): string {
    return `RebuildImage(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const p = this.p;
    const m = box.m;
    const x = pickFrom(images(m, p.alive), p.pick)!;
    const [w, h] = extent(p.sizeClass, p.seed);
    const n = w * h * x.channels;
    const values = p.withData || p.bad === 'short' ? imageValues(x.dtype, p.bad === 'short' ? n - 1 : n, p.seed) : null;
    const what = `${iname(x.id)}.rebuild(${p.bad ? `bad: ${p.bad}, ` : ''}${values ? `x${values.length}` : 'null'}, ${w}, ${h})`;
    let hyp: Hyp;
    if (!m.imageAlive(x.id)) hyp = fails('DestroyedError', m);
    else if (p.bad === 'zero') hyp = fails('ArgumentError', m);
    else if (p.bad === 'short') hyp = fails('SizeError', m);
    else {
      const next = m.clone();
      const nx = next.images.get(x.id)!;
      const data = values ?? zeros(n);
      nx.width = w;
      nx.height = h;
      nx.host = nx.mem === 'Storage' ? null : data;
      nx.device = nx.mem === 'Storage' ? data : zeros(n);
      hyp = succeeds(next);
    }
    const image = local<Image>(real, x.id);
    decide(box, what, await observe(what, () => image.rebuild(values === null ? null : (IMAGE_ARRAYS[x.dtype].from(values) as never), p.bad === 'zero' ? 0 : w, h)), [hyp]);
    return what;
  }
}

/** Destroys (or, with `drop`, lets go of) an image, view, sampler, parameter block or image algorithm. */
export class EndLocal extends Step {
  constructor(readonly p: { kind: 'image' | 'view' | 'sampler' | 'params' | 'imgAlgo'; pick: number; alive: boolean; drop: boolean }) {
    super();
  }

  #map(m: Model): Map<number, { id: number; held: boolean; destroyed: boolean }> {
    return { image: m.images, view: m.views, sampler: m.samplers, params: m.params, imgAlgo: m.imgAlgos }[this.p.kind];
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(this.#map(box.m));
  }

  toString(): string {
    return `EndLocal(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const m = box.m;
    const list = heldOf(this.#map(m));
    const alive = list.filter((x) => !x.destroyed);
    const target = pickFrom(this.p.alive && alive.length > 0 ? alive : list, this.p.pick)!;
    const name = { image: iname, view: vname, sampler: (id: number) => `sampler${id}`, params: (id: number) => `params${id}`, imgAlgo: xname }[this.p.kind](target.id);
    const next = m.clone();
    const nt = this.#map(next).get(target.id)!;
    if (this.p.drop) {
      nt.held = false;
      box.m = next;
      real.local.delete(target.id);
      return `drop ${name}`;
    }
    nt.destroyed = true;
    const what = `${name}.destroy()`;
    const o = local<{ destroy(): void }>(real, target.id);
    decide(box, what, await observe(what, () => o.destroy()), [succeeds(next)]);
    return what;
  }
}

// ---- views ----

export class CreateView extends Step {
  constructor(readonly p: { pick: number; alive: boolean; seed: number; bad: null | 'past' | 'zero' }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.tensors);
  }

  toString(): string {
    return `CreateView(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const p = this.p;
    const m = box.m;
    let list = heldOf(m.tensors);
    if (p.alive) {
      const a = list.filter((t) => m.tensorAlive(t.id));
      if (a.length > 0) list = a;
    }
    const t = pickFrom(list, p.pick)!;
    const offset = p.seed % t.size;
    const length = p.bad === 'past' ? t.size - offset + 1 : p.bad === 'zero' ? 0 : 1 + ((p.seed >> 4) % (t.size - offset));
    const next = m.clone();
    const id = next.nextId++;
    const what = `${vname(id)} = ${tname(t.id)}.view(${offset}, ${length})`;
    let hyp: Hyp;
    if (!m.tensorAlive(t.id)) hyp = fails('DestroyedError', m);
    else if (p.bad === 'zero') hyp = fails('ArgumentError', m);
    else if (p.bad === 'past') hyp = fails('SizeError', m);
    else {
      next.views.set(id, { id, mgr: next.mgr, tensor: t.id, offset, length, destroyed: false, held: true });
      hyp = succeeds(next);
    }
    const tensor = real.tensors.get(t.id) ?? (real.refs.get(t.id)?.deref() as Tensor);
    const obs = await observe(what, () => tensor.view(offset, length));
    decide(box, what, obs, [hyp]);
    if (obs.ok) register(real, id, obs.value as TensorView);
    return what;
  }
}

export class ViewData extends Step {
  constructor(readonly p: { pick: number; alive: boolean; write: boolean; seed: number }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.views);
  }

  toString(): string {
    return `ViewData(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const m = box.m;
    let list = heldOf(m.views);
    if (this.p.alive) {
      const a = list.filter((v) => m.viewAlive(v.id));
      if (a.length > 0) list = a;
    }
    const v = pickFrom(list, this.p.pick)!;
    const t = m.tensor(v.tensor);
    const view = local<TensorView>(real, v.id);
    const what = `${vname(v.id)}.${this.p.write ? 'setData' : 'data'}()`;
    // An evaluation in flight over the tensor may hold its host copy: not this step's subject.
    if (m.viewAlive(v.id) && m.flightsTouching(v.tensor).length > 0) return `${what}: its tensor is in flight, skipped`;
    const hyps: Hyp[] = [];
    const values = TYPED[t.dtype].from(imageValues(t.dtype, v.length, this.p.seed));
    if (!m.viewAlive(v.id)) hyps.push(fails('DestroyedError', m));
    else if (!m.viewInside(v.id)) hyps.push(fails('StateError', m));
    else if (t.mem === 'Storage') hyps.push(fails('StateError', m));
    else if (this.p.write) {
      const next = m.clone();
      const nt = next.tensor(v.tensor);
      const host = [...nt.host!];
      for (let i = 0; i < v.length; i++) host[v.offset + i] = values[i]!;
      nt.host = host;
      hyps.push(succeeds(next));
    } else {
      hyps.push(
        succeeds(m, 'the model host data', (value) => {
          if (!(value instanceof TYPED[t.dtype])) return `data() returned ${Object.prototype.toString.call(value)}`;
          count('view data() elements checked', v.length);
          return compareValues(value as ArrayLike<number>, t.host!.slice(v.offset, v.offset + v.length), what);
        }),
      );
    }
    decide(box, what, await observe(what, () => (this.p.write ? view.setData(values as never) : view.data())), hyps);
    return what;
  }
}

// ---- samplers and parameter blocks ----

const ADDRESS = ['clamp-to-edge', 'repeat', 'mirror-repeat'] as const;

export class CreateSampler extends Step {
  constructor(readonly p: { mode: number; bad: boolean }) {
    super();
  }

  toString(): string {
    return `CreateSampler(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const m = box.m;
    const next = m.clone();
    const id = next.nextId++;
    const descriptor = this.p.bad ? { magFilter: 'cubic' } : { addressModeU: ADDRESS[this.p.mode % 3], addressModeV: ADDRESS[(this.p.mode >> 2) % 3], magFilter: 'nearest' };
    const what = `sampler${id} = sampler(${JSON.stringify(descriptor)})`;
    if (!this.p.bad) next.samplers.set(id, { id, mgr: next.mgr, destroyed: false, held: true });
    const obs = await observe(what, () => real.mgr.sampler(descriptor as never));
    decide(box, what, obs, [this.p.bad ? fails('ArgumentError', m) : succeeds(next)]);
    if (obs.ok) register(real, id, obs.value as Sampler);
    return what;
  }
}

const K = [0, 1, 2] as const;
const B = [0, 1, 5] as const;

export class CreateParams extends Step {
  constructor(readonly p: { k: number; b: number; bad: boolean }) {
    super();
  }

  toString(): string {
    return `CreateParams(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const m = box.m;
    const next = m.clone();
    const id = next.nextId++;
    const k = K[this.p.k % 3]!;
    const b = B[this.p.b % 3]!;
    const what = `params${id} = params(${this.p.bad ? 'bad: null' : `{ k: ${k}, b: ${b} }`})`;
    if (!this.p.bad) next.params.set(id, { id, mgr: next.mgr, k, b, layout: null, destroyed: false, held: true });
    const obs = await observe(what, () => real.mgr.params((this.p.bad ? null : { k, b }) as never));
    decide(box, what, obs, [this.p.bad ? fails('ArgumentError', m) : succeeds(next)]);
    if (obs.ok) register(real, id, obs.value as ParamBlock);
    return what;
  }
}

export class SetParams extends Step {
  constructor(readonly p: { pick: number; alive: boolean; k: number }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.params);
  }

  toString(): string {
    return `SetParams(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const m = box.m;
    const list = heldOf(m.params);
    const alive = list.filter((x) => m.paramsAlive(x.id));
    const x = pickFrom(this.p.alive && alive.length > 0 ? alive : list, this.p.pick)!;
    const k = K[this.p.k % 3]!;
    const what = `params${x.id}.set({ k: ${k} })`;
    let hyp: Hyp;
    if (!m.paramsAlive(x.id)) hyp = fails('DestroyedError', m);
    else {
      const next = m.clone();
      next.params.get(x.id)!.k = k;
      hyp = succeeds(next);
    }
    const block = local<ParamBlock>(real, x.id);
    decide(box, what, await observe(what, () => block.set({ k })), [hyp]);
    return what;
  }
}

// ---- image algorithms ----

function imageShader(src: ImageM, dst: ImageM, sampled: boolean): string {
  const type = IMAGE_WGSL[src.dtype];
  const format = `${PREFIX[dst.channels]}${FORMAT[dst.dtype]}`;
  const read = sampled ? 'textureSampleLevel(src, s, (vec2f(id.xy) + 0.5) / vec2f(sd), 0.0)' : 'textureLoad(src, vec2i(id.xy), 0)';
  return `struct P { k: ${type}, b: ${type} }
@group(0) @binding(0) var src: texture_2d<${type}>;
@group(0) @binding(1) var dst: texture_storage_2d<${format}, write>;
@group(0) @binding(2) var<uniform> p: P;
${sampled ? '@group(0) @binding(3) var s: sampler;\n' : ''}
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let d = textureDimensions(dst);
  if (id.x >= d.x || id.y >= d.y) { return; }
  let sd = textureDimensions(src);
  var v = vec4<${type}>(0);
  if (id.x < sd.x && id.y < sd.y) { v = ${read}; }
  textureStore(dst, vec2i(id.xy), v * p.k + vec4<${type}>(p.b));
}
`;
}

export class CreateImageAlgo extends Step {
  constructor(readonly p: { src: number; dst: number; params: number; sampler: number; useSampler: boolean; alive: boolean }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return heldOf(box.m.images).length >= 2 && hasHeld(box.m.params);
  }

  toString(): string {
    return `CreateImageAlgo(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const p = this.p;
    const m = box.m;
    const src = pickFrom(images(m, p.alive), p.src)!;
    const dst = pickFrom(
      images(m, p.alive, (x) => x.id !== src.id && IMAGE_WGSL[x.dtype] === IMAGE_WGSL[src.dtype]),
      p.dst,
    );
    if (!dst) return `image algorithm over ${iname(src.id)}: no other image of its type, skipped`;
    const plist = heldOf(m.params);
    const palive = plist.filter((x) => m.paramsAlive(x.id));
    const params = pickFrom(p.alive && palive.length > 0 ? palive : plist, p.params)!;
    // A sampler reads through textureSampleLevel: only f32 images (unfilterable, with a nearest sampler).
    const slist = heldOf(m.samplers);
    const salive = slist.filter((x) => m.samplerAlive(x.id));
    const sampler = p.useSampler && src.dtype === 'f32' ? pickFrom(p.alive && salive.length > 0 ? salive : slist, p.sampler) : undefined;
    const type = IMAGE_WGSL[src.dtype];
    const next = m.clone();
    const id = next.nextId++;
    const what = `${xname(id)} = imageAlgorithm({ src: ${iname(src.id)}, dst: ${iname(dst.id)}, p: params${params.id}${sampler ? `, s: sampler${sampler.id}` : ''} }, dst = src * k + b, grid ${dst.width}x${dst.height})`;
    let hyp: Hyp;
    const resourcesAlive = m.imageAlive(src.id) && m.imageAlive(dst.id) && m.paramsAlive(params.id) && (!sampler || m.samplerAlive(sampler.id));
    if (!resourcesAlive) hyp = fails('DestroyedError', m);
    else if (params.layout !== null && params.layout !== type) hyp = fails('AlgorithmBindingError', m, 'AlgorithmBindingError (the block follows another struct)');
    else {
      next.params.get(params.id)!.layout = type;
      next.imgAlgos.set(id, { id, mgr: next.mgr, src: src.id, dst: dst.id, params: params.id, sampler: sampler?.id ?? null, grid: [dst.width, dst.height], destroyed: false, held: true });
      hyp = succeeds(next);
    }
    const resources: Record<string, unknown> = { src: local(real, src.id), dst: local(real, dst.id), p: local(real, params.id) };
    if (sampler) resources['s'] = local(real, sampler.id);
    const wgsl = imageShader(src, dst, sampler !== undefined);
    const obs = await observe(what, () => real.mgr.algorithm(resources as never, wgsl, { workgroup: [dst.width, dst.height, 1] }));
    decide(box, what, obs, [hyp]);
    if (obs.ok) register(real, id, obs.value as Algorithm);
    return what;
  }
}

// ---- evaluations over images, views and fresh tensors ----

type MemRef = { kind: 'image' | 'view' | 'tensor'; id: number };

export interface LocalEvalP {
  up: number[];
  middle: 'copyImages' | 'imageToTensor' | 'tensorToImage' | 'dispatch' | 'none';
  picks: [number, number];
  compat: boolean;
  down: number[];
  mem: number;
  seed: number;
}

/**
 * One awaited evaluation, on a sequence of its own, of OpSyncDevice (images and views), then an
 * OpCopy between images or between an image and a new tensor, or an image algorithm's dispatch,
 * then OpSyncLocal (images and views); then the sequence is destroyed.
 */
export class LocalEval extends Step {
  constructor(readonly p: LocalEvalP) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.images) || hasHeld(box.m.views);
  }

  toString(): string {
    return `LocalEval(${show(this.p)})`;
  }

  /** Alive images and views (of tensors no evaluation in flight touches and whose buffer is alive, inside them) to sync. */
  #syncable(m: Model): MemRef[] {
    const out: MemRef[] = [];
    for (const x of heldOf(m.images)) if (m.imageAlive(x.id)) out.push({ kind: 'image', id: x.id });
    for (const v of heldOf(m.views)) {
      // A view of a wrapped buffer its owner destroyed fails as its tensor does (ValidationError): the tensor commands cover that.
      if (m.viewAlive(v.id) && m.viewInside(v.id) && m.flightsTouching(v.tensor).length === 0 && !m.tensor(v.tensor).bufferDestroyed) out.push({ kind: 'view', id: v.id });
    }
    return out;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const p = this.p;
    const parts: string[] = [];
    const syncable = this.#syncable(box.m);
    const up = [
      ...new Map(
        p.up
          .map((i) => syncable[i % Math.max(1, syncable.length)])
          .filter((r) => r !== undefined)
          .map((r) => [`${r.kind}${r.id}`, r]),
      ).values(),
    ];
    const down = [
      ...new Map(
        p.down
          .map((i) => syncable[i % Math.max(1, syncable.length)])
          .filter((r) => r !== undefined)
          .map((r) => [`${r.kind}${r.id}`, r]),
      ).values(),
    ];
    let middle: { kind: 'copy'; refs: MemRef[] } | { kind: 'dispatch'; algo: number } | null = null;
    const alive = images(box.m, true, (x) => box.m.imageAlive(x.id));
    if (p.middle === 'copyImages' && alive.length >= 2) {
      const src = pickFrom(alive, p.picks[0])!;
      const like = alive.filter((x) => x.id !== src.id && (!p.compat || (x.dtype === src.dtype && x.channels === src.channels && x.width === src.width && x.height === src.height)));
      const dst = pickFrom(like.length > 0 ? like : alive.filter((x) => x.id !== src.id), p.picks[1])!;
      middle = {
        kind: 'copy',
        refs: [
          { kind: 'image', id: src.id },
          { kind: 'image', id: dst.id },
        ],
      };
    } else if ((p.middle === 'imageToTensor' || p.middle === 'tensorToImage') && alive.length >= 1) {
      const linear = alive.filter((x) => (DTS as readonly string[]).includes(x.dtype));
      const image = pickFrom(linear, p.picks[0]);
      if (image) {
        const tensorId = await this.#freshTensor(box, real, image, parts);
        if (tensorId === undefined) return parts.join('; ');
        const refs: MemRef[] = [
          { kind: 'image', id: image.id },
          { kind: 'tensor', id: tensorId },
        ];
        middle = { kind: 'copy', refs: p.middle === 'imageToTensor' ? refs : [refs[1]!, refs[0]!] };
      }
    } else if (p.middle === 'dispatch') {
      const algos = heldOf(box.m.imgAlgos).filter((a) => box.m.imgAlgoAlive(a.id));
      const a = pickFrom(algos, p.picks[0]);
      if (a) middle = { kind: 'dispatch', algo: a.id };
    }
    if (up.length === 0 && down.length === 0 && middle === null) return [...parts, 'nothing to evaluate'].join('; ');

    const m = box.m;
    const label = (r: MemRef): string => (r.kind === 'image' ? iname(r.id) : r.kind === 'view' ? vname(r.id) : tname(r.id));
    const texts: string[] = [];
    if (up.length) texts.push(`OpSyncDevice([${up.map(label).join(', ')}])`);
    if (middle?.kind === 'copy') texts.push(`OpCopy([${middle.refs.map(label).join(', ')}])`);
    if (middle?.kind === 'dispatch') texts.push(`OpAlgoDispatch(${xname(middle.algo)})`);
    if (down.length) texts.push(`OpSyncLocal([${down.map(label).join(', ')}])`);
    const what = `await evalLocal(${texts.join(', ')})`;
    count(`evalLocal over: ${middle?.kind ?? 'syncs only'}${middle?.kind === 'copy' ? ` ${middle.refs.map((r) => r.kind).join(' to ')}` : ''}`);
    const predicted = predictLocal(m, up, middle, down);
    const hyp = typeof predicted === 'string' ? fails(predicted, m) : succeeds(predicted);
    const obj = (r: MemRef): unknown => (r.kind === 'tensor' ? real.tensors.get(r.id) : local(real, r.id));
    const obs = await observe(what, async () => {
      const ops: Operation[] = [];
      if (up.length) ops.push(new OpSyncDevice(up.map(obj) as never));
      if (middle?.kind === 'copy') ops.push(new OpCopy(middle.refs.map(obj) as never));
      if (middle?.kind === 'dispatch') ops.push(new OpAlgoDispatch(local<Algorithm>(real, middle.algo)));
      if (down.length) ops.push(new OpSyncLocal(down.map(obj) as never));
      const sequence = real.mgr.sequence({ label: 'local' });
      try {
        await sequence.eval(...ops);
      } finally {
        sequence.destroy();
      }
    });
    decide(box, what, obs, [hyp]);
    parts.push(what);
    return parts.join('; ');
  }

  /** A new tensor of the image's dtype and element count (its host data set, unsynced), held by the program. */
  async #freshTensor(box: Box, real: Real, image: ImageM, parts: string[]): Promise<number | undefined> {
    const m = box.m;
    const dtype = image.dtype as DT;
    const n = image.width * image.height * image.channels;
    const mem = MEMS[this.p.mem % 4]!;
    const values = imageValues(dtype, n, this.p.seed);
    const next = m.clone();
    const id = next.nextId++;
    next.tensors.set(id, {
      id,
      mgr: next.mgr,
      dtype,
      mem,
      size: n,
      host: mem === 'Storage' ? null : values,
      device: mem === 'Storage' ? values : zeros(n),
      destroyed: false,
      held: true,
      gen: 0,
      external: false,
      bufferDestroyed: false,
      copyable: true,
    });
    const what = `${tname(id)} = tensor(typed x${n}, ${dtype}, ${mem})`;
    const obs = await observe(what, () => real.mgr.tensor(TYPED[dtype].from(values), { type: mem as MemoryType }));
    decide(box, what, obs, [succeeds(next)]);
    const t = (obs as { value: Tensor }).value;
    real.tensors.set(id, t);
    real.refs.set(id, new WeakRef(t));
    parts.push(what);
    return id;
  }
}

/** Texel `(x, y)` of `data` (w × ch per row) widened to four channels as textureLoad returns it. */
function texel(data: Arr, w: number, ch: number, x: number, y: number): Val[] {
  const out: Val[] = [0, 0, 0, 1];
  for (let c = 0; c < ch; c++) out[c] = data[(y * w + x) * ch + c];
  return out;
}

function fits(dtype: IDT, v: Val): Val {
  if (v === undefined) return undefined;
  const range = RANGE[dtype];
  if (range && (v < range[0] || v > range[1])) return undefined;
  return v;
}

/**
 * The outcome of a local evaluation: the error it fails with, or the next model. Host-coherent
 * memory (Host, DeviceAndHost) is uploaded before the batch and read back after it; OpCopy reads
 * its destinations back too (Kompute's rule).
 */
function predictLocal(m: Model, up: MemRef[], middle: { kind: 'copy'; refs: MemRef[] } | { kind: 'dispatch'; algo: number } | null, down: MemRef[]): ErrName | Model {
  if (middle?.kind === 'copy') {
    const [a, b] = middle.refs as [MemRef, MemRef];
    const ia = a.kind === 'image' ? m.images.get(a.id)! : null;
    const ib = b.kind === 'image' ? m.images.get(b.id)! : null;
    if (ia && ib) {
      if (ia.dtype !== ib.dtype) return 'DTypeError';
      if (ia.width !== ib.width || ia.height !== ib.height || ia.channels !== ib.channels) return 'SizeError';
    }
  }
  let algoRefs: MemRef[] = [];
  if (middle?.kind === 'dispatch') {
    const a = m.imgAlgos.get(middle.algo)!;
    if (!m.imageAlive(a.src) || !m.imageAlive(a.dst) || !m.paramsAlive(a.params) || (a.sampler !== null && !m.samplerAlive(a.sampler))) return 'DestroyedError';
    algoRefs = [
      { kind: 'image', id: a.src },
      { kind: 'image', id: a.dst },
    ];
  }
  const next = m.clone();
  // Element arrays being built, and where each ref lives.
  const dev = new Map<string, Val[]>();
  const host = new Map<string, Val[]>();
  const key = (r: MemRef): { k: string; offset: number; length: number; mem: Mem; data: () => { host: Arr | null; device: Arr } } => {
    if (r.kind === 'image') {
      const x = next.images.get(r.id)!;
      return { k: `i${r.id}`, offset: 0, length: x.width * x.height * x.channels, mem: x.mem, data: () => x };
    }
    const t = r.kind === 'view' ? next.tensor(next.views.get(r.id)!.tensor) : next.tensor(r.id);
    const v = r.kind === 'view' ? next.views.get(r.id)! : null;
    return { k: `t${t.id}`, offset: v?.offset ?? 0, length: v?.length ?? t.size, mem: t.mem, data: () => t };
  };
  const deviceOf = (r: MemRef): Val[] => {
    const k = key(r);
    if (!dev.has(k.k)) dev.set(k.k, [...k.data().device]);
    return dev.get(k.k)!;
  };
  const hostOf = (r: MemRef): Val[] => {
    const k = key(r);
    if (!host.has(k.k)) host.set(k.k, [...k.data().host!]);
    return host.get(k.k)!;
  };
  const upload = (r: MemRef): void => {
    const k = key(r);
    if (k.mem === 'Storage') return;
    const d = deviceOf(r);
    const h = hostOf(r);
    for (let i = k.offset; i < k.offset + k.length; i++) d[i] = h[i];
  };
  const download = (r: MemRef): void => {
    const k = key(r);
    if (k.mem === 'Storage') return;
    const d = deviceOf(r);
    const h = hostOf(r);
    for (let i = k.offset; i < k.offset + k.length; i++) h[i] = d[i];
  };
  const coherent = (r: MemRef): boolean => key(r).mem === 'Host' || key(r).mem === 'DeviceAndHost';
  const all = [...up, ...(middle?.kind === 'copy' ? middle.refs : []), ...algoRefs, ...down].filter(coherent);
  for (const r of all) upload(r);
  for (const r of up) if (!coherent(r)) upload(r);
  if (middle?.kind === 'copy') {
    const [a, b] = middle.refs as [MemRef, MemRef];
    const src = deviceOf(a);
    const ka = key(a);
    const dst = deviceOf(b);
    const kb = key(b);
    for (let i = 0; i < kb.length; i++) dst[kb.offset + i] = src[ka.offset + i];
    download(b);
  }
  if (middle?.kind === 'dispatch') {
    const a = next.imgAlgos.get(middle.algo)!;
    const src = next.images.get(a.src)!;
    const dst = next.images.get(a.dst)!;
    const pb = next.params.get(a.params)!;
    const s = deviceOf({ kind: 'image', id: src.id });
    const d = deviceOf({ kind: 'image', id: dst.id });
    const type = IMAGE_WGSL[src.dtype];
    for (let y = 0; y < Math.min(a.grid[1], dst.height); y++) {
      for (let x = 0; x < Math.min(a.grid[0], dst.width); x++) {
        const v = x < src.width && y < src.height ? texel(s, src.width, src.channels, x, y) : [0, 0, 0, 0];
        for (let c = 0; c < dst.channels; c++) d[(y * dst.width + x) * dst.channels + c] = fits(dst.dtype, axpb(type, v[c], pb.k, pb.b));
      }
    }
  }
  for (const r of down) if (!coherent(r)) download(r);
  for (const r of all) download(r);
  for (const [k, d] of dev) {
    const id = Number(k.slice(1));
    (k[0] === 'i' ? next.images.get(id)! : next.tensor(id)).device = d;
  }
  for (const [k, h] of host) {
    const id = Number(k.slice(1));
    (k[0] === 'i' ? next.images.get(id)! : next.tensor(id)).host = h;
  }
  return next;
}

/**
 * Two new images of one shader type, a parameter block and maybe a sampler, an image algorithm
 * over them, then a local evaluation that dispatches it (or copies between them) and syncs:
 * programs otherwise rarely hold all of these at once.
 */
export class WithImages extends Step {
  constructor(readonly p: { steps: Step[] }) {
    super();
  }

  toString(): string {
    return `WithImages(${this.p.steps.map(String).join(', ')})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const parts: string[] = [];
    for (const step of this.p.steps) if (step.check(box)) parts.push(await step.actNow(box, real));
    return parts.join('; ');
  }
}
