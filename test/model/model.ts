/**
 * The reference model of the lifecycle test: plain TypeScript bookkeeping of what a Manager's
 * tensors, algorithms and sequences hold, after the semantics of README.md (Kompute's batches,
 * memory types, ownership rules) as src/ implements them.
 *
 * A model is copied (cheaply: element arrays are never mutated, only replaced) for every outcome a
 * call may have, so the test can accept whichever the library produced and carry on from the
 * matching state. Values the model cannot know (a race between two evaluations over one tensor,
 * an evaluation disturbed while in flight) are `undefined`, and any observed value matches them.
 */
import { add, axpb, conv, type DT, fromBits, type KernelKind, mul, type Val } from './kernels.js';

export type Mem = 'Device' | 'Host' | 'DeviceAndHost' | 'Storage';
export const MEMS: readonly Mem[] = ['Device', 'Host', 'DeviceAndHost', 'Storage'];
export type Arr = readonly Val[];

/** Library error classes, by name (the test maps them to the real classes). */
export type ErrName = 'DestroyedError' | 'StateError' | 'SizeError' | 'DTypeError' | 'ArgumentError' | 'AlgorithmBindingError' | 'ValidationError' | 'ShaderCompileError';

export interface TensorM {
  readonly id: number;
  /** Which manager (0, 1, ... as the test replaces destroyed managers). */
  readonly mgr: number;
  readonly dtype: DT;
  readonly mem: Mem;
  size: number;
  /** Host copy, null for Storage tensors. */
  host: Arr | null;
  /** Contents of the GPU buffer. */
  device: Arr;
  destroyed: boolean;
  /** Does the test still hold the object (false once dropped for the garbage collector)? */
  held: boolean;
  /** Increments at each rebuild (a new GPU buffer). */
  gen: number;
  /** Wraps a GPU buffer the test created (mgr.tensorFromBuffer): not counted in deviceBytes. */
  readonly external: boolean;
  /** The test destroyed that buffer behind the library's back. */
  bufferDestroyed: boolean;
  /** Its buffer has COPY_SRC | COPY_DST usage (false only for a Storage wrap of a STORAGE-only buffer). */
  readonly copyable: boolean;
}

export interface AlgoConfig {
  readonly kernel: KernelKind;
  readonly dtype: DT;
  /** Does not compile (ShaderCompileError at evaluation). */
  readonly broken: boolean;
  /** Bound tensors, binding order: a, b, out (lhs, rhs, out for mult). */
  readonly tensors: readonly number[];
  /** Invocations along x. */
  readonly threads: number;
  /** Bits of the single push-constant value, or null. */
  readonly push: number | null;
}

export interface AlgoM {
  readonly id: number;
  readonly mgr: number;
  config: AlgoConfig;
  destroyed: boolean;
  held: boolean;
  /** Made by an OpMult: reachable only through its operation. */
  readonly internal: boolean;
}

export type OpM =
  | { readonly kind: 'syncDevice' | 'syncLocal' | 'barrier' | 'copy'; readonly tensors: readonly number[] }
  | { readonly kind: 'dispatch'; readonly algo: number; readonly push: number | null }
  | { readonly kind: 'mult'; readonly algo: number }
  /** OpReduce(x, out, { op }): its algorithms (one pass, or two through a scratch tensor), for `n` elements of x. */
  | { readonly kind: 'reduce'; readonly algos: readonly number[]; readonly x: number; readonly out: number; readonly scratch: number | null; readonly n: number; readonly op: ReduceKind };

export type ReduceKind = 'sum' | 'max' | 'min';

/** An evaluation the model has not seen finish yet. */
export interface FlightM {
  readonly id: number;
  readonly seq: number;
  /** Every tensor the batch reads, writes or transfers. */
  touched: Set<number>;
  /** Tensors whose host copy the batch moves: data()/setData()/rebuild() may throw StateError. */
  busy: Set<number>;
  /**
   * Tensors an operation of the batch names (with the busy ones): the library may refuse their
   * host data while the batch runs even where it does not move it (an OpCopy source).
   */
  inUse: Set<number>;
  /** Algorithms dispatched. */
  readonly algos: ReadonlySet<number>;
  /** Rebuild generation of each touched tensor at the start. */
  gens: Map<number, number>;
  /** What a successful run leaves: new host and/or device contents per tensor. */
  readonly post: ReadonlyMap<number, { host?: Arr; device?: Arr }>;
  /** The error this evaluation must fail with, or null. */
  definite: ErrName | null;
  /** Other errors it may fail with (resources destroyed or changed while it ran, races). */
  mayFail: Set<ErrName>;
  /** Its results can't be predicted (raced with another evaluation, or disturbed while running). */
  poisoned: boolean;
  /** Known to have completed (a call that needs an idle sequence succeeded). */
  settled: boolean;
  /** Busy tensors seen idle since (their transfer is over). */
  unbusied: Set<number>;
  /** Tensors whose host data was written after the evaluation transferred them. */
  hostOverride: Set<number>;
}

