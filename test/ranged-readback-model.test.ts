/**
 * Ranged readbacks of mapped host copies against a model: random programs of ranged and whole
 * OpSyncLocal / OpSyncDevice, GPU-side writes, setData and writes through data(), one to three
 * operations per evaluation, on a tensor large enough for a mapped host copy, under both host
 * data placements. The GPU buffer after every evaluation, and the host data (`data()` and views'
 * `data()`) wherever the program reads it and at its end, must be what running the operations
 * one after the other on plain arrays gives.
 * (A ranged readback's bytes wait in their staging buffer until the host data is next read or
 * moved, and a later readback of the same range supersedes them: this is where that could go wrong.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { type Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, type Operation, type Tensor } from '../src/index.js';
import { createManager, liveMemory, rawRead } from './helpers.js';

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

function filled(base: number): Float32Array {
  return Float32Array.from({ length: N }, (_, i) => base + (i % 977));
}

for (const hostData of ['upload-buffer', 'host-memory'] as const) {
  describe(`ranged readbacks against a model (hostData: '${hostData}')`, () => {
    let mgr: Manager;
    before(async () => {
      mgr = await createManager({ hostData });
    });
    after(() => mgr.destroy());

    test('host data and GPU buffer match running the steps one by one on plain arrays; nothing is left held', async () => {
      const baseline = liveMemory(mgr.memory());
      await fc.assert(
        fc.asyncProperty(programArb, async (program) => {
          const t: Tensor = mgr.tensor(filled(0));
          const algorithm = mgr.algorithm([t], ADD_ONE, { workgroup: [Math.ceil(N / 64)] });
          const seq = mgr.sequence();
          const host = filled(0);
          const gpu = new Float32Array(N);
          try {
            for (const [e, evaluation] of program.entries()) {
              const ops: Operation[] = [];
              for (const step of evaluation) {
                switch (step.kind) {
                  case 'down':
                    ops.push(new OpSyncLocal([t.view(step.offset, step.length)]));
                    host.set(gpu.subarray(step.offset, step.offset + step.length), step.offset);
                    break;
                  case 'up':
                    ops.push(new OpSyncDevice([t.view(step.offset, step.length)]));
                    gpu.set(host.subarray(step.offset, step.offset + step.length), step.offset);
                    break;
                  case 'downAll':
                    ops.push(new OpSyncLocal([t]));
                    host.set(gpu);
                    break;
                  case 'upAll':
                    ops.push(new OpSyncDevice([t]));
                    gpu.set(host);
                    break;
                  case 'gpuAddOne':
                    ops.push(new OpAlgoDispatch(algorithm));
                    for (let i = 0; i < N; i++) gpu[i] = gpu[i]! + 1;
                    break;
                  // Host-side steps happen between evaluations: the ones queued so far run first.
                  case 'setData':
                  case 'poke':
                  case 'readView':
                  case 'read':
                    if (ops.length > 0) await seq.eval(...ops.splice(0));
                    if (step.kind === 'setData') {
                      t.setData(filled(step.base));
                      host.set(filled(step.base));
                    } else if (step.kind === 'poke') {
                      t.data()[step.index] = step.value;
                      host[step.index] = step.value;
                    } else if (step.kind === 'read') {
                      assert.deepEqual(t.data(), host, `evaluation ${e}: data()`);
                    } else {
                      const got = t.view(step.offset, step.length).data();
                      assert.deepEqual(Array.from(got), Array.from(host.subarray(step.offset, step.offset + step.length)), `evaluation ${e}: view [${step.offset}, +${step.length})`);
                    }
                    break;
                }
              }
              if (ops.length > 0) await seq.eval(...ops);
              assert.deepEqual(new Float32Array(await rawRead(mgr.device, t.buffer, N * 4)), gpu, `evaluation ${e}: the GPU buffer`);
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
  });
}
