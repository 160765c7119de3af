import { type Algorithm, type AlgorithmOptions } from '../../src/index.js';
import { type DT, DTS, kernelSource, pushArray, toBits } from './kernels.js';
import { type AlgoConfig, type ErrName, Model } from './model.js';
import { type Box, decide, fails, type Hyp, observe, type Real, succeeds } from './harness.js';
import { aname, hasHeld, heldOf, kFor, pickAlgo, pickTensor, show, Step, type TensorFilter, tname } from './common.js';
import { type PickP } from './tensors.js';

// ---- algorithms ----

export interface AlgoSpec {
  kernel: 'axpb' | 'add';
  matchDtype: boolean;
  dtype: number;
  picks: [number, number, number];
  alias: boolean;
  two: boolean;
  workgroup: 'default' | 'explicit' | 'zero' | 'fraction' | 'huge';
  wg: number;
  k: number;
  push: 'typed' | 'numbers' | 'missing' | 'extra' | 'long';
  broken: boolean;
}

interface ResolvedAlgo {
  readonly ids: number[];
  readonly wgsl: string;
  readonly options: AlgorithmOptions;
  readonly outcome: ErrName | AlgoConfig;
  readonly text: string;
}

/** Works out the tensors, WGSL and options of an algorithm spec, and what #configure() makes of them. */
function resolveAlgo(m: Model, spec: AlgoSpec, preferAlive: boolean): ResolvedAlgo {
  // Prefer the dtype most live tensors have, so that `out` can be a tensor of its own.
  const counts = new Map<DT, number>();
  for (const t of heldOf(m.tensors)) if (m.tensorAlive(t.id)) counts.set(t.dtype, (counts.get(t.dtype) ?? 0) + 1);
  const most = Math.max(0, ...counts.values());
  const first = pickTensor(m, spec.picks[0], preferAlive, (t) => (counts.get(t.dtype) ?? 0) === most);
  const dtype: DT = spec.matchDtype && first !== undefined ? m.tensor(first).dtype : DTS[spec.dtype % 3]!;
  const same: TensorFilter | undefined = spec.matchDtype ? (t) => t.dtype === dtype : undefined;
  const a = pickTensor(m, spec.picks[0], preferAlive, same)!;
  const b = pickTensor(m, spec.picks[1], preferAlive, same)!;
  const out = pickTensor(m, spec.picks[2], preferAlive, (t) => (!same || same(t)) && (spec.alias || (t.id !== a && t.id !== b)))!;
  const ids = spec.two ? [a, b] : [a, b, out];
  const k = kFor(dtype, spec.k);
  const options: { workgroup?: number[]; pushConstants?: number[] | Float32Array | Int32Array | Uint32Array } = {};
  let pushBits: number | null = null;
  const size0 = m.tensor(a).size;
  let threads = size0;
  let outcome: ErrName | AlgoConfig | null = null;

  for (const id of ids) if (!outcome && !m.tensorAlive(id)) outcome = 'DestroyedError';
  switch (spec.workgroup) {
    case 'explicit':
      threads = 1 + (spec.wg % (size0 + 3));
      options.workgroup = spec.wg % 2 ? [threads] : [threads, 1, 1];
      break;
    case 'zero':
      options.workgroup = [0];
      outcome ??= 'ArgumentError';
      break;
    case 'fraction':
      options.workgroup = [1.5];
      outcome ??= 'ArgumentError';
      break;
    case 'huge':
      options.workgroup = [70000];
      outcome ??= 'SizeError';
      break;
    case 'default':
      break;
  }
  const wantsPush = spec.kernel === 'axpb' ? spec.push !== 'missing' : spec.push === 'extra' || spec.push === 'long';
  if (wantsPush) {
    if (spec.push === 'long') {
      options.pushConstants = new Array<number>(65).fill(1);
      outcome ??= 'SizeError';
    } else if (spec.push === 'numbers') {
      // Numbers take the struct's member type (README, push constants).
      options.pushConstants = [k];
      pushBits = toBits(spec.kernel === 'axpb' ? dtype : 'f32', k);
    } else {
      options.pushConstants = pushArray(dtype, [k]);
      pushBits = toBits(dtype, k);
    }
  }
  // One tensor bound twice where one binding is writable (out): refused at creation.
  if (!outcome && !spec.two && (out === a || out === b)) outcome = 'AlgorithmBindingError';
  // #checkBindings: a, b, out in order (missing tensor, element type), then the push uniform.
  for (let i = 0; i < 3 && !outcome; i++) {
    const id = ids[i];
    if (id === undefined || m.tensor(id).dtype !== dtype) outcome = 'AlgorithmBindingError';
  }
  if (!outcome && spec.kernel === 'axpb' && pushBits === null) outcome = 'AlgorithmBindingError';
  if (!outcome && spec.kernel === 'add' && wantsPush) outcome = 'AlgorithmBindingError';
  outcome ??= { kernel: spec.kernel, dtype, broken: spec.broken, tensors: ids, threads, push: spec.kernel === 'axpb' ? pushBits : null };
  const text = `${spec.broken ? 'broken ' : ''}${spec.kernel}<${dtype}>([${ids.map(tname).join(', ')}]${
    options.workgroup ? `, workgroup [${options.workgroup.join(', ')}]` : ''
  }${options.pushConstants ? `, push ${spec.push === 'long' ? '65 values' : `${spec.push} ${k}`}` : ''})`;
  return { ids, wgsl: kernelSource(spec.kernel, dtype, spec.broken), options: options as AlgorithmOptions, outcome, text };
}