/** The counts and bytes of mgr.memory() the model predicts exactly. */
export interface MemoryM {
  tensors: number;
  algorithms: number;
  sequences: number;
  images: number;
  views: number;
  samplers: number;
  params: number;
  deviceBytes: number;
  imageBytes: number;
  paramBytes: number;
}

export interface SeqM {
  readonly id: number;
  readonly mgr: number;
  /** Every operation recorded since the last clear(). */
  ops: readonly OpM[];
  batchStart: number;
  evaluated: boolean;
  destroyed: boolean;
  held: boolean;
  flight: FlightM | null;
}

/** Image element types the model exercises (8- and 16-bit ones with 4 channels: core WebGPU storage formats). */
export type IDT = 'f32' | 'i32' | 'u32' | 'u8' | 'i16';
export const IMAGE_BYTES: Record<IDT, number> = { f32: 4, i32: 4, u32: 4, u8: 1, i16: 2 };
export const IMAGE_WGSL: Record<IDT, DT> = { f32: 'f32', i32: 'i32', u32: 'u32', u8: 'u32', i16: 'i32' };

export interface ImageM {
  readonly id: number;
  readonly mgr: number;
  readonly dtype: IDT;
  readonly channels: 1 | 2 | 4;
  readonly mem: Mem;
  width: number;
  height: number;
  /** Host copy (row after row, channels side by side), null for Storage images. */
  host: Arr | null;
  device: Arr;
  destroyed: boolean;
  held: boolean;
}

/** tensor.view(offset, length): counted in memory().views, holds its tensor, dies with it. */
export interface ViewM {
  readonly id: number;
  readonly mgr: number;
  readonly tensor: number;
  readonly offset: number;
  readonly length: number;
  destroyed: boolean;
  held: boolean;
}

export interface SamplerM {
  readonly id: number;
  readonly mgr: number;
  destroyed: boolean;
  held: boolean;
}

/** mgr.params({ k, b }): its 16-byte uniform buffer exists once it is first bound (layout set). */
export interface ParamsM {
  readonly id: number;
  readonly mgr: number;
  k: number;
  b: number;
  layout: DT | null;
  destroyed: boolean;
  held: boolean;
}

/** An algorithm over images: dst = src * p.k + p.b on a grid of [w, h], src read by textureLoad or through a sampler. */
export interface ImgAlgoM {
  readonly id: number;
  readonly mgr: number;
  readonly src: number;
  readonly dst: number;
  readonly params: number;
  readonly sampler: number | null;
  readonly grid: readonly [number, number];
  destroyed: boolean;
  held: boolean;
}

export const unknown = (n: number): Arr => new Array<Val>(n).fill(undefined);
export const zeros = (n: number): Arr => new Array<Val>(n).fill(0);

function cloneFlight(f: FlightM): FlightM {
  return {
    ...f,
    touched: new Set(f.touched),
    busy: new Set(f.busy),
    inUse: new Set(f.inUse),
    gens: new Map(f.gens),
    mayFail: new Set(f.mayFail),
    unbusied: new Set(f.unbusied),
    hostOverride: new Set(f.hostOverride),
  };
}

export class Model {
  mgr = 0;
  nextId = 1;
  tensors = new Map<number, TensorM>();
  algos = new Map<number, AlgoM>();
  seqs = new Map<number, SeqM>();
  images = new Map<number, ImageM>();
  views = new Map<number, ViewM>();
  samplers = new Map<number, SamplerM>();
  params = new Map<number, ParamsM>();
  imgAlgos = new Map<number, ImgAlgoM>();

