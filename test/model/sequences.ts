import { type Operation, type Sequence } from '../../src/index.js';
import { Model, type OpM } from './model.js';
import { type Box, decide, fails, type Hyp, observe, quiesce, type Real, REPORTED_LATE, settleBeforeEval, succeeds } from './harness.js';
import { hasHeld, pickSeq, seqAlive, show, sname, Step } from './common.js';
import { type OpSpec, buildOp } from './operations.js';
import { type PickP } from './tensors.js';

// ---- sequences ----

export class CreateSequence extends Step {
  toString(): string {
    return 'CreateSequence()';
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const next = box.m.clone();
    const id = next.nextId++;
    next.seqs.set(id, { id, mgr: next.mgr, ops: [], batchStart: 0, evaluated: false, destroyed: false, held: true, flight: null });
    const what = `${sname(id)} = sequence()`;
    const obs = await observe(what, () => real.mgr.sequence());
    decide(box, what, obs, [succeeds(next)]);
    const sequence = (obs as { value: unknown }).value as Sequence;
    real.seqs.set(id, sequence);
    real.refs.set(id, new WeakRef(sequence));
    return what;
  }
}

/** The same state, with the sequence's evaluation known to have completed (it passed an idle check). */
export function idle(m: Model, seqId: number): Model {
  const next = m.clone();
  const f = next.seq(seqId).flight;
  if (f) f.settled = true;
  return next;
}

const RUNNING = /while an evaluation is running/;

export class RecordOp extends Step {
  constructor(readonly p: { seq: number; alive: boolean; op: OpSpec }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.seqs) && hasHeld(box.m.tensors);
  }

  toString(): string {
    return `RecordOp(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const seqId = pickSeq(box.m, this.p.seq, this.p.alive)!;
    const built = await buildOp(box, real, this.p.op, this.p.alive);
    const what = `${sname(seqId)}.record(${built.text})`;
    if (!('op' in built)) return `new ${built.text} (threw)`;
    const m = box.m;
    const s = m.seq(seqId);
    const hyps: Hyp[] = [];
    if (!seqAlive(m, s)) hyps.push(fails('DestroyedError', m));
    else {
      if (s.flight && !s.flight.settled) hyps.push(fails('StateError', m, 'StateError (running)', RUNNING));
      const next = idle(m, seqId);
      const error = next.validateOp(built.opM);
      if (error) hyps.push(fails(error, next));
      else {
        const s2 = next.seq(seqId);
        if (s2.evaluated) {
          s2.batchStart = s2.ops.length;
          s2.evaluated = false;
        }
        s2.ops = [...s2.ops, built.opM];
        hyps.push(succeeds(next));
      }
    }
    const sequence = real.seqs.get(seqId)!;
    const op = built.op;
    decide(
      box,
      what,
      await observe(what, () => sequence.record(op)),
      hyps.map((h) => (h.error ? h : { ...h, check: (v: unknown) => (v === sequence ? null : 'record() did not return the sequence') })),
    );
    return what;
  }
}

/** The outcomes of eval()/evalAsync() (with `ops`: eval(...ops)) on sequence `seqId`. */
function predictEval(m: Model, seqId: number, ops: readonly OpM[] | null, wait: boolean): Hyp[] {
  const s = m.seq(seqId);
  if (!seqAlive(m, s)) return [fails('DestroyedError', m)];
  const hyps: Hyp[] = [];
  const proceed = (base: Model, label: string): void => {
    const s2 = base.seq(seqId);
    if (ops) {
      for (const op of ops) {
        const error = base.validateOp(op);
        if (error) {
          hyps.push(fails(error, base, `${label}${error} (checking the operations)`));
          return;
        }
      }
      s2.ops = ops;
      s2.batchStart = 0;
      s2.evaluated = false;
    }
    const batch = base.batch(s2);
    s2.evaluated = true;
    for (const op of batch) {
      const error = base.validateOp(op);
      if (error) {
        hyps.push(fails(error, base, `${label}${error} (validating the batch)`));
        return;
      }
    }
    const conflicts = base.flights().some((f) => [...f.touched].some((t) => batch.some((op) => base.opTensors(op).includes(t))));
    if (conflicts) {
      // Another evaluation still uses a tensor of this batch: refusing at once is fine too.
      const refused = base.clone();
      hyps.push(fails('StateError', refused, `${label}StateError (another evaluation uses its tensors)`, /another running evaluation|another evaluation/));
    }
    const flight = base.startFlight(s2, batch);
    s2.flight = flight;
    if (!wait) {
      hyps.push(succeeds(base, `${label}submitted`));
      return;
    }
    if (Model.canSucceed(flight)) {
      const ok = base.clone();
      ok.resolve(ok.seq(seqId).flight!, true);
      hyps.push(succeeds(ok, `${label}completes`));
    }
    for (const error of Model.failures(flight)) {
      const bad = base.clone();
      bad.resolve(bad.seq(seqId).flight!, false);
      hyps.push(fails(error, bad, `${label}the evaluation fails with ${error}`));
    }
  };
  const previous = s.flight;
  if (!previous) {
    proceed(m.clone(), '');
    return hyps;
  }
  if (!previous.settled) hyps.push(fails('StateError', m, 'StateError (still running)', RUNNING));
  for (const error of Model.failures(previous)) {
    const b = m.clone();
    b.resolve(b.seq(seqId).flight!, false);
    hyps.push(fails(error, b, `the previous evaluation's ${error}, reported now`, REPORTED_LATE));
  }
  if (Model.canSucceed(previous)) {
    const b = m.clone();
    b.resolve(b.seq(seqId).flight!, true);
    proceed(b, 'after the previous evaluation completed: ');
  }
  return hyps;
}

