/** Lifecycle model commands: garbage collection, inspection, the manager, and multi-step scenarios. */
import assert from 'node:assert/strict';
import { type Tensor } from '../../src/index.js';
import { gcUntil } from '../helpers.js';
import { type Box, decide, deref, newManager, observe, quiesce, type Real, succeeds, within } from './harness.js';
import { aname, setFocus, hasHeld, pickAlgo, pickSeq, pickTensor, seqAlive, show, sname, Step, tname } from './common.js';
import { Eval, idle } from './sequences.js';
import { CreateTensor } from './tensors.js';

// ---- garbage collection, inspection, manager ----

export class Drop extends Step {
  constructor(readonly p: { kind: 'tensor' | 'algorithm' | 'sequence'; pick: number }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    const m = box.m;
    return hasHeld(this.p.kind === 'tensor' ? m.tensors : this.p.kind === 'algorithm' ? m.algos : m.seqs);
  }

  toString(): string {
    return `Drop(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const next = box.m.clone();
    let what: string;
    let flight = null;
    if (this.p.kind === 'tensor') {
      const id = pickTensor(next, this.p.pick, false)!;
      next.tensor(id).held = false;
      real.tensors.delete(id);
      what = `drop ${tname(id)}`;
    } else if (this.p.kind === 'algorithm') {
      const id = pickAlgo(next, this.p.pick, false)!;
      next.algo(id).held = false;
      real.algos.delete(id);
      what = `drop ${aname(id)}`;
    } else {
      const id = pickSeq(next, this.p.pick, false)!;
      const s = next.seq(id);
      s.held = false;
      flight = s.flight;
      if (flight) next.abandon(flight);
      real.seqs.delete(id);
      what = `drop ${sname(id)}${flight ? ' (while running)' : ''}`;
    }
    box.m = next;
    if (flight) await quiesce(real, [...flight.algos], [...flight.busy]);
    await gcUntil(() => false, 1);
    return `${what}, gc()`;
  }
}

export class CollectGarbage extends Step {
  toString(): string {
    return 'CollectGarbage()';
  }

  protected async act(): Promise<string> {
    await gcUntil(() => false, 3);
    return 'gc() x3';
  }
}

export class Inspect extends Step {
  constructor(readonly p: { kind: 'tensor' | 'algorithm' | 'sequence'; pick: number }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    const m = box.m;
    return hasHeld(this.p.kind === 'tensor' ? m.tensors : this.p.kind === 'algorithm' ? m.algos : m.seqs);
  }

  toString(): string {
    return `Inspect(${show(this.p)})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const m = box.m;
    if (this.p.kind === 'tensor') {
      const id = pickTensor(m, this.p.pick, false)!;
      const t = m.tensor(id);
      const r = real.tensors.get(id)!;
      const what = `inspect ${tname(id)}`;
      assert.equal(r.isInit(), m.tensorAlive(id), `${what}: isInit()`);
      assert.deepEqual([r.size, r.dtype, r.memoryType, r.byteLength], [t.size, t.dtype, t.mem, t.size * 4], `${what}: size, dtype, memoryType, byteLength`);
      return what;
    }
    if (this.p.kind === 'algorithm') {
      const id = pickAlgo(m, this.p.pick, false)!;
      const a = m.algo(id);
      const r = real.algos.get(id)!;
      const what = `inspect ${aname(id)}`;
      assert.equal(r.isInit(), m.algoAlive(id), `${what}: isInit()`);
      if (m.algoAlive(id)) {
        assert.deepEqual(r.getWorkgroup(), [a.config.threads, 1, 1], `${what}: getWorkgroup()`);
        const push = r.getPushConstants();
        const bits = push.length > 0 ? new Uint32Array(push.buffer, push.byteOffset, push.length)[0] : null;
        assert.equal(bits ?? null, a.config.push, `${what}: getPushConstants() bits`);
        const tensors = r.getTensors();
        assert.equal(tensors.length, a.config.tensors.length, `${what}: getTensors().length`);
        a.config.tensors.forEach((t, i) => {
          const held = deref<Tensor>(real, t);
          if (held) assert.ok(tensors[i] === held, `${what}: getTensors()[${i}] is ${tname(t)}`);
        });
      }
      return what;
    }
    const id = pickSeq(m, this.p.pick, false)!;
    const s = m.seq(id);
    const r = real.seqs.get(id)!;
    const what = `inspect ${sname(id)}`;
    assert.equal(r.isInit(), seqAlive(m, s), `${what}: isInit()`);
    if (seqAlive(m, s)) {
      assert.equal(r.getOperations().length, m.batch(s).length, `${what}: getOperations().length`);
      assert.equal(r.isRecording(), !s.evaluated && s.ops.length > s.batchStart, `${what}: isRecording()`);
      const running = r.isRunning();
      if (!s.flight || s.flight.settled) assert.equal(running, false, `${what}: isRunning() with nothing in flight`);
      else if (!running) box.m = idle(m, id);
    }
    return what;
  }
}