  clone(): Model {
    const m = new Model();
    m.mgr = this.mgr;
    m.nextId = this.nextId;
    for (const [k, t] of this.tensors) m.tensors.set(k, { ...t });
    for (const [k, a] of this.algos) m.algos.set(k, { ...a });
    for (const [k, x] of this.images) m.images.set(k, { ...x });
    for (const [k, x] of this.views) m.views.set(k, { ...x });
    for (const [k, x] of this.samplers) m.samplers.set(k, { ...x });
    for (const [k, x] of this.params) m.params.set(k, { ...x });
    for (const [k, x] of this.imgAlgos) m.imgAlgos.set(k, { ...x });
    // Flights are shared between a sequence and nothing else, so each is copied once.
    for (const [k, s] of this.seqs) m.seqs.set(k, { ...s, flight: s.flight ? cloneFlight(s.flight) : null });
    return m;
  }

  // ---- queries ----

  tensor(id: number): TensorM {
    const t = this.tensors.get(id);
    if (!t) throw new Error(`model: no tensor ${id}`);
    return t;
  }

  algo(id: number): AlgoM {
    const a = this.algos.get(id);
    if (!a) throw new Error(`model: no algorithm ${id}`);
    return a;
  }

  seq(id: number): SeqM {
    const s = this.seqs.get(id);
    if (!s) throw new Error(`model: no sequence ${id}`);
    return s;
  }

  /** Alive: not destroyed, and of the current manager (a destroyed manager destroyed all of its own). */
  tensorAlive(id: number): boolean {
    const t = this.tensor(id);
    return !t.destroyed && t.mgr === this.mgr;
  }

  algoAlive(id: number): boolean {
    const a = this.algo(id);
    return !a.destroyed && a.mgr === this.mgr;
  }

  /** The algorithm and all its tensors alive (Algorithm.isUsableWithTensors). */
  algoUsable(id: number): boolean {
    return this.algoAlive(id) && this.algo(id).config.tensors.every((t) => this.tensorAlive(t));
  }

  imageAlive(id: number): boolean {
    const x = this.images.get(id)!;
    return !x.destroyed && x.mgr === this.mgr;
  }

  /** A view is alive while it and its tensor are (tensor.destroy() destroys its views). */
  viewAlive(id: number): boolean {
    const v = this.views.get(id)!;
    return !v.destroyed && v.mgr === this.mgr && this.tensorAlive(v.tensor);
  }

  /** Alive and inside its tensor (a tensor rebuilt smaller leaves its views unusable: StateError). */
  viewInside(id: number): boolean {
    const v = this.views.get(id)!;
    return v.offset + v.length <= this.tensor(v.tensor).size;
  }

  samplerAlive(id: number): boolean {
    const x = this.samplers.get(id)!;
    return !x.destroyed && x.mgr === this.mgr;
  }

  paramsAlive(id: number): boolean {
    const x = this.params.get(id)!;
    return !x.destroyed && x.mgr === this.mgr;
  }

  imgAlgoAlive(id: number): boolean {
    const x = this.imgAlgos.get(id)!;
    return !x.destroyed && x.mgr === this.mgr;
  }

  flights(): FlightM[] {
    const out: FlightM[] = [];
    for (const s of this.seqs.values()) if (s.flight) out.push(s.flight);
    return out;
  }

  /** The batch `eval()` would run now. */
  batch(s: SeqM): readonly OpM[] {
    return s.ops.slice(s.batchStart);
  }

  /** Tensors an operation names (for OpMult and dispatches: the algorithm's). */
  opTensors(op: OpM): readonly number[] {
    if (op.kind === 'dispatch' || op.kind === 'mult') return this.algo(op.algo).config.tensors;
    if (op.kind === 'reduce') return op.scratch === null ? [op.x, op.out] : [op.x, op.out, op.scratch];
    return op.tensors;
  }

  /** Algorithms an operation reaches. */
  opAlgos(op: OpM): readonly number[] {
    if (op.kind === 'reduce') return op.algos;
    return op.kind === 'dispatch' || op.kind === 'mult' ? [op.algo] : [];
  }

