import { type DType, type MemoryType, type Tensor } from '../../src/index.js';
import { Usage } from '../helpers.js';
import { DTS, valuesFor } from './kernels.js';
import { compareValues, type ErrName, MEMS, zeros } from './model.js';
import { type Box, count, decide, fails, type Hyp, observe, type Real, succeeds } from './harness.js';
import { hasHeld, heldOf, OTHER, pickTensor, show, sizeFor, Step, tname, TYPED } from './common.js';

// ---- tensors ----

export type BadCreate = 'zero' | 'negative' | 'fraction' | 'nan' | 'f64' | 'unknownDtype' | 'unknownType' | 'float64Data' | 'int8Data' | 'dtypeMismatch' | 'emptyData' | 'huge';

export interface CreateTensorP {
  dtype: number;
  mem: number;
  sizeClass: number;
  seed: number;
  form: 'length' | 'typed' | 'numbers';
  bad: BadCreate | null;
}

/** The largest tensor the device allows, in 4-byte elements, plus one. */
function overLimit(real: Real): number {
  const limits = real.mgr.device.limits;
  return Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / 4) + 1;
}

export class CreateTensor extends Step {
  constructor(readonly p: CreateTensorP) {
    super();
  }

  toString(): string {
    return `CreateTensor(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const p = this.p;
    const m = box.m;
    const dtype = DTS[p.dtype % 3]!;
    const mem = MEMS[p.mem % 4]!;
    const mgr = real.mgr;
    if (p.bad) {
      const options = { type: mem as MemoryType };
      const bad: Record<BadCreate, [() => unknown, ErrName]> = {
        zero: [() => mgr.tensor(0, dtype, options), 'ArgumentError'],
        negative: [() => mgr.tensor(-3, dtype, options), 'ArgumentError'],
        fraction: [() => mgr.tensor(2.5, dtype, options), 'ArgumentError'],
        nan: [() => mgr.tensor(Number.NaN, dtype, options), 'ArgumentError'],
        f64: [() => mgr.tensor(4, 'f64' as DType, options), 'DTypeError'],
        unknownDtype: [() => mgr.tensor(4, 'float' as DType, options), 'DTypeError'],
        unknownType: [() => mgr.tensor(4, dtype, { type: 'GPU' as MemoryType }), 'ArgumentError'],
        float64Data: [() => mgr.tensor(new Float64Array(3) as unknown as Float32Array, options), 'DTypeError'],
        int8Data: [() => mgr.tensor(new Int8Array(3) as unknown as Int32Array, options), 'DTypeError'],
        dtypeMismatch: [() => mgr.tensor(new Float32Array(3), { ...options, dtype: 'i32' }), 'DTypeError'],
        emptyData: [() => mgr.tensor([], options), 'ArgumentError'],
        huge: [() => mgr.tensor(overLimit(real), 'f32', options), 'SizeError'],
      };
      const [call, error] = bad[p.bad];
      const what = `tensor(bad: ${p.bad}, ${dtype}, ${mem})`;
      decide(box, what, await observe(what, call), [fails(error, m)]);
      return what;
    }
    const size = sizeFor(p.sizeClass, p.seed);
    const values = p.form === 'length' ? null : valuesFor(dtype, size, p.seed);
    const next = m.clone();
    const id = next.nextId++;
    next.tensors.set(id, {
      id,
      mgr: next.mgr,
      dtype,
      mem,
      size,
      host: mem === 'Storage' ? null : (values ?? zeros(size)),
      // Only Storage tensors upload their initial data; the others wait for a sync (README).
      device: mem === 'Storage' ? (values ?? zeros(size)) : zeros(size),
      destroyed: false,
      held: true,
      gen: 0,
      external: false,
      bufferDestroyed: false,
      copyable: true,
    });
    const what = `${tname(id)} = tensor(${p.form === 'length' ? size : `${p.form} x${size}`}, ${dtype}, ${mem})`;
    const options = { type: mem as MemoryType };
    const obs = await observe(what, () =>
      p.form === 'length' ? mgr.tensor(size, dtype, options) : p.form === 'typed' ? mgr.tensor(TYPED[dtype].from(values!), options) : mgr.tensor(values!, { ...options, dtype }),
    );
    decide(box, what, obs, [succeeds(next)]);
    const t = (obs as { value: unknown }).value as Tensor;
    real.tensors.set(id, t);
    real.refs.set(id, new WeakRef(t));
    return what;
  }
}

export interface SetDataP {
  pick: number;
  alive: boolean;
  variant: 'numbers' | 'typed' | 'short' | 'long' | 'wrongType';
  seed: number;
}

export class SetData extends Step {
  constructor(readonly p: SetDataP) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.tensors);
  }

  toString(): string {
    return `SetData(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const p = this.p;
    const m = box.m;
    const id = pickTensor(m, p.pick, p.alive)!;
    const t = m.tensor(id);
    const len = p.variant === 'short' ? (t.size > 1 ? t.size - 1 : 2) : p.variant === 'long' ? t.size + 1 : t.size;
    const dtype = p.variant === 'wrongType' ? OTHER[t.dtype] : t.dtype;
    const values = valuesFor(dtype, len, p.seed);
    const arg = p.variant === 'typed' || p.variant === 'wrongType' ? TYPED[dtype].from(values) : values;
    const what = `${tname(id)}.setData(${p.variant} x${len})`;
    const hyps: Hyp[] = [];
    if (!m.tensorAlive(id)) hyps.push(fails('DestroyedError', m));
    else if (t.mem === 'Storage') hyps.push(fails('StateError', m));
    else if (p.variant === 'wrongType') hyps.push(fails('DTypeError', m));
    else if (len !== t.size) hyps.push(fails('SizeError', m));
    else {
      if (m.busyFlights(id).length > 0) hyps.push(fails('StateError', m, 'StateError (an evaluation transfers it)'));
      const next = m.clone();
      for (const f of next.flightsTouching(id)) {
        if (!f.inUse.has(id)) continue;
        f.unbusied.add(id);
        if (f.busy.has(id)) f.hostOverride.add(id);
      }
      next.tensor(id).host = values;
      hyps.push(succeeds(next));
    }
    const tensor = real.tensors.get(id)!;
    decide(box, what, await observe(what, () => tensor.setData(arg as never)), hyps);
    return what;
  }
}

export interface ReadDataP {
  pick: number;
  alive: boolean;
}

export class ReadData extends Step {
  constructor(readonly p: ReadDataP) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.tensors);
  }

  toString(): string {
    return `ReadData(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const m = box.m;
    const id = pickTensor(m, this.p.pick, this.p.alive)!;
    const t = m.tensor(id);
    const what = `${tname(id)}.data()`;
    const hyps: Hyp[] = [];
    if (!m.tensorAlive(id)) hyps.push(fails('DestroyedError', m));
    else if (t.mem === 'Storage') hyps.push(fails('StateError', m));
    else {
      if (m.busyFlights(id).length > 0) hyps.push(fails('StateError', m, 'StateError (an evaluation transfers it)'));
      const candidates = m.hostCandidates(id);
      const next = m.clone();
      for (const f of next.flightsTouching(id)) if (f.inUse.has(id)) f.unbusied.add(id);
      hyps.push(
        succeeds(next, candidates.length > 1 ? `one of ${candidates.length} possible contents` : 'the model host data', (value) => {
          if (!(value instanceof TYPED[t.dtype])) return `data() returned ${Object.prototype.toString.call(value)}, not a ${TYPED[t.dtype].name}`;
          const problems = candidates.map((c) => compareValues(value, c, what));
          if (!problems.includes(null)) return problems.join('; ');
          const known = candidates.length === 1 ? candidates[0]!.filter((v) => v !== undefined).length : 0;
          count('data() elements checked against a single prediction', known);
          count('data() elements unpredictable or ambiguous', t.size - known);
          return null;
        }),
      );
    }
    const tensor = real.tensors.get(id)!;
    decide(box, what, await observe(what, () => tensor.data()), hyps);
    return what;
  }
}

export interface RebuildTensorP {
  pick: number;
  alive: boolean;
  form: 'length' | 'numbers' | 'typed';
  sizeClass: number;
  seed: number;
  bad: null | 'zero' | 'wrongType' | 'huge';
}

export class RebuildTensor extends Step {
  constructor(readonly p: RebuildTensorP) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.tensors);
  }

  toString(): string {
    return `RebuildTensor(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const p = this.p;
    const m = box.m;
    const id = pickTensor(m, p.pick, p.alive)!;
    const t = m.tensor(id);
    const size = sizeFor(p.sizeClass, p.seed);
    const values = p.form === 'length' ? null : valuesFor(t.dtype, size, p.seed);
    let arg: number | number[] | Float32Array | Int32Array | Uint32Array = p.form === 'length' ? size : p.form === 'typed' ? TYPED[t.dtype].from(values!) : values!;
    let badError: ErrName | null = null;
    if (p.bad === 'zero') [arg, badError] = [0, 'ArgumentError'];
    if (p.bad === 'wrongType') [arg, badError] = [TYPED[OTHER[t.dtype]].from([1, 2]), 'DTypeError'];
    if (p.bad === 'huge') [arg, badError] = [overLimit(real), 'SizeError'];
    const what = `${tname(id)}.rebuild(${p.bad ? `bad: ${p.bad}` : p.form === 'length' ? size : `${p.form} x${size}`})`;
    const hyps: Hyp[] = [];
    if (!m.tensorAlive(id)) hyps.push(fails('DestroyedError', m));
    else if (t.external) hyps.push(fails('StateError', m, 'StateError (wraps an external buffer)'));
    else {
      if (m.busyFlights(id, true).length > 0) hyps.push(fails('StateError', m, 'StateError (a running evaluation uses it)'));
      if (badError) hyps.push(fails(badError, m));
      else {
        const next = m.clone();
        const nt = next.tensor(id);
        const gen = nt.gen + 1;
        for (const f of next.flightsTouching(id)) {
          if (f.settled) continue;
          // Still running, maybe not even encoded yet (architecture.md, step 2): it may use the
          // old buffer or the new one, and transfer the new host copy.
          f.poisoned = true;
          f.mayFail.add('SizeError');
          f.gens.set(id, gen);
          f.unbusied.delete(id);
          f.hostOverride.delete(id);
        }
        nt.size = size;
        nt.gen = gen;
        nt.host = nt.mem === 'Storage' ? null : (values ?? zeros(size));
        nt.device = nt.mem === 'Storage' ? (values ?? zeros(size)) : zeros(size);
        hyps.push(succeeds(next));
      }
    }
    const tensor = real.tensors.get(id)!;
    decide(box, what, await observe(what, () => tensor.rebuild(arg as never)), hyps);
    return what;
  }
}

