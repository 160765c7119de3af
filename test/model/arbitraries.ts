import fc from 'fast-check';
import { type DT, DTS } from './kernels.js';
import { AlgorithmCompiled, type AlgoSpec, CreateAlgorithm, DestroyAlgorithm, RebuildAlgorithm, SetPushConstants } from './algorithms.js';
import { Step } from './common.js';
import { Burst, CollectGarbage, DestroyManager, Drop, Inspect, WithFreshTensors } from './manager.js';
import { type OpKind, type OpSpec } from './operations.js';
import { CreateImage, CreateImageAlgo, CreateParams, CreateSampler, CreateView, EndLocal, ImageHostData, LocalEval, RebuildImage, SetParams, ViewData, WithImages } from './images.js';
import { Clear, CreateSequence, DestroySequence, Eval, EvalAwait, RecordOp, Rerecord } from './sequences.js';
import {
  type BadCreate,
  CreateExternalTensor,
  CreateTensor,
  type CreateTensorP,
  DestroyExternalBuffer,
  DestroyTensor,
  type ExternalTensorP,
  ReadData,
  RebuildTensor,
  type RebuildTensorP,
  SetData,
  type SetDataP,
} from './tensors.js';

// ---- arbitraries ----

const weighted = <T>(...pairs: [T, number][]): fc.Arbitrary<T> => fc.oneof(...pairs.map(([v, weight]) => ({ arbitrary: fc.constant(v), weight })));
export const pick = fc.nat({ max: 1000 });
export const alive = fc.nat({ max: 9 }).map((n) => n < 8);

const opSpec: fc.Arbitrary<OpSpec> = fc.record({
  kind: weighted<OpKind>(['syncDevice', 20], ['syncLocal', 20], ['copy', 15], ['dispatch', 30], ['mult', 8], ['reduce', 8], ['barrier', 3]),
  picks: fc.tuple(pick, pick, pick, pick),
  n: fc.nat({ max: 5 }),
  compat: fc.nat({ max: 9 }).map((n) => n < 8),
  algo: pick,
  push: weighted<OpSpec['push']>(['none', 60], ['override', 36], ['wrongSize', 4]),
  k: fc.nat({ max: 30 }),
  empty: fc.nat({ max: 49 }).map((n) => n === 0),
});

const algoSpec: fc.Arbitrary<AlgoSpec> = fc.record({
  kernel: weighted<AlgoSpec['kernel']>(['axpb', 3], ['add', 2]),
  matchDtype: fc.nat({ max: 9 }).map((n) => n < 9),
  dtype: fc.nat({ max: 2 }),
  picks: fc.tuple(pick, pick, pick),
  alias: fc.nat({ max: 29 }).map((n) => n === 0),
  two: fc.nat({ max: 39 }).map((n) => n === 0),
  workgroup: weighted<AlgoSpec['workgroup']>(['default', 60], ['explicit', 35], ['zero', 2], ['fraction', 1], ['huge', 2]),
  wg: fc.nat({ max: 1000 }),
  k: fc.nat({ max: 30 }),
  push: weighted<AlgoSpec['push']>(['typed', 85], ['numbers', 5], ['missing', 3], ['extra', 4], ['long', 3]),
  broken: fc.nat({ max: 24 }).map((n) => n === 0),
});

const badCreate = weighted<BadCreate | null>(
  [null, 180],
  ...(['zero', 'negative', 'fraction', 'nan', 'f64', 'unknownDtype', 'unknownType', 'float64Data', 'int8Data', 'dtypeMismatch', 'emptyData', 'huge'] as const).map((b): [BadCreate, number] => [b, 2]),
);

const kind3 = weighted<'tensor' | 'algorithm' | 'sequence'>(['tensor', 5], ['algorithm', 3], ['sequence', 2]);

const evalArb = (async: fc.Arbitrary<boolean>, settle: fc.Arbitrary<boolean>): fc.Arbitrary<Eval> =>
  fc
    .record({
      seq: pick,
      alive,
      ops: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.array(opSpec, { minLength: 1, maxLength: 4 }) }),
      settle,
      async,
    })
    .map((p) => new Eval(p));