  /**
   * Operation.validate(): the error recording or evaluating `op` throws, or null. Destroyed
   * tensors, then algorithms (with their tensors), then OpCopy's checks (a source without
   * COPY_SRC, then per target: the source itself, no COPY_DST, dtype, size).
   */
  validateOp(op: OpM): ErrName | null {
    if (op.kind === 'dispatch' || op.kind === 'mult') {
      return this.algoUsable(op.algo) ? null : 'DestroyedError';
    }
    if (op.kind === 'reduce') return op.algos.every((a) => this.algoUsable(a)) ? null : 'DestroyedError';
    for (const t of op.tensors) if (!this.tensorAlive(t)) return 'DestroyedError';
    if (op.kind === 'copy') {
      const [src, ...dsts] = op.tensors.map((id) => this.tensor(id));
      if (!src!.copyable) return 'ArgumentError';
      for (const d of dsts) {
        if (d === src || !d.copyable) return 'ArgumentError';
        if (d.dtype !== src!.dtype) return 'DTypeError';
        if (d.size !== src!.size) return 'SizeError';
      }
    }
    return null;
  }

  // ---- reachability and memory ----

  /**
   * What mgr.memory() must report once garbage is collected: the current manager's live objects
   * that the test holds or that are reachable from held ones through documented references
   * (an algorithm holds its tensors; a sequence holds the operations recorded since clear(), which
   * hold their tensors and algorithms, OpMult its own algorithm).
   */
  expectedMemory(): MemoryM {
    const tensors = new Set<number>();
    const algos = new Set<number>();
    const seqs = new Set<number>();
    const visitAlgo = (id: number): void => {
      if (algos.has(id)) return;
      algos.add(id);
      for (const t of this.algo(id).config.tensors) tensors.add(t);
    };
    for (const t of this.tensors.values()) if (t.held) tensors.add(t.id);
    const images = new Set<number>();
    const samplers = new Set<number>();
    const params = new Set<number>();
    let views = 0;
    for (const v of this.views.values()) {
      if (!v.held) continue;
      tensors.add(v.tensor);
      if (this.viewAlive(v.id)) views++;
    }
    for (const x of this.images.values()) if (x.held) images.add(x.id);
    for (const x of this.samplers.values()) if (x.held) samplers.add(x.id);
    for (const x of this.params.values()) if (x.held) params.add(x.id);
    let imgAlgos = 0;
    for (const a of this.imgAlgos.values()) {
      if (!a.held) continue;
      if (this.imgAlgoAlive(a.id)) imgAlgos++;
      images.add(a.src);
      images.add(a.dst);
      params.add(a.params);
      if (a.sampler !== null) samplers.add(a.sampler);
    }
    let ni = 0;
    let imageBytes = 0;
    for (const id of images) {
      if (!this.imageAlive(id)) continue;
      const x = this.images.get(id)!;
      ni++;
      imageBytes += x.width * x.height * x.channels * IMAGE_BYTES[x.dtype];
    }
    let nsamplers = 0;
    for (const id of samplers) if (this.samplerAlive(id)) nsamplers++;
    let nparams = 0;
    let paramBytes = 0;
    for (const id of params) {
      if (!this.paramsAlive(id)) continue;
      nparams++;
      if (this.params.get(id)!.layout !== null) paramBytes += 16;
    }
    for (const a of this.algos.values()) if (a.held) visitAlgo(a.id);
    for (const s of this.seqs.values()) {
      if (!s.held) continue;
      seqs.add(s.id);
      for (const op of s.ops) {
        if (op.kind === 'dispatch' || op.kind === 'mult') visitAlgo(op.algo);
        else if (op.kind === 'reduce') for (const a of op.algos) visitAlgo(a);
        else for (const t of op.tensors) tensors.add(t);
      }
    }
    let nt = 0;
    let bytes = 0;
    for (const id of tensors) {
      if (!this.tensorAlive(id)) continue;
      nt++;
      const t = this.tensor(id);
      if (!t.external) bytes += Math.ceil((t.size * 4) / 4) * 4;
    }
    let na = 0;
    for (const id of algos) if (this.algoAlive(id)) na++;
    let ns = 0;
    for (const id of seqs) {
      const s = this.seq(id);
      if (!s.destroyed && s.mgr === this.mgr) ns++;
    }
    return { tensors: nt, algorithms: na + imgAlgos, sequences: ns, images: ni, views, samplers: nsamplers, params: nparams, deviceBytes: bytes, imageBytes, paramBytes };
  }

  // ---- evaluations ----