/**
 * Does the sequence show the state `next` has for it? Its batch (with `ops`: whether they were
 * recorded) and whether it records. Tells apart outcomes that end with the same error.
 */
function sequenceShows(sequence: Sequence, next: Model, seqId: number, given: { ops: readonly Operation[]; opMs: readonly OpM[] } | null): boolean {
  const s = next.seq(seqId);
  if (!sequence.isInit()) return true;
  const batch = sequence.getOperations();
  if (batch.length !== next.batch(s).length) return false;
  if (sequence.isRecording() !== (!s.evaluated && s.ops.length > s.batchStart)) return false;
  if (given) {
    const recorded = batch.length === given.ops.length && batch.every((op, i) => op === given.ops[i]);
    if (recorded !== (s.ops === given.opMs)) return false;
  }
  return true;
}

/** Algorithms the next evaluation of `seqId` dispatches (with `ops`, those of the ops). */
function algosOf(m: Model, ops: readonly OpM[] | null, seqId: number): number[] {
  const list = ops ?? m.batch(m.seq(seqId));
  return list.flatMap((op) => m.opAlgos(op));
}

export interface EvalP {
  seq: number;
  alive: boolean;
  ops: OpSpec[] | null;
  settle: boolean;
  async: boolean;
}

export class Eval extends Step {
  constructor(readonly p: EvalP) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.seqs) && (this.p.ops === null || hasHeld(box.m.tensors));
  }

  toString(): string {
    return `Eval(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const p = this.p;
    const seqId = pickSeq(box.m, p.seq, p.alive)!;
    const ops: Operation[] = [];
    const opMs: OpM[] = [];
    const texts: string[] = [];
    for (const spec of p.ops ?? []) {
      const built = await buildOp(box, real, spec, p.alive);
      if (!('op' in built)) return `new ${built.text} (threw)`;
      ops.push(built.op);
      opMs.push(built.opM);
      texts.push(built.text);
    }
    const call = p.async ? 'evalAsync' : 'eval';
    const what = `${p.async ? '' : 'await '}${sname(seqId)}.${call}(${texts.join(', ')})${p.settle ? ' [compiled, checks flushed]' : ''}`;
    if (p.settle) await settleBeforeEval(real, algosOf(box.m, p.ops ? opMs : null, seqId));
    const sequence = real.seqs.get(seqId)!;
    const hyps = predictEval(box.m, seqId, p.ops ? opMs : null, !p.async).map((h) =>
      h.error ? h : { ...h, check: (v: unknown) => (v === sequence ? null : `${call}() did not return the sequence`) },
    );
    const obs = await observe(what, () => (p.async ? sequence.evalAsync(...ops) : sequence.eval(...ops)));
    decide(box, what, obs, hyps, (next) => sequenceShows(sequence, next, seqId, p.ops ? { ops, opMs } : null));
    return what;
  }
}

export class EvalAwait extends Step {
  constructor(readonly p: { seq: number; alive: boolean; timeout: 'none' | 0 | 1 | 3 | 'negative' }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.seqs);
  }

  toString(): string {
    return `EvalAwait(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const m = box.m;
    const seqId = pickSeq(m, this.p.seq, this.p.alive)!;
    const s = m.seq(seqId);
    const timeout = this.p.timeout === 'none' ? undefined : this.p.timeout === 'negative' ? -1 : this.p.timeout;
    const what = `await ${sname(seqId)}.evalAwait(${timeout ?? ''})`;
    const is = (expected: boolean) => (v: unknown) => (v === expected ? null : `resolved ${String(v)}, expected ${expected}`);
    const hyps: Hyp[] = [];
    if (!seqAlive(m, s)) hyps.push(fails('DestroyedError', m));
    else if (timeout === -1) hyps.push(fails('ArgumentError', m));
    else if (!s.flight) hyps.push(succeeds(m, 'true (nothing running)', is(true)));
    else {
      const f = s.flight;
      if (timeout !== undefined && !f.settled) hyps.push(succeeds(m, 'false (timed out)', is(false)));
      if (Model.canSucceed(f)) {
        const ok = m.clone();
        ok.resolve(ok.seq(seqId).flight!, true);
        hyps.push(succeeds(ok, 'true (completed)', is(true)));
      }
      for (const error of Model.failures(f)) {
        const bad = m.clone();
        bad.resolve(bad.seq(seqId).flight!, false);
        hyps.push(fails(error, bad, `the evaluation's ${error}`));
      }
    }
    const sequence = real.seqs.get(seqId)!;
    decide(box, what, await observe(what, () => sequence.evalAwait(timeout)), hyps);
    return what;
  }
}