export class CreateAlgorithm extends Step {
  constructor(readonly p: { spec: AlgoSpec; alive: boolean }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.tensors);
  }

  toString(): string {
    return `CreateAlgorithm(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const m = box.m;
    const r = resolveAlgo(m, this.p.spec, this.p.alive);
    const next = m.clone();
    const id = next.nextId++;
    const what = `${aname(id)} = algorithm(${r.text})`;
    let hyp: Hyp;
    if (typeof r.outcome === 'string') hyp = fails(r.outcome, m);
    else {
      next.algos.set(id, { id, mgr: next.mgr, config: r.outcome, destroyed: false, held: true, internal: false });
      hyp = succeeds(next);
    }
    const tensors = r.ids.map((t) => real.tensors.get(t)!);
    const obs = await observe(what, () => real.mgr.algorithm(tensors, r.wgsl, r.options));
    decide(box, what, obs, [hyp]);
    if (obs.ok) {
      real.algos.set(id, obs.value as Algorithm);
      real.refs.set(id, new WeakRef(obs.value as Algorithm));
    }
    return what;
  }
}

/** A change to an algorithm a running evaluation dispatches may be refused with StateError. */
function runningRefusal(m: Model, id: number): Hyp[] {
  if (!m.algoAlive(id) || !m.flightsUsingAlgo(id).some((f) => !f.settled)) return [];
  return [fails('StateError', m, 'StateError (a running evaluation uses it)')];
}

/** Flights still running with algorithm `id` may run its old or its new configuration. */
function disturbAlgo(next: Model, id: number, config: AlgoConfig | null): void {
  for (const f of next.flightsUsingAlgo(id)) {
    if (f.settled) continue;
    f.poisoned = true;
    // A library may also refuse to run an algorithm changed after evalAsync().
    f.mayFail.add('StateError');
    if (!config) continue;
    // It may run the old configuration or the new one, and fail as either would.
    if (f.definite) f.mayFail.add(f.definite);
    f.definite = null;
    if (config.broken) f.mayFail.add('ShaderCompileError');
    const [a, b, out] = config.tensors;
    if (out === a || out === b) f.mayFail.add('ValidationError');
    for (const t of config.tensors) {
      if (!f.touched.has(t)) f.gens.set(t, next.tensor(t).gen);
      f.touched.add(t);
      const mem = next.tensor(t).mem;
      if (mem === 'Host' || mem === 'DeviceAndHost') {
        f.busy.add(t);
        f.inUse.add(t);
      }
    }
  }
}

export class RebuildAlgorithm extends Step {
  constructor(readonly p: { pick: number; spec: AlgoSpec; alive: boolean }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.algos) && hasHeld(box.m.tensors);
  }

  toString(): string {
    return `RebuildAlgorithm(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const m = box.m;
    const id = pickAlgo(m, this.p.pick, this.p.alive)!;
    const r = resolveAlgo(m, this.p.spec, this.p.alive);
    const what = `${aname(id)}.rebuild(${r.text})`;
    let hyp: Hyp;
    if (!m.algoAlive(id)) hyp = fails('DestroyedError', m);
    else if (typeof r.outcome === 'string') hyp = fails(r.outcome, m);
    else {
      const next = m.clone();
      next.algo(id).config = r.outcome;
      disturbAlgo(next, id, r.outcome);
      hyp = succeeds(next);
    }
    const algorithm = real.algos.get(id)!;
    const tensors = r.ids.map((t) => real.tensors.get(t)!);
    decide(box, what, await observe(what, () => algorithm.rebuild(tensors, r.wgsl, r.options)), [...runningRefusal(m, id), hyp]);
    return what;
  }
}