  /**
   * Starts the evaluation of `batch` on sequence `s`: works out what the library does (planBatch,
   * then the encoding order of sequence.ts) on the current contents. Evaluations that overlap
   * another one still in flight race on the GPU: both become unpredictable and may fail with the
   * StateError of a tensor transferred by the other.
   */
  startFlight(s: SeqM, batch: readonly OpM[]): FlightM {
    const touched = new Set<number>();
    const busy = new Set<number>();
    const inUse = new Set<number>();
    /** Buffers the command buffer really uses (sync operations skip Storage and coherent tensors). */
    const gpuUsed = new Set<number>();
    const algos = new Set<number>();
    const coherent = new Set<number>();
    const isCoherent = (id: number): boolean => {
      const m = this.tensor(id).mem;
      return m === 'Host' || m === 'DeviceAndHost';
    };
    let definite: ErrName | null = null;
    let broken = false;
    // GPU writes per tensor so far (dispatches binding it, copies into it), and the count at each
    // Device tensor's latest readback: an upload after a readback and a write is refused
    // (src/memory/batch-downloads.ts), the whole evaluation a StateError.
    const writes = new Map<number, number>();
    const wrote = (t: number): void => {
      writes.set(t, (writes.get(t) ?? 0) + 1);
    };
    const readbackAt = new Map<number, number>();
    let refused = false;
    for (const op of batch) {
      if (op.kind === 'reduce') {
        for (const t of this.opTensors(op)) wrote(t);
        for (const a of op.algos) algos.add(a);
        for (const t of this.opTensors(op)) {
          touched.add(t);
          gpuUsed.add(t);
          if (isCoherent(t)) coherent.add(t);
        }
        continue;
      }
      if (op.kind === 'dispatch' || op.kind === 'mult') {
        algos.add(op.algo);
        const c = this.algo(op.algo).config;
        if (c.broken) broken = true;
        const [a, b, out] = c.tensors as [number, number, number];
        for (const t of c.tensors) wrote(t);
        // One buffer bound writable and read-only in one dispatch: WebGPU rejects the batch.
        if (out === a || out === b) definite = 'ValidationError';
        for (const t of c.tensors) {
          touched.add(t);
          gpuUsed.add(t);
          if (isCoherent(t)) coherent.add(t);
        }
      } else {
        for (const t of op.tensors) {
          touched.add(t);
          inUse.add(t);
          if (isCoherent(t)) coherent.add(t);
        }
        if (op.kind === 'syncDevice' || op.kind === 'syncLocal') {
          for (const t of op.tensors) {
            if (this.tensor(t).mem !== 'Device') continue;
            busy.add(t);
            gpuUsed.add(t);
            if (op.kind === 'syncLocal') readbackAt.set(t, writes.get(t) ?? 0);
            else if (readbackAt.has(t) && readbackAt.get(t) !== (writes.get(t) ?? 0)) refused = true;
          }
        }
        if (op.kind === 'copy') {
          const [src, ...dsts] = op.tensors as [number, ...number[]];
          for (const d of dsts) {
            wrote(d);
            if (this.tensor(d).mem !== 'Storage') readbackAt.set(d, writes.get(d) ?? 0);
          }
          if (dsts.includes(src)) definite = 'ValidationError';
          for (const d of dsts) if (this.tensor(d).mem !== 'Storage') busy.add(d);
          for (const t of op.tensors) gpuUsed.add(t);
        }
      }
    }
    for (const t of coherent) busy.add(t);
    for (const t of busy) inUse.add(t);
    for (const t of coherent) gpuUsed.add(t);
    // A destroyed buffer in a submission: WebGPU rejects the whole batch.
    for (const t of gpuUsed) if (this.tensor(t).bufferDestroyed) definite = 'ValidationError';
    // Thrown while encoding: before WebGPU's validation of the batch, after the pipelines compiled.
    if (refused) definite = 'StateError';
    if (broken) definite = 'ShaderCompileError';

    const gens = new Map<number, number>();
    for (const t of touched) gens.set(t, this.tensor(t).gen);
    const post = definite ? new Map() : this.simulate(batch, coherent);

    const flight: FlightM = {
      id: this.nextId++,
      seq: s.id,
      touched,
      busy,
      inUse,
      algos,
      gens,
      post,
      definite,
      mayFail: new Set(),
      poisoned: false,
      settled: false,
      unbusied: new Set(),
      hostOverride: new Set(),
    };
    for (const other of this.flights()) {
      if (other.seq === s.id) continue;
      if ([...touched].some((t) => other.touched.has(t))) {
        for (const f of [flight, other]) {
          f.poisoned = true;
          f.mayFail.add('StateError');
        }
      }
    }
    return flight;
  }