export class Clear extends Step {
  constructor(readonly p: { seq: number; alive: boolean }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.seqs);
  }

  toString(): string {
    return `Clear(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const m = box.m;
    const seqId = pickSeq(m, this.p.seq, this.p.alive)!;
    const what = `${sname(seqId)}.clear()`;
    let hyp: Hyp;
    if (!seqAlive(m, m.seq(seqId))) hyp = fails('DestroyedError', m);
    else {
      const next = m.clone();
      const s = next.seq(seqId);
      s.ops = [];
      s.batchStart = 0;
      s.evaluated = false;
      hyp = succeeds(next);
    }
    const sequence = real.seqs.get(seqId)!;
    decide(box, what, await observe(what, () => sequence.clear()), [hyp]);
    return what;
  }
}

export class Rerecord extends Step {
  constructor(readonly p: { seq: number; alive: boolean }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.seqs);
  }

  toString(): string {
    return `Rerecord(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const m = box.m;
    const seqId = pickSeq(m, this.p.seq, this.p.alive)!;
    const s = m.seq(seqId);
    const what = `${sname(seqId)}.rerecord()`;
    const hyps: Hyp[] = [];
    if (!seqAlive(m, s)) hyps.push(fails('DestroyedError', m));
    else {
      if (s.flight && !s.flight.settled) hyps.push(fails('StateError', m, 'StateError (running)', RUNNING));
      const next = idle(m, seqId);
      const error = s.ops.map((op) => next.validateOp(op)).find((e) => e !== null);
      if (error) hyps.push(fails(error, next));
      else {
        const s2 = next.seq(seqId);
        s2.batchStart = 0;
        s2.evaluated = false;
        hyps.push(succeeds(next));
      }
    }
    const sequence = real.seqs.get(seqId)!;
    decide(box, what, await observe(what, () => sequence.rerecord()), hyps);
    return what;
  }
}

export class DestroySequence extends Step {
  constructor(readonly p: PickP) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return hasHeld(box.m.seqs);
  }

  toString(): string {
    return `DestroySequence(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const seqId = pickSeq(box.m, this.p.pick, this.p.alive)!;
    const next = box.m.clone();
    const s = next.seq(seqId);
    const flight = s.flight;
    s.destroyed = true;
    if (flight) next.abandon(flight);
    const what = `${sname(seqId)}.destroy()${flight ? ' (while running)' : ''}`;
    const sequence = real.seqs.get(seqId)!;
    decide(box, what, await observe(what, () => sequence.destroy()), [succeeds(next)]);
    if (flight) await quiesce(real, [...flight.algos], [...flight.busy]);
    return what;
  }
}