export class SetPushConstants extends Step {
  constructor(readonly p: { pick: number; alive: boolean; k: number; variant: 'typed' | 'numbers' | 'two' | 'long' | 'notNumbers' }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.algos);
  }

  toString(): string {
    return `SetPushConstants(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const p = this.p;
    const m = box.m;
    const id = pickAlgo(m, p.pick, p.alive)!;
    const config = m.algo(id).config;
    const k = kFor(config.dtype, p.k);
    const values: Record<typeof p.variant, [unknown, number]> = {
      typed: [pushArray(config.dtype, [k]), toBits(config.dtype, k)],
      numbers: [[k], toBits(config.dtype, k)],
      two: [pushArray(config.dtype, [k, k]), 0],
      long: [new Array<number>(65).fill(1), 0],
      notNumbers: [['x'], 0],
    };
    const [arg, bits] = values[p.variant];
    const what = `${aname(id)}.setPushConstants(${p.variant} ${k})`;
    let hyp: Hyp;
    if (!m.algoAlive(id)) hyp = fails('DestroyedError', m);
    else if (p.variant === 'notNumbers') hyp = fails('DTypeError', m);
    else if (p.variant === 'long' || p.variant === 'two' || config.push === null) hyp = fails('SizeError', m);
    else {
      const next = m.clone();
      next.algo(id).config = { ...config, push: bits };
      disturbAlgo(next, id, null);
      hyp = succeeds(next);
    }
    const algorithm = real.algos.get(id)!;
    decide(box, what, await observe(what, () => algorithm.setPushConstants(arg as never)), [...runningRefusal(m, id), hyp]);
    return what;
  }
}

export class DestroyAlgorithm extends Step {
  constructor(readonly p: PickP) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.algos);
  }

  toString(): string {
    return `DestroyAlgorithm(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const id = pickAlgo(box.m, this.p.pick, this.p.alive)!;
    const what = `${aname(id)}.destroy()`;
    const next = box.m.clone();
    if (next.algoAlive(id)) for (const f of next.flightsUsingAlgo(id)) if (!f.settled) f.mayFail.add('DestroyedError');
    next.algo(id).destroyed = true;
    const algorithm = real.algos.get(id)!;
    decide(box, what, await observe(what, () => algorithm.destroy()), [succeeds(next)]);
    return what;
  }
}

export class AlgorithmCompiled extends Step {
  constructor(readonly p: PickP) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.algos);
  }

  toString(): string {
    return `AlgorithmCompiled(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const m = box.m;
    const id = pickAlgo(m, this.p.pick, this.p.alive)!;
    const what = `await ${aname(id)}.compiled()`;
    const hyp = !m.algoAlive(id) ? fails('DestroyedError', m) : m.algo(id).config.broken ? fails('ShaderCompileError', m) : succeeds(m);
    const algorithm = real.algos.get(id)!;
    decide(box, what, await observe(what, () => algorithm.compiled()), [hyp]);
    return what;
  }
}
