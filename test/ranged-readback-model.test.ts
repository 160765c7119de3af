/**
 * Ranged readbacks of mapped host copies against a model: random programs of ranged and whole
 * OpSyncLocal / OpSyncDevice, GPU-side writes, setData and writes through data(), one to three
 * operations per evaluation, on a tensor large enough for a mapped host copy, under both host
 * data placements. The GPU buffer after every evaluation, and the host data (`data()` and views'
 * `data()`) wherever the program reads it and at its end, must be what running the operations
 * one after the other on plain arrays gives.
 * (A ranged readback's bytes wait in their staging buffer until the host data is next read or
 * moved, and a later readback of the same range supersedes them: this is where that could go wrong.)
 * An upload that follows, in one evaluation, a readback of its bytes and a dispatch after it cannot
 * send what the readback captured: the evaluation is a StateError and changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { type Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, type Operation, StateError, type Tensor } from '../src/index.js';
import { assertFails, createManager, liveMemory, rawRead } from './helpers.js';

/** Sizes of a plain host copy (16 KB) and of a mapped one (96 KB): the ranges scale with them. */
const SIZES = [4_000, 24_000] as const;
/** The model's ranges are written for this many elements and scaled to the tensor's. */
const N = 24_000;
const RUNS = 60;
const SEED = process.env.KOMPUTE_TS_SEED === undefined ? undefined : Number(process.env.KOMPUTE_TS_SEED);