export class DestroyManager extends Step {
  toString(): string {
    return 'DestroyManager()';
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const next = box.m.clone();
    next.mgr++;
    for (const s of next.seqs.values()) s.flight = null;
    const mgr = real.mgr;
    decide(box, 'mgr.destroy()', await observe('mgr.destroy()', () => mgr.destroy()), [succeeds(next)]);
    real.gen = next.mgr;
    real.mgr = await within(newManager(real), 'Manager.create()');
    real.stats.managerRestarts++;
    return 'mgr.destroy(); mgr = await Manager.create()';
  }
}

/**
 * evalAsync() and, before anything else can happen (the evaluation may still wait for a
 * compilation or for pending WebGPU checks: architecture.md, step 2), one or two other calls,
 * then maybe evalAwait(): aims at what an evaluation in flight must withstand.
 */
export class Burst extends Step {
  /** `prelude`: a step just before evalAsync() (a new tensor leaves a WebGPU check pending, so the evaluation waits). */
  constructor(readonly p: { prelude: Step | null; start: Eval; during: Step[]; end: Step[] }) {
    super();
  }

  override check(box: Readonly<Box>): boolean {
    return this.p.start.check(box);
  }

  toString(): string {
    return `Burst(${[...(this.p.prelude ? [this.p.prelude] : []), this.p.start, ...this.p.during, ...this.p.end].map(String).join(', ')})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const parts: string[] = [];
    if (this.p.prelude?.check(box)) parts.push(await this.p.prelude.actNow(box, real));
    if (!this.p.start.check(box)) return parts.join('; ');
    parts.push(await this.p.start.actNow(box, real));
    const seqId = pickSeq(box.m, this.p.start.p.seq, this.p.start.p.alive);
    const flight = seqId === undefined ? null : box.m.seq(seqId).flight;
    setFocus(flight ? { tensors: flight.touched, algos: flight.algos } : null);
    try {
      for (const step of this.p.during) if (step.check(box)) parts.push(await step.actNow(box, real));
    } finally {
      setFocus(null);
    }
    for (const step of this.p.end) if (step.check(box)) parts.push(await step.actNow(box, real));
    return parts.join('; ');
  }
}

/**
 * Two or three new tensors of one dtype and size, then a step that prefers them (an algorithm,
 * an OpMult): programs otherwise rarely hold enough matching tensors for those to succeed.
 */
export class WithFreshTensors extends Step {
  constructor(readonly p: { tensors: CreateTensor[]; next: Step }) {
    super();
  }

  toString(): string {
    return `WithFreshTensors(${[...this.p.tensors, this.p.next].map(String).join(', ')})`;
  }

  protected async act(box: Box, real: Real): Promise<string> {
    const before = new Set(box.m.tensors.keys());
    const parts: string[] = [];
    for (const t of this.p.tensors) parts.push(await t.actNow(box, real));
    setFocus({ tensors: new Set([...box.m.tensors.keys()].filter((id) => !before.has(id))), algos: new Set() });
    try {
      if (this.p.next.check(box)) parts.push(await this.p.next.actNow(box, real));
    } finally {
      setFocus(null);
    }
    return parts.join('; ');
  }
}