export interface ExternalTensorP {
  dtype: number;
  mem: number;
  sizeClass: number;
  seed: number;
  bad: null | 'small' | 'usage';
}

/** mgr.tensorFromBuffer() over a GPU buffer the test creates (and owns: rule 1). */
export class CreateExternalTensor extends Step {
  constructor(readonly p: ExternalTensorP) {
    super();
  }

  toString(): string {
    return `CreateExternalTensor(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const p = this.p;
    const m = box.m;
    const dtype = DTS[p.dtype % 3]!;
    const mem = MEMS[p.mem % 4]!;
    const size = sizeFor(p.sizeClass, p.seed);
    // A Storage wrap needs only STORAGE usage; the others need the copies too.
    const usage = p.bad === 'usage' ? Usage.STORAGE : Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST;
    const buffer = real.mgr.device.createBuffer({ label: 'test-owned', size: p.bad === 'small' ? 4 * size - 4 || 4 : 4 * size + 4 * (p.seed % 3), usage });
    real.buffers.push(buffer);
    const next = m.clone();
    const id = next.nextId++;
    let hyp: Hyp;
    if (p.bad === 'small' && size > 1) hyp = fails('SizeError', m);
    else if (p.bad === 'usage' && mem !== 'Storage') hyp = fails('ArgumentError', m);
    else {
      next.tensors.set(id, {
        id,
        mgr: next.mgr,
        dtype,
        mem,
        size,
        host: mem === 'Storage' ? null : zeros(size),
        device: zeros(size),
        destroyed: false,
        held: true,
        gen: 0,
        external: true,
        bufferDestroyed: false,
        copyable: p.bad !== 'usage',
      });
      hyp = succeeds(next);
    }
    const what = `${tname(id)} = tensorFromBuffer(${p.bad ? `bad: ${p.bad}, ` : ''}${dtype} x${size}, ${mem})`;
    const obs = await observe(what, () => real.mgr.tensorFromBuffer(buffer, dtype, size, { type: mem as MemoryType }));
    decide(box, what, obs, [hyp]);
    if (obs.ok) {
      const t = obs.value as Tensor;
      real.tensors.set(id, t);
      real.refs.set(id, new WeakRef(t));
      real.external.set(id, buffer);
    }
    return what;
  }
}

/** The test destroys the GPU buffer it handed to tensorFromBuffer(), behind the library's back. */
export class DestroyExternalBuffer extends Step {
  constructor(readonly p: { pick: number }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return heldOf(box.m.tensors).some((t) => t.external);
  }

  toString(): string {
    return `DestroyExternalBuffer(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const id = pickTensor(box.m, this.p.pick, false, (t) => box.m.tensor(t.id).external)!;
    const next = box.m.clone();
    const t = next.tensor(id);
    const what = `${tname(id)}'s buffer.destroy() (by its owner)`;
    if (!t.external) return `${what}: not external, skipped`;
    t.bufferDestroyed = true;
    for (const f of next.flightsTouching(id)) if (!f.settled) f.mayFail.add('ValidationError');
    box.m = next;
    real.external.get(id)?.destroy();
    return what;
  }
}

export interface PickP {
  pick: number;
  alive: boolean;
}

export class DestroyTensor extends Step {
  constructor(readonly p: PickP) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.tensors);
  }

  toString(): string {
    return `DestroyTensor(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const id = pickTensor(box.m, this.p.pick, this.p.alive)!;
    const what = `${tname(id)}.destroy()`;
    const next = box.m.clone();
    if (next.tensorAlive(id)) {
      for (const f of next.flightsTouching(id)) if (!f.settled) f.mayFail.add('DestroyedError');
    }
    next.tensor(id).destroyed = true;
    const tensor = real.tensors.get(id)!;
    decide(box, what, await observe(what, () => tensor.destroy()), [succeeds(next)]);
    return what;
  }
}
