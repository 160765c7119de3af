/** Bad-input catalogue rows: Destroyed (docs/errors.md, section "Use after destroy"). */
import { DestroyedError, OpAlgoDispatch, OpMult, OpSyncDevice, OpSyncLocal } from '../../src/index.js';
import { ADD_PUSH_SHADER, INCREMENT_SHADER, Usage } from '../helpers.js';
import { destroyed, afterManagerDestroy, afterManagerDestroyWith, type Row } from './catalogue.js';

export const AREA = { area: 'Destroyed', heading: 'Use after destroy' } as const;

export const ROWS: readonly Row[] = [
  {
    id: 'destroyed.tensor.data',
    area: 'Destroyed',
    api: 'tensor.data',
    input: 'a destroyed tensor',
    call: destroyed(
      (c) => c.f32(2),
      (t) => t.data(),
    ),
    error: DestroyedError,
    message: /Tensor#\d+ was destroyed and cannot be used \(data\(\)\)/,
  },
  {
    id: 'destroyed.tensor.set-data',
    area: 'Destroyed',
    api: 'tensor.setData',
    input: 'a destroyed tensor',
    call: destroyed(
      (c) => c.f32(2),
      (t) => t.setData([1, 2]),
    ),
    error: DestroyedError,
    message: /setData/,
  },
  {
    id: 'destroyed.tensor.rebuild',
    area: 'Destroyed',
    api: 'tensor.rebuild',
    input: 'a destroyed tensor',
    call: destroyed(
      (c) => c.f32(2),
      (t) => t.rebuild(4),
    ),
    error: DestroyedError,
    message: /rebuild/,
  },
  {
    id: 'destroyed.tensor.buffer',
    area: 'Destroyed',
    api: 'tensor.buffer',
    input: 'a destroyed tensor',
    call: destroyed(
      (c) => c.f32(2),
      (t) => t.buffer,
    ),
    error: DestroyedError,
    message: /buffer/,
  },
  {
    id: 'destroyed.tensor.in-algorithm',
    area: 'Destroyed',
    api: 'mgr.algorithm',
    input: 'a destroyed tensor bound to a new algorithm',
    call: destroyed(
      (c) => c.f32(2),
      (t, c) => c.mgr.algorithm([t], INCREMENT_SHADER),
    ),
    error: DestroyedError,
    message: /binding to Algorithm/,
  },
  {
    id: 'destroyed.tensor.in-op-mult',
    area: 'Destroyed',
    api: 'new OpMult',
    input: 'a destroyed tensor as OpMult output',
    call: destroyed(
      (c) => c.f32(2),
      (t, c) => new OpMult([c.f32(2), c.f32(2), t]),
    ),
    error: DestroyedError,
    message: /Tensor#\d+ was destroyed/,
  },
  {
    id: 'destroyed.tensor.record',
    area: 'Destroyed',
    api: 'seq.record',
    input: 'an OpSyncDevice of a destroyed tensor',
    call: destroyed(
      (c) => c.f32(2),
      (t, c) => c.seq().record(new OpSyncDevice([t])),
    ),
    error: DestroyedError,
    message: /recording OpSyncDevice/,
  },
  {
    id: 'destroyed.tensor.recorded',
    area: 'Destroyed',
    api: 'seq.eval',
    input: 'a recorded sequence whose tensor was destroyed since',
    call: (c) => {
      const t = c.f32(2);
      const s = c.seq().record(new OpSyncLocal([t]));
      t.destroy();
      return s.eval();
    },
    error: DestroyedError,
    message: /evaluating OpSyncLocal/,
  },
  {
    id: 'destroyed.tensor.through-algorithm',
    area: 'Destroyed',
    api: 'seq.eval',
    input: "a recorded dispatch whose algorithm's tensor was destroyed",
    call: async (c) => {
      const t = c.f32(2);
      const s = c.seq().record(new OpAlgoDispatch(c.algo([t], INCREMENT_SHADER)));
      await s.eval();
      t.destroy();
      return s.eval();
    },
    error: DestroyedError,
    message: /through Algorithm#\d+/,
  },
  {
    id: 'destroyed.tensor.rerecord',
    area: 'Destroyed',
    api: 'seq.rerecord',
    input: 'rerecord() after a recorded tensor was destroyed',
    call: (c) => {
      const t = c.f32(2);
      const s = c.seq().record(new OpSyncDevice([t]));
      t.destroy();
      return s.rerecord();
    },
    error: DestroyedError,
    message: /re-recording OpSyncDevice/,
  },
  {
    id: 'destroyed.algorithm.compiled',
    area: 'Destroyed',
    api: 'algorithm.compiled',
    input: 'a destroyed algorithm',
    call: destroyed(
      (c) => c.algo([c.f32(2)], INCREMENT_SHADER),
      (a) => a.compiled(),
    ),
    error: DestroyedError,
    message: /Algorithm#\d+ was destroyed/,
  },
  {
    id: 'destroyed.algorithm.rebuild',
    area: 'Destroyed',
    api: 'algorithm.rebuild',
    input: 'a destroyed algorithm',
    call: destroyed(
      (c) => c.algo([c.f32(2)], INCREMENT_SHADER),
      (a, c) => a.rebuild([c.f32(2)], INCREMENT_SHADER),
    ),
    error: DestroyedError,
    message: /rebuild/,
  },
  {
    id: 'destroyed.algorithm.set-push',
    area: 'Destroyed',
    api: 'algorithm.setPushConstants',
    input: 'a destroyed algorithm',
    call: destroyed(
      (c) => c.algo([c.f32(2)], ADD_PUSH_SHADER, { pushConstants: [1] }),
      (a) => a.setPushConstants([2]),
    ),
    error: DestroyedError,
    message: /setPushConstants/,
  },
  {
    id: 'destroyed.algorithm.get-tensors',
    area: 'Destroyed',
    api: 'algorithm.getTensors',
    input: 'a destroyed algorithm',
    call: destroyed(
      (c) => c.algo([c.f32(2)], INCREMENT_SHADER),
      (a) => a.getTensors(),
    ),
    error: DestroyedError,
    message: /getTensors/,
  },
  {
    id: 'destroyed.algorithm.record',
    area: 'Destroyed',
    api: 'seq.record',
    input: 'an OpAlgoDispatch of a destroyed algorithm',
    call: destroyed(
      (c) => c.algo([c.f32(2)], INCREMENT_SHADER),
      (a, c) => c.seq().record(new OpAlgoDispatch(a)),
    ),
    error: DestroyedError,
    message: /Algorithm#\d+ was destroyed/,
  },
  {
    id: 'destroyed.algorithm.recorded',
    area: 'Destroyed',
    api: 'seq.eval',
    input: 'a recorded sequence whose algorithm was destroyed since',
    call: async (c) => {
      const a = c.algo([c.f32(2)], INCREMENT_SHADER);
      const s = c.seq().record(new OpAlgoDispatch(a));
      await s.eval();
      a.destroy();
      return s.eval();
    },
    error: DestroyedError,
    message: /Algorithm#\d+ was destroyed/,
  },
  {
    id: 'destroyed.sequence.record',
    area: 'Destroyed',
    api: 'seq.record',
    input: 'a destroyed sequence',
    call: destroyed(
      (c) => c.seq(),
      (s, c) => s.record(new OpSyncDevice([c.f32(2)])),
    ),
    error: DestroyedError,
    message: /Sequence#\d+ was destroyed.*record/,
  },
  {
    id: 'destroyed.sequence.eval',
    area: 'Destroyed',
    api: 'seq.eval',
    input: 'a destroyed sequence',
    call: destroyed(
      (c) => c.seq(),
      (s) => s.eval(),
    ),
    error: DestroyedError,
    message: /Sequence#\d+ was destroyed/,
  },
  {
    id: 'destroyed.sequence.eval-await',
    area: 'Destroyed',
    api: 'seq.evalAwait',
    input: 'a destroyed sequence',
    call: destroyed(
      (c) => c.seq(),
      (s) => s.evalAwait(),
    ),
    error: DestroyedError,
    message: /evalAwait/,
  },
  {
    id: 'destroyed.sequence.rerecord',
    area: 'Destroyed',
    api: 'seq.rerecord',
    input: 'a destroyed sequence',
    call: destroyed(
      (c) => c.seq(),
      (s) => s.rerecord(),
    ),
    error: DestroyedError,
    message: /rerecord/,
  },
  {
    id: 'destroyed.sequence.clear',
    area: 'Destroyed',
    api: 'seq.clear',
    input: 'a destroyed sequence',
    call: destroyed(
      (c) => c.seq(),
      (s) => s.clear(),
    ),
    error: DestroyedError,
    message: /clear/,
  },
  {
    id: 'destroyed.sequence.get-timestamps',
    area: 'Destroyed',
    api: 'seq.getTimestamps',
    input: 'a destroyed timed sequence',
    call: destroyed(
      (c) => c.keep(c.mgr.sequence({ timestamps: true })),
      (s) => s.getTimestamps(),
    ),
    error: DestroyedError,
    message: /getTimestamps/,
  },
  {
    id: 'destroyed.sequence.while-running',
    area: 'Destroyed',
    api: 'seq.eval',
    input: 'the sequence destroyed while its evaluation is in flight',
    call: (c) => {
      const s = c.seq();
      const p = s.eval(new OpSyncLocal([c.f32(2)]));
      s.destroy();
      return p;
    },
    error: DestroyedError,
    message: /evaluation in flight was cancelled/,
  },
  {
    id: 'destroyed.manager.tensor',
    area: 'Destroyed',
    api: 'mgr.tensor',
    input: 'a destroyed manager',
    call: afterManagerDestroy((m) => m.tensor([1])),
    error: DestroyedError,
    message: /Manager was destroyed.*tensor\(\)/,
  },
  {
    id: 'destroyed.manager.algorithm',
    area: 'Destroyed',
    api: 'mgr.algorithm',
    input: 'a destroyed manager',
    call: afterManagerDestroy((m) => m.algorithm([], INCREMENT_SHADER)),
    error: DestroyedError,
    message: /algorithm\(\)/,
  },
  {
    id: 'destroyed.manager.sequence',
    area: 'Destroyed',
    api: 'mgr.sequence',
    input: 'a destroyed manager',
    call: afterManagerDestroy((m) => m.sequence()),
    error: DestroyedError,
    message: /sequence\(\)/,
  },
  {
    id: 'destroyed.manager.from-buffer',
    area: 'Destroyed',
    api: 'mgr.tensorFromBuffer',
    input: 'a destroyed manager',
    call: afterManagerDestroyWith(
      (m, c) => c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST, m),
      (m, buffer) => m.tensorFromBuffer(buffer, 'f32', 1),
    ),
    error: DestroyedError,
    message: /tensorFromBuffer\(\)/,
  },
  { id: 'destroyed.manager.device', area: 'Destroyed', api: 'mgr.device', input: 'a destroyed manager', call: afterManagerDestroy((m) => m.device), error: DestroyedError, message: /device/ },
  {
    id: 'destroyed.manager.device-info',
    area: 'Destroyed',
    api: 'mgr.deviceInfo',
    input: 'a destroyed manager',
    call: afterManagerDestroy((m) => m.deviceInfo()),
    error: DestroyedError,
    message: /deviceInfo\(\)/,
  },
  {
    id: 'destroyed.manager.tensor-data',
    area: 'Destroyed',
    api: 'tensor.data',
    input: 'a tensor of a destroyed manager',
    call: afterManagerDestroyWith(
      (m) => m.tensor([1, 2]),
      (_m, t) => t.data(),
    ),
    error: DestroyedError,
    message: /Tensor#\d+ was destroyed/,
  },
  {
    id: 'destroyed.manager.sequence-eval',
    area: 'Destroyed',
    api: 'seq.eval',
    input: 'a recorded sequence of a destroyed manager',
    call: afterManagerDestroyWith(
      (m) => m.sequence().record(new OpSyncDevice([m.tensor([1])])),
      (_m, s) => s.eval(),
    ),
    error: DestroyedError,
    message: /Sequence#\d+ was destroyed/,
  },
  {
    id: 'destroyed.manager.while-running',
    area: 'Destroyed',
    api: 'seq.eval',
    input: 'the manager destroyed while an evaluation is in flight',
    call: async (c) => {
      const m = await c.fresh();
      const p = m.sequence().eval(new OpSyncLocal([m.tensor([1, 2])]));
      m.destroy();
      return p;
    },
    error: DestroyedError,
    message: /cancelled/,
  },
];