const ADD_ONE = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> data: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&data)) { data[id.x] = data[id.x] + 1.0; }
}
`;

type Step =
  | { readonly kind: 'down' | 'up'; readonly offset: number; readonly length: number }
  | { readonly kind: 'downAll' | 'upAll' | 'gpuAddOne' }
  | { readonly kind: 'setData'; readonly base: number }
  | { readonly kind: 'poke'; readonly index: number; readonly value: number }
  | { readonly kind: 'readView'; readonly offset: number; readonly length: number }
  | { readonly kind: 'read' };

/** Few distinct ranges, so that readbacks of the same range (superseding) and overlaps are common. */
const rangeArb = fc
  .constantFrom([0, 1000], [0, 24_000 - 0], [5000, 3000], [6000, 500], [7999, 1], [12_000, 12_000], [23_000, 1000])
  .map(([offset, length]) => ({ offset: offset!, length: Math.min(length!, N - offset!) }));

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  rangeArb.map((r) => ({ kind: 'down' as const, ...r })),
  rangeArb.map((r) => ({ kind: 'down' as const, ...r })),
  rangeArb.map((r) => ({ kind: 'up' as const, ...r })),
  fc.constantFrom('downAll' as const, 'upAll' as const, 'gpuAddOne' as const).map((kind) => ({ kind })),
  fc.integer({ min: 0, max: 1000 }).map((base) => ({ kind: 'setData' as const, base })),
  fc.record({ index: fc.integer({ min: 0, max: N - 1 }), value: fc.integer({ min: -1000, max: 1000 }) }).map((p) => ({ kind: 'poke' as const, ...p })),
  rangeArb.map((r) => ({ kind: 'readView' as const, ...r })),
  fc.constant({ kind: 'read' as const }),
);

/** Evaluations of one to three steps each. */
const programArb = fc.array(fc.array(stepArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 });

function filled(n: number, base: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => base + (i % 977));
}

/** A range of the model scaled from N elements to `n`. */
function scaled(n: number, offset: number, length: number): { offset: number; length: number } {
  const o = Math.floor((offset * n) / N);
  return { offset: o, length: Math.max(1, Math.min(n - o, Math.floor((length * n) / N))) };
}

/** The model of one evaluation: its operations and what they do to plain arrays, applied only if it runs. */
class Evaluation {
  readonly ops: Operation[] = [];
  readonly effects: ((host: Float32Array, gpu: Float32Array) => void)[] = [];
  /** Readbacks recorded so far (latest per element), with the dispatches recorded before each. */
  readonly readbackAt: (number | undefined)[];
  dispatches = 0;
  /** An upload follows a readback of its bytes and a dispatch after it: the evaluation must fail. */
  refused = false;

  constructor(n: number) {
    this.readbackAt = new Array<number | undefined>(n);
  }

  readback(offset: number, length: number): void {
    for (let i = offset; i < offset + length; i++) this.readbackAt[i] = this.dispatches;
  }

  upload(offset: number, length: number): void {
    for (let i = offset; i < offset + length; i++) {
      const at = this.readbackAt[i];
      if (at !== undefined && at !== this.dispatches) this.refused = true;
    }
  }
}

for (const hostData of ['upload-buffer', 'host-memory'] as const) {
  describe(`ranged readbacks against a model (hostData: '${hostData}')`, () => {
    let mgr: Manager;
    before(async () => {
      mgr = await createManager({ hostData });
    });
    after(() => mgr.destroy());

    for (const n of SIZES) {
      test(`${n} elements: host data and GPU buffer match running the steps one by one on plain arrays; nothing is left held`, async () => {
        const baseline = liveMemory(mgr.memory());
        await fc.assert(
          fc.asyncProperty(programArb, async (program) => {
            const t: Tensor = mgr.tensor(filled(n, 0));
            const algorithm = mgr.algorithm([t], ADD_ONE, { workgroup: [Math.ceil(n / 64)] });
            const seq = mgr.sequence();
            const host = filled(n, 0);
            const gpu = new Float32Array(n);
            const run = async (evaluation: Evaluation, what: string): Promise<void> => {
              if (evaluation.ops.length === 0) return;
              if (evaluation.refused) {
                await assertFails(() => seq.eval(...evaluation.ops), StateError, /in the same evaluation, a readback/);
              } else {
                await seq.eval(...evaluation.ops);
                for (const effect of evaluation.effects) effect(host, gpu);
              }
              assert.deepEqual(new Float32Array(await rawRead(mgr.device, t.buffer, n * 4)), gpu, `${what}: the GPU buffer`);
            };
            try {
              for (const [e, steps] of program.entries()) {
                let evaluation = new Evaluation(n);
                for (const step of steps) {
                  if (step.kind === 'down' || step.kind === 'up') {
                    const { offset, length } = scaled(n, step.offset, step.length);
                    const view = t.view(offset, length);
                    if (step.kind === 'down') {
                      evaluation.ops.push(new OpSyncLocal([view]));
                      evaluation.readback(offset, length);
                      evaluation.effects.push((h, g) => h.set(g.subarray(offset, offset + length), offset));
                    } else {
                      evaluation.ops.push(new OpSyncDevice([view]));
                      evaluation.upload(offset, length);
                      evaluation.effects.push((h, g) => g.set(h.subarray(offset, offset + length), offset));
                    }
                  } else if (step.kind === 'downAll') {
                    evaluation.ops.push(new OpSyncLocal([t]));
                    evaluation.readback(0, n);
                    evaluation.effects.push((h, g) => h.set(g));
                  } else if (step.kind === 'upAll') {
                    evaluation.ops.push(new OpSyncDevice([t]));
                    evaluation.upload(0, n);
                    evaluation.effects.push((h, g) => g.set(h));
                  } else if (step.kind === 'gpuAddOne') {
                    evaluation.ops.push(new OpAlgoDispatch(algorithm));
                    evaluation.dispatches++;
                    evaluation.effects.push((_h, g) => {
                      for (let i = 0; i < n; i++) g[i] = g[i]! + 1;
                    });
                  } else {
                    // Host-side steps happen between evaluations: the operations queued so far run first.
                    await run(evaluation, `evaluation ${e}`);
                    evaluation = new Evaluation(n);
                    if (step.kind === 'setData') {
                      t.setData(filled(n, step.base));
                      host.set(filled(n, step.base));
                    } else if (step.kind === 'poke') {
                      const index = step.index % n;
                      t.data()[index] = step.value;
                      host[index] = step.value;
                    } else if (step.kind === 'read') {
                      assert.deepEqual(t.data(), host, `evaluation ${e}: data()`);
                    } else if (step.kind === 'readView') {
                      const { offset, length } = scaled(n, step.offset, step.length);
                      const got = t.view(offset, length).data();
                      assert.deepEqual(Array.from(got), Array.from(host.subarray(offset, offset + length)), `evaluation ${e}: view [${offset}, +${length})`);
                    }
                  }
                }
                await run(evaluation, `evaluation ${e}`);
              }
              assert.deepEqual(t.data(), host, 'data() at the end');
            } finally {
              seq.destroy();
              algorithm.destroy();
              t.destroy();
            }
          }),
          { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
        );
        const after = liveMemory(mgr.memory());
        assert.deepEqual(after, baseline, 'every staging buffer is back in the pool or destroyed');
      });
    }
  });
}