const evalAwaitArb = fc.record({ seq: pick, alive, timeout: weighted<EvalAwait['p']['timeout']>(['none', 6], [0, 2], [1, 2], [3, 1], ['negative', 1]) }).map((p) => new EvalAwait(p));

const setDataArb = fc
  .record({ pick, alive, variant: weighted<SetDataP['variant']>(['numbers', 10], ['typed', 6], ['short', 1], ['long', 1], ['wrongType', 1]), seed: fc.nat({ max: 100000 }) })
  .map((p) => new SetData(p));

const rebuildTensorArb = fc
  .record({
    pick,
    alive,
    form: weighted<RebuildTensorP['form']>(['length', 1], ['numbers', 1], ['typed', 1]),
    sizeClass: fc.nat({ max: 99 }),
    seed: fc.nat({ max: 100000 }),
    bad: weighted<RebuildTensorP['bad']>([null, 30], ['zero', 1], ['wrongType', 1], ['huge', 1]),
  })
  .map((p) => new RebuildTensor(p));

const setPushArb = fc
  .record({ pick, alive, k: fc.nat({ max: 30 }), variant: weighted<SetPushConstants['p']['variant']>(['typed', 10], ['numbers', 2], ['two', 1], ['long', 1], ['notNumbers', 1]) })
  .map((p) => new SetPushConstants(p));

/** What may happen to the objects of an evaluation while it is in flight. */
const disturbance: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ pick, spec: algoSpec, alive }).map((p) => new RebuildAlgorithm(p)) },
  { weight: 3, arbitrary: setPushArb },
  { weight: 4, arbitrary: rebuildTensorArb },
  { weight: 3, arbitrary: fc.record({ pick, alive }).map((p) => new DestroyTensor(p)) },
  { weight: 2, arbitrary: fc.record({ pick, alive }).map((p) => new DestroyAlgorithm(p)) },
  { weight: 4, arbitrary: setDataArb },
  { weight: 4, arbitrary: fc.record({ pick, alive }).map((p) => new ReadData(p)) },
  { weight: 2, arbitrary: fc.record({ pick }).map((p) => new DestroyExternalBuffer(p)) },
  { weight: 3, arbitrary: evalAwaitArb },
  { weight: 3, arbitrary: evalArb(fc.boolean(), fc.constant(false)) },
  { weight: 2, arbitrary: fc.record({ seq: pick, alive, op: opSpec }).map((p) => new RecordOp(p)) },
  { weight: 1, arbitrary: fc.record({ seq: pick, alive }).map((p) => new Clear(p)) },
  { weight: 1, arbitrary: fc.record({ pick, alive }).map((p) => new DestroySequence(p)) },
);

const burstArb = fc
  .record({
    prelude: fc.oneof(
      { weight: 3, arbitrary: fc.constant(null) },
      {
        weight: 3,
        arbitrary: fc
          .record({ dtype: fc.nat({ max: 2 }), mem: fc.nat({ max: 3 }), seed: fc.nat({ max: 100000 }) })
          .map((p): Step => new CreateTensor({ ...p, sizeClass: 0, form: 'length', bad: null })),
      },
      // An evaluation that must fail (WebGPU rejects a destroyed buffer) once one uses that tensor.
      { weight: 1, arbitrary: fc.record({ pick }).map((p): Step => new DestroyExternalBuffer(p)) },
    ),
    start: evalArb(fc.constant(true), fc.constant(false)),
    during: fc.array(disturbance, { minLength: 1, maxLength: 2 }),
    // Then evalAwait() on the same sequence: none, one, or one that may time out, a pause
    // (garbage collection) and a second.
    end: weighted<(EvalAwait['p']['timeout'] | 'gc')[]>([[], 2], [['none'], 2], [[0], 1], [[1], 1], [[0, 'none'], 1], [[0, 'gc', 'none'], 2]),
  })
  .map(
    ({ prelude, start, during, end }) =>
      new Burst({
        prelude,
        start,
        during,
        end: end.map((timeout): Step => (timeout === 'gc' ? new CollectGarbage() : new EvalAwait({ seq: start.p.seq, alive: start.p.alive, timeout }))),
      }),
  );