  /** The GPU and host effects of a batch that runs successfully. */
  private simulate(batch: readonly OpM[], coherent: ReadonlySet<number>): Map<number, { host?: Arr; device?: Arr }> {
    const dev = new Map<number, Val[]>();
    const hostOut = new Map<number, Arr>();
    const written = new Set<number>();
    const downloaded = new Set<number>();
    const device = (id: number): Val[] => {
      let d = dev.get(id);
      if (!d) {
        d = [...this.tensor(id).device];
        dev.set(id, d);
      }
      return d;
    };
    const preHost = (id: number): Arr => this.tensor(id).host!;
    const upload = (id: number): void => {
      dev.set(id, [...preHost(id)]);
      written.add(id);
    };
    const download = (id: number): void => {
      hostOut.set(id, [...device(id)]);
      downloaded.add(id);
    };

    for (const t of coherent) upload(t);
    for (const op of batch) {
      switch (op.kind) {
        case 'syncDevice':
          // A tensor read back earlier in this batch is not uploaded again (host-copy.ts).
          for (const t of op.tensors) if (this.tensor(t).mem === 'Device' && !downloaded.has(t)) upload(t);
          break;
        case 'syncLocal':
          for (const t of op.tensors) if (this.tensor(t).mem === 'Device') download(t);
          break;
        case 'copy': {
          const [src, ...dsts] = op.tensors as [number, ...number[]];
          for (const d of dsts) {
            dev.set(d, [...device(src)]);
            written.add(d);
            if (this.tensor(d).mem !== 'Storage') download(d);
          }
          break;
        }
        case 'dispatch':
        case 'mult':
          this.dispatch(this.algo(op.algo).config, op.kind === 'dispatch' ? op.push : null, device);
          written.add(this.algo(op.algo).config.tensors[2]!);
          break;
        case 'reduce': {
          // The kernel is generated for x's size at construction: after a rebuild it reads other bytes.
          const x = device(op.x);
          device(op.out)[0] = x.length === op.n ? reduceValues(this.tensor(op.x).dtype, op.op, x) : undefined;
          written.add(op.out);
          break;
        }
        case 'barrier':
          break;
      }
    }
    for (const t of coherent) download(t);

    const post = new Map<number, { host?: Arr; device?: Arr }>();
    for (const t of new Set([...written, ...downloaded])) {
      const entry: { host?: Arr; device?: Arr } = {};
      if (written.has(t)) entry.device = dev.get(t)!;
      if (downloaded.has(t)) entry.host = hostOut.get(t)!;
      post.set(t, entry);
    }
    return post;
  }

  /** One dispatch of the kernel family on the simulated device contents. */
  private dispatch(c: AlgoConfig, pushOverride: number | null, device: (id: number) => Val[]): void {
    const [ia, ib, iout] = c.tensors as [number, number, number];
    const a = device(ia);
    const b = device(ib);
    const out = device(iout);
    const n = Math.min(c.threads, out.length);
    // Push values come from the operation, else the algorithm; a shader without them ignores them.
    const bits = c.push === null ? null : (pushOverride ?? c.push);
    const k = bits === null ? undefined : fromBits(c.dtype, bits);
    for (let i = 0; i < n; i++) {
      if (c.kernel === 'mult') {
        // OpMult reads lhs and rhs without a bounds check: out of bounds is undefined behaviour.
        out[i] = i < a.length && i < b.length ? mul(c.dtype, a[i], b[i]) : undefined;
      } else {
        const x = i < a.length ? a[i] : 0;
        const y = i < b.length ? b[i] : 0;
        out[i] = c.kernel === 'axpb' ? axpb(c.dtype, x, k, y) : add(c.dtype, x, y);
      }
    }
  }

  /** Applies the flight's outcome, once the test has seen it. */
  resolve(f: FlightM, ok: boolean): void {
    const s = this.seq(f.seq);
    if (s.flight?.id === f.id) s.flight = null;
    if (ok && !f.poisoned) {
      for (const [id, change] of f.post) {
        const t = this.tensor(id);
        if (t.destroyed || t.gen !== f.gens.get(id)) continue;
        if (change.device) t.device = change.device;
        if (change.host && !f.hostOverride.has(id)) t.host = change.host;
      }
    } else if (f.poisoned) {
      this.poison(f);
    }
  }

