import { OpAlgoDispatch, OpCopy, OpMemoryBarrier, OpMult, OpReduce, OpSyncDevice, OpSyncLocal, type Operation, type Tensor } from '../../src/index.js';
import { pushArray, toBits } from './kernels.js';
import { type ErrName, type OpM, type ReduceKind, unknown } from './model.js';
import { type Box, decide, fails, observe, type Real, succeeds } from './harness.js';
import { aname, kFor, pickAlgo, pickTensor, type TensorFilter, tname } from './common.js';

// ---- operations ----

export type OpKind = 'syncDevice' | 'syncLocal' | 'copy' | 'dispatch' | 'mult' | 'barrier' | 'reduce';

export interface OpSpec {
  kind: OpKind;
  picks: [number, number, number, number];
  n: number;
  compat: boolean;
  algo: number;
  push: 'none' | 'override' | 'wrongSize';
  k: number;
  empty: boolean;
}

/**
 * Builds one operation: resolves the spec against what the program holds, predicts what the
 * constructor throws (or, for OpMult, the algorithm it creates), constructs it and checks.
 * Returns the operation and its model, or null when the constructor threw (as predicted).
 */
export async function buildOp(box: Box, real: Real, spec: OpSpec, preferAlive: boolean): Promise<{ op: Operation; opM: OpM; text: string } | { text: string }> {
  const m = box.m;
  let kind = spec.kind;
  if (kind === 'dispatch' && pickAlgo(m, spec.algo, preferAlive) === undefined) kind = 'syncLocal';
  const tensor = (id: number): Tensor => real.tensors.get(id)!;
  const sameManager = (ids: readonly number[]): boolean => ids.every((id) => m.tensor(id).mgr === m.tensor(ids[0]!).mgr);

  if (kind === 'dispatch') {
    const id = pickAlgo(m, spec.algo, preferAlive)!;
    const config = m.algo(id).config;
    const k = kFor(config.dtype, spec.k);
    const push = spec.push === 'none' ? undefined : pushArray(config.dtype, spec.push === 'override' ? [k] : [k, k]);
    const text = `OpAlgoDispatch(${aname(id)}${push ? `, ${spec.push === 'override' ? `push ${k}` : 'push of 8 bytes'}` : ''})`;
    const hyp = push && (spec.push === 'wrongSize' || config.push === null) ? fails('SizeError', m) : succeeds(m);
    const algorithm = real.algos.get(id)!;
    const obs = await observe(text, () => new OpAlgoDispatch(algorithm, push));
    decide(box, `new ${text}`, obs, [hyp]);
    if (!obs.ok) return { text };
    return { op: obs.value as Operation, opM: { kind: 'dispatch', algo: id, push: push ? toBits(config.dtype, k) : null }, text };
  }

  if (kind === 'mult') {
    const l = pickTensor(m, spec.picks[0], preferAlive)!;
    const lt = m.tensor(l);
    const like: TensorFilter | undefined = spec.compat ? (t) => t.dtype === lt.dtype && t.size === lt.size : undefined;
    const r = pickTensor(m, spec.picks[1], preferAlive, like)!;
    const o = pickTensor(m, spec.picks[2], preferAlive, like ? (t) => like(t) && t.id !== l && t.id !== r : undefined)!;
    const ids = spec.empty ? [l, r] : [l, r, o];
    const text = `OpMult([${ids.map(tname).join(', ')}])`;
    let error: ErrName | null = null;
    if (ids.length !== 3) error = 'SizeError';
    else if (!sameManager(ids)) error = 'ArgumentError';
    for (const id of ids.slice(1)) {
      if (error) break;
      if (m.tensor(id).dtype !== lt.dtype) error = 'DTypeError';
      else if (m.tensor(id).size !== lt.size) error = 'SizeError';
    }
    // Then its algorithm is created: destroyed tensors, then out bound again as lhs or rhs.
    if (!error && ids.some((id) => !m.tensorAlive(id))) error = 'DestroyedError';
    if (!error && (o === l || o === r)) error = 'AlgorithmBindingError';
    const next = m.clone();
    const algoId = next.nextId++;
    if (!error) {
      next.algos.set(algoId, {
        id: algoId,
        mgr: next.mgr,
        config: { kernel: 'mult', dtype: lt.dtype, broken: false, tensors: ids, threads: Math.ceil(lt.size / 256) * 256, push: null },
        destroyed: false,
        held: false,
        internal: true,
      });
    }
    const tensors = ids.map(tensor);
    const obs = await observe(text, () => new OpMult(tensors));
    decide(box, `new ${text}`, obs, [error ? fails(error, m) : succeeds(next)]);
    if (!obs.ok) return { text };
    const op = obs.value as OpMult;
    real.refs.set(algoId, new WeakRef(op.algorithm));
    return { op, opM: { kind: 'mult', algo: algoId }, text: `${text} (its algorithm ${aname(algoId)})` };
  }

  if (kind === 'reduce') return buildReduce(box, real, spec, preferAlive);

  let ids: number[];
  if (kind === 'copy') {
    const src = pickTensor(m, spec.picks[0], preferAlive)!;
    const st = m.tensor(src);
    const like: TensorFilter | undefined = spec.compat ? (t) => t.dtype === st.dtype && t.size === st.size && t.id !== src : undefined;
    ids = [src];
    if (!spec.empty) for (let i = 0; i <= spec.n % 2; i++) ids.push(pickTensor(m, spec.picks[i + 1]!, preferAlive, like)!);
  } else {
    ids = spec.empty ? [] : spec.picks.slice(0, 1 + (spec.n % 3)).map((p) => pickTensor(m, p, preferAlive)!);
  }
  const Ctor = { syncDevice: OpSyncDevice, syncLocal: OpSyncLocal, copy: OpCopy, barrier: OpMemoryBarrier }[kind as 'syncDevice'];
  const text = `${Ctor.name}([${ids.map(tname).join(', ')}])`;
  const min = kind === 'copy' ? 2 : 1;
  const hyp = ids.length < min || !sameManager(ids) ? fails('ArgumentError', m) : succeeds(m);
  const tensors = ids.map(tensor);
  const obs = await observe(text, () => new Ctor(tensors));
  decide(box, `new ${text}`, obs, [hyp]);
  if (!obs.ok) return { text };
  return { op: obs.value as Operation, opM: { kind, tensors: ids } as OpM, text };
}