const freshArb = fc
  .record({
    dtype: weighted<DT>(['f32', 2], ['i32', 1], ['u32', 1]).map((d) => DTS.indexOf(d)),
    sizeClass: fc.nat({ max: 99 }),
    seed: fc.nat({ max: 100000 }),
    tensors: fc.array(fc.record({ mem: fc.nat({ max: 3 }), form: weighted<CreateTensorP['form']>(['length', 1], ['typed', 1], ['numbers', 1]) }), { minLength: 2, maxLength: 3 }),
    next: fc.oneof(
      { weight: 3, arbitrary: fc.record({ spec: algoSpec, alive }).map((p): Step => new CreateAlgorithm({ ...p, spec: { ...p.spec, matchDtype: true } })) },
      { weight: 1, arbitrary: fc.record({ seq: pick, alive, op: opSpec }).map((p): Step => new RecordOp({ ...p, op: { ...p.op, kind: 'mult', compat: true } })) },
      {
        weight: 1,
        arbitrary: fc
          .record({ seq: pick, alive, ops: fc.array(opSpec, { minLength: 1, maxLength: 3 }), settle: fc.boolean(), async: fc.boolean() })
          .map((p): Step => new Eval({ ...p, ops: p.ops.map((op, i) => (i === 0 ? { ...op, kind: 'mult' as const, compat: true } : op)) })),
      },
    ),
  })
  .map(({ dtype, sizeClass, seed, tensors, next }) => new WithFreshTensors({ tensors: tensors.map((t) => new CreateTensor({ dtype, sizeClass, seed, mem: t.mem, form: t.form, bad: null })), next }));