  /** The touched tensors' contents become unknown (host data only where the flight moved it). */
  poison(f: FlightM): void {
    for (const id of f.touched) {
      const t = this.tensor(id);
      if (t.destroyed) continue;
      t.device = unknown(t.size);
      if (t.host && f.busy.has(id) && !f.hostOverride.has(id)) t.host = unknown(t.size);
    }
  }

  /**
   * The evaluation is abandoned without the test seeing its end (its sequence destroyed or
   * dropped while it ran; the test then waits for the GPU): whatever it touched is unknown.
   */
  abandon(f: FlightM): void {
    const s = this.seq(f.seq);
    if (s.flight?.id === f.id) s.flight = null;
    this.poison(f);
  }

  /** Can the flight end in success? */
  static canSucceed(f: FlightM): boolean {
    return f.definite === null;
  }

  /** The errors the flight may end with. */
  static failures(f: FlightM): ErrName[] {
    const out = new Set<ErrName>(f.mayFail);
    if (f.definite) out.add(f.definite);
    return [...out];
  }

  /**
   * Flights that may still hold tensor `id`'s host data (its current incarnation): data() and
   * setData() may throw StateError. With `anyUse`, every flight that uses the tensor at all
   * (rebuild() may refuse a tensor a running evaluation binds).
   */
  busyFlights(id: number, anyUse = false): FlightM[] {
    const gen = this.tensor(id).gen;
    return this.flights().filter((f) => (anyUse ? f.touched : f.inUse).has(id) && f.gens.get(id) === gen && !f.settled && !f.unbusied.has(id));
  }

  /** Flights that use tensor `id` and have not been seen to finish. */
  flightsTouching(id: number): FlightM[] {
    const gen = this.tensor(id).gen;
    return this.flights().filter((f) => f.touched.has(id) && f.gens.get(id) === gen);
  }

  flightsUsingAlgo(id: number): FlightM[] {
    return this.flights().filter((f) => f.algos.has(id));
  }

  /**
   * The host values data() may show for tensor `id`: its model host data, or what an evaluation in
   * flight brings back (it may have completed without the test seeing it yet).
   */
  hostCandidates(id: number): Arr[] {
    const t = this.tensor(id);
    let candidates: Arr[] = [t.host!];
    for (const f of this.flightsTouching(id)) {
      if (!f.busy.has(id) || f.hostOverride.has(id)) continue;
      if (f.poisoned) return [unknown(t.size)];
      const after = f.post.get(id)?.host;
      const next: Arr[] = [];
      if (Model.failures(f).length > 0 || !Model.canSucceed(f)) next.push(...candidates);
      if (Model.canSucceed(f)) next.push(after ?? t.host!);
      candidates = next;
    }
    return candidates;
  }
}

/** Values of `dtype` as a tensor stores them. */
export function stored(dtype: DT, values: readonly number[]): Arr {
  return values.map((v) => conv(dtype, v));
}

/** Compares observed values with the model's (undefined matches anything); a message or null. */
export function compareValues(actual: ArrayLike<number>, expected: Arr, what: string): string | null {
  if (actual.length !== expected.length) return `${what}: ${actual.length} values, model has ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (e === undefined) continue;
    const a = actual[i]!;
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const from = Math.max(0, i - 2);
    return `${what}[${i}]: got ${a}, model ${e} (got [${Array.from(actual)
      .slice(from, i + 3)
      .join(', ')}] from index ${from}, model [${expected.slice(from, i + 3).join(', ')}])`;
  }
  return null;
}

/** What OpReduce computes over `values` (undefined where an f32 sum could round differently in another order). */
export function reduceValues(dtype: DT, op: ReduceKind, values: readonly Val[]): Val {
  if (values.some((v) => v === undefined)) return undefined;
  const xs = values as readonly number[];
  if (op === 'max') return xs.reduce((a, b) => Math.max(a, b));
  if (op === 'min') return xs.reduce((a, b) => Math.min(a, b));
  if (dtype === 'f32') {
    // Integers whose absolute values add up below 2^24: every partial sum is exact, in any order.
    let abs = 0;
    for (const v of xs) {
      if (!Number.isInteger(v)) return undefined;
      abs += Math.abs(v);
    }
    return abs < 2 ** 24 ? Math.fround(xs.reduce((a, b) => a + b, 0)) : undefined;
  }
  let acc = 0;
  for (const v of xs) acc = dtype === 'i32' ? (acc + v) | 0 : (acc + v) >>> 0;
  return acc;
}