/** Workgroups of the first pass of a whole-tensor OpReduce (src/kernels/op-reduce.ts): 256 threads, 16 elements (or vec4s) each. */
function reduceGroups(size: number): number {
  const count = size % 4 === 0 ? size / 4 : size;
  return Math.max(1, Math.min(2048, Math.ceil(count / (256 * 16))));
}

/**
 * OpReduce(x, out, { op }), a built-in kernel: one algorithm; over 4096 elements (or vec4s) it also
 * binds a u32 scratch tensor through which its workgroups pass their totals (two words each, and a
 * count), all made through the manager and owned by it (counted in mgr.memory(), reachable only
 * through the operation).
 */
async function buildReduce(box: Box, real: Real, spec: OpSpec, preferAlive: boolean): Promise<{ op: Operation; opM: OpM; text: string } | { text: string }> {
  const m = box.m;
  const x = pickTensor(m, spec.picks[0], preferAlive)!;
  const xt = m.tensor(x);
  const out = pickTensor(m, spec.picks[1], preferAlive, spec.compat ? (t) => t.dtype === xt.dtype && t.size === 1 && t.id !== x : undefined)!;
  const ot = m.tensor(out);
  const reduce: ReduceKind = (['sum', 'max', 'min'] as const)[spec.k % 3]!;
  const text = `OpReduce(${tname(x)}, ${tname(out)}, ${reduce})`;
  let error: ErrName | null = null;
  if (!m.tensorAlive(x) || !m.tensorAlive(out)) error = 'DestroyedError';
  else if (ot.dtype !== xt.dtype) error = 'DTypeError';
  else if (ot.size !== 1) error = 'SizeError';
  else if (out === x) error = 'AlgorithmBindingError';
  const next = m.clone();
  const groups = reduceGroups(xt.size);
  let scratch: number | null = null;
  const algos: number[] = [];
  if (!error) {
    const newAlgo = (tensors: number[]): void => {
      const id = next.nextId++;
      next.algos.set(id, { id, mgr: next.mgr, config: { kernel: 'reduce', dtype: xt.dtype, broken: false, tensors, threads: 0, push: null }, destroyed: false, held: false, internal: true });
      algos.push(id);
    };
    if (groups === 1) newAlgo([x, out]);
    else {
      scratch = next.nextId++;
      next.tensors.set(scratch, {
        id: scratch,
        mgr: next.mgr,
        dtype: 'u32',
        mem: 'Storage',
        size: 2 * groups + 1,
        host: null,
        device: unknown(2 * groups + 1),
        destroyed: false,
        held: false,
        gen: 0,
        external: false,
        bufferDestroyed: false,
        copyable: true,
      });
      newAlgo([x, out, scratch]);
    }
  }
  const tensors = [x, out].map((id) => real.tensors.get(id)!);
  const obs = await observe(text, () => new OpReduce(tensors[0]!, tensors[1]!, { op: reduce }));
  decide(box, `new ${text}`, obs, [error ? fails(error, m) : succeeds(next)]);
  if (!obs.ok) return { text };
  const op = obs.value as OpReduce;
  op.algorithms.forEach((a, i) => real.refs.set(algos[i]!, new WeakRef(a)));
  if (scratch !== null) real.refs.set(scratch, new WeakRef(op.scratch[0]!));
  return {
    op,
    opM: { kind: 'reduce', algos, x, out, scratch, n: xt.size, op: reduce },
    text: `${text} (its algorithm${algos.length > 1 ? 's' : ''} ${algos.map(aname).join(', ')}${scratch === null ? '' : `, scratch ${tname(scratch)}`})`,
  };
}