/** Every command, weighted; the manager is destroyed in about one program in forty. */
export const commandArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 120,
    arbitrary: fc
      .record({
        dtype: weighted<DT>(['f32', 2], ['i32', 1], ['u32', 1]).map((d) => DTS.indexOf(d)),
        mem: fc.nat({ max: 3 }),
        sizeClass: fc.nat({ max: 99 }),
        seed: fc.nat({ max: 100000 }),
        form: weighted<CreateTensorP['form']>(['length', 1], ['typed', 1], ['numbers', 1]),
        bad: badCreate,
      })
      .map((p) => new CreateTensor(p)),
  },
  { weight: 60, arbitrary: setDataArb },
  { weight: 100, arbitrary: fc.record({ pick, alive }).map((p) => new ReadData(p)) },
  { weight: 30, arbitrary: rebuildTensorArb },
  { weight: 25, arbitrary: fc.record({ pick, alive }).map((p) => new DestroyTensor(p)) },
  {
    weight: 12,
    arbitrary: fc
      .record({
        dtype: fc.nat({ max: 2 }),
        mem: fc.nat({ max: 3 }),
        sizeClass: fc.nat({ max: 99 }),
        seed: fc.nat({ max: 100000 }),
        bad: weighted<ExternalTensorP['bad']>([null, 20], ['small', 1], ['usage', 1]),
      })
      .map((p) => new CreateExternalTensor(p)),
  },
  { weight: 5, arbitrary: fc.record({ pick }).map((p) => new DestroyExternalBuffer(p)) },
  { weight: 60, arbitrary: fc.record({ spec: algoSpec, alive }).map((p) => new CreateAlgorithm(p)) },
  { weight: 20, arbitrary: fc.record({ pick, spec: algoSpec, alive }).map((p) => new RebuildAlgorithm(p)) },
  { weight: 20, arbitrary: setPushArb },
  { weight: 15, arbitrary: fc.record({ pick, alive }).map((p) => new DestroyAlgorithm(p)) },
  { weight: 8, arbitrary: fc.record({ pick, alive }).map((p) => new AlgorithmCompiled(p)) },
  { weight: 50, arbitrary: fc.constant(null).map(() => new CreateSequence()) },
  { weight: 140, arbitrary: fc.record({ seq: pick, alive, op: opSpec }).map((p) => new RecordOp(p)) },
  {
    weight: 200,
    arbitrary: evalArb(
      fc.nat({ max: 9 }).map((n) => n < 4),
      fc.boolean(),
    ),
  },
  { weight: 80, arbitrary: evalAwaitArb },
  { weight: 50, arbitrary: burstArb },
  { weight: 40, arbitrary: freshArb },
  { weight: 20, arbitrary: fc.record({ seq: pick, alive }).map((p) => new Clear(p)) },
  { weight: 20, arbitrary: fc.record({ seq: pick, alive }).map((p) => new Rerecord(p)) },
  { weight: 20, arbitrary: fc.record({ pick, alive }).map((p) => new DestroySequence(p)) },
  { weight: 40, arbitrary: fc.record({ kind: kind3, pick }).map((p) => new Drop(p)) },
  { weight: 8, arbitrary: fc.constant(null).map(() => new CollectGarbage()) },
  { weight: 30, arbitrary: fc.record({ kind: kind3, pick }).map((p) => new Inspect(p)) },
  { weight: 1, arbitrary: fc.constant(null).map(() => new DestroyManager()) },
  // Images, views, samplers, parameter blocks (test/model/images.ts).
  {
    weight: 30,
    arbitrary: fc
      .record({
        dtype: fc.nat({ max: 4 }),
        channels: fc.nat({ max: 2 }),
        mem: fc.nat({ max: 3 }),
        sizeClass: fc.nat({ max: 99 }),
        seed: fc.nat({ max: 100000 }),
        form: weighted<'null' | 'typed' | 'numbers'>(['null', 1], ['typed', 2], ['numbers', 1]),
        bad: weighted<null | 'channels3' | 'zeroWidth' | 'short'>([null, 30], ['channels3', 1], ['zeroWidth', 1], ['short', 1]),
      })
      .map((p) => new CreateImage(p)),
  },
  { weight: 25, arbitrary: fc.record({ pick, alive, write: fc.boolean(), seed: fc.nat({ max: 100000 }), short: fc.nat({ max: 19 }).map((n) => n === 0) }).map((p) => new ImageHostData(p)) },
  {
    weight: 10,
    arbitrary: fc
      .record({ pick, alive, sizeClass: fc.nat({ max: 99 }), seed: fc.nat({ max: 100000 }), withData: fc.boolean(), bad: weighted<null | 'short' | 'zero'>([null, 20], ['short', 1], ['zero', 1]) })
      .map((p) => new RebuildImage(p)),
  },
  {
    weight: 25,
    arbitrary: fc
      .record({ kind: weighted<EndLocal['p']['kind']>(['image', 3], ['view', 2], ['sampler', 1], ['params', 1], ['imgAlgo', 2]), pick, alive, drop: fc.boolean() })
      .map((p) => new EndLocal(p)),
  },
  { weight: 15, arbitrary: fc.record({ pick, alive, seed: fc.nat({ max: 100000 }), bad: weighted<null | 'past' | 'zero'>([null, 20], ['past', 1], ['zero', 1]) }).map((p) => new CreateView(p)) },
  { weight: 15, arbitrary: fc.record({ pick, alive, write: fc.boolean(), seed: fc.nat({ max: 100000 }) }).map((p) => new ViewData(p)) },
  { weight: 8, arbitrary: fc.record({ mode: fc.nat({ max: 15 }), bad: fc.nat({ max: 19 }).map((n) => n === 0) }).map((p) => new CreateSampler(p)) },
  { weight: 10, arbitrary: fc.record({ k: fc.nat({ max: 2 }), b: fc.nat({ max: 2 }), bad: fc.nat({ max: 19 }).map((n) => n === 0) }).map((p) => new CreateParams(p)) },
  { weight: 6, arbitrary: fc.record({ pick, alive, k: fc.nat({ max: 2 }) }).map((p) => new SetParams(p)) },
  { weight: 15, arbitrary: fc.record({ src: pick, dst: pick, params: pick, sampler: pick, useSampler: fc.boolean(), alive }).map((p) => new CreateImageAlgo(p)) },
  {
    weight: 40,
    arbitrary: fc
      .record({
        up: fc.array(pick, { maxLength: 2 }),
        middle: weighted<LocalEval['p']['middle']>(['copyImages', 3], ['imageToTensor', 2], ['tensorToImage', 2], ['dispatch', 4], ['none', 1]),
        picks: fc.tuple(pick, pick),
        compat: fc.nat({ max: 9 }).map((n) => n < 8),
        down: fc.array(pick, { maxLength: 2 }),
        mem: fc.nat({ max: 3 }),
        seed: fc.nat({ max: 100000 }),
      })
      .map((p) => new LocalEval(p)),
  },
  {
    weight: 25,
    arbitrary: fc
      .record({
        dtype: fc.nat({ max: 4 }),
        channels: fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 2 })),
        mems: fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 3 })),
        sizes: fc.tuple(fc.nat({ max: 99 }), fc.nat({ max: 99 })),
        seed: fc.nat({ max: 100000 }),
        same: fc.boolean(),
        k: fc.nat({ max: 2 }),
        b: fc.nat({ max: 2 }),
        sampler: fc.nat({ max: 2 }).map((n) => n === 0),
        mode: fc.nat({ max: 15 }),
        middle: weighted<LocalEval['p']['middle']>(['dispatch', 4], ['copyImages', 1]),
        up: fc.array(pick, { maxLength: 2 }),
        down: fc.array(pick, { minLength: 1, maxLength: 2 }),
      })
      .map((p) => {
        const image = (i: 0 | 1): Step =>
          new CreateImage({
            dtype: p.dtype,
            channels: p.same ? p.channels[0] : p.channels[i],
            mem: p.mems[i],
            sizeClass: p.same ? p.sizes[0] : p.sizes[i],
            seed: p.same ? p.seed : p.seed + i * 7919,
            form: i === 0 ? 'typed' : 'null',
            bad: null,
          });
        return new WithImages({
          steps: [
            image(0),
            image(1),
            new CreateParams({ k: p.k, b: p.b, bad: false }),
            ...(p.sampler ? [new CreateSampler({ mode: p.mode, bad: false })] : []),
            new CreateImageAlgo({ src: -2, dst: -1, params: -1, sampler: -1, useSampler: p.sampler, alive: true }),
            new LocalEval({ up: p.up, middle: p.middle, picks: [-2, -1], compat: true, down: p.down, mem: 0, seed: p.seed }),
          ],
        });
      }),
  },
  // OpReduce over a new tensor into a new one-element tensor of its dtype.
  {
    weight: 10,
    arbitrary: fc
      .record({
        dtype: fc.nat({ max: 2 }),
        mems: fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 3 })),
        sizeClass: fc.nat({ max: 99 }),
        seed: fc.nat({ max: 100000 }),
        next: fc.oneof(
          { weight: 1, arbitrary: fc.record({ seq: pick, alive, op: opSpec }).map((p) => ({ record: p })) },
          { weight: 2, arbitrary: fc.record({ seq: pick, alive, ops: fc.array(opSpec, { minLength: 1, maxLength: 2 }), settle: fc.boolean(), async: fc.boolean() }).map((p) => ({ eval: p })) },
        ),
      })
      .map(({ dtype, mems, sizeClass, seed, next }) => {
        const reduce = (op: OpSpec): OpSpec => ({ ...op, kind: 'reduce', compat: true, picks: [0, 1, 0, 0] });
        const step: Step = 'record' in next ? new RecordOp({ ...next.record, op: reduce(next.record.op) }) : new Eval({ ...next.eval, ops: next.eval.ops.map((op, i) => (i === 0 ? reduce(op) : op)) });
        return new WithFreshTensors({
          tensors: [
            new CreateTensor({ dtype, sizeClass, seed, mem: mems[0], form: 'typed', bad: null }),
            new CreateTensor({ dtype, sizeClass: 0, seed: 6 * (seed % 1000), mem: mems[1], form: 'length', bad: null }),
          ],
          next: step,
        });
      }),
  },
);
