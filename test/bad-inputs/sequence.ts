/** Bad-input catalogue rows: Sequence (docs/errors.md, section "Sequence"). */
import { ArgumentError, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, SizeError, StateError } from '../../src/index.js';
import { INCREMENT_SHADER } from '../helpers.js';

import type { Row } from './catalogue.js';

export const AREA = { area: 'Sequence', heading: 'Sequence' } as const;

export const ROWS: readonly Row[] = [
  {
    id: 'sequence.record.not-op',
    area: 'Sequence',
    api: 'seq.record',
    input: '{} (not an operation)',
    call: (c) => c.seq().record({} as never),
    error: ArgumentError,
    argument: 'op',
    message: /expected an operation/,
  },
  {
    id: 'sequence.record.undefined',
    area: 'Sequence',
    api: 'seq.record',
    input: 'undefined',
    call: (c) => c.seq().record(undefined as never),
    error: ArgumentError,
    argument: 'op',
    message: /expected an operation/,
  },
  {
    id: 'sequence.eval.not-op',
    area: 'Sequence',
    api: 'seq.eval',
    input: "an op and 'sync' (not an operation)",
    call: (c) => c.seq().eval(new OpSyncDevice([c.f32(2)]), 'sync' as never),
    error: ArgumentError,
    argument: 'op',
    message: /expected an operation/,
  },
  {
    id: 'sequence.eval.upload-after-readback-and-dispatch',
    area: 'Sequence',
    api: 'seq.eval',
    input: 'OpSyncLocal, a dispatch writing the tensor, then OpSyncDevice of the same tensor, in one evaluation',
    call: (c) => {
      const t = c.f32([1, 2]);
      return c.seq().eval(new OpSyncLocal([t]), new OpAlgoDispatch(c.algo([t], INCREMENT_SHADER)), new OpSyncDevice([t]));
    },
    error: StateError,
    message: /in the same evaluation, a readback/,
  },
  {
    id: 'sequence.record.other-manager',
    area: 'Sequence',
    api: 'seq.record',
    input: "an OpSyncDevice of another manager's tensor",
    call: (c) => c.seq().record(new OpSyncDevice([c.f32(2, {}, c.other)])),
    error: ArgumentError,
    argument: 'op',
    message: /belongs to another manager/,
  },
  {
    id: 'sequence.eval.other-manager-algorithm',
    area: 'Sequence',
    api: 'seq.eval',
    input: "an OpAlgoDispatch of another manager's algorithm",
    call: (c) => c.seq().eval(new OpAlgoDispatch(c.algo([c.f32(2, {}, c.other)], INCREMENT_SHADER, {}, c.other))),
    error: ArgumentError,
    argument: 'op',
    message: /belongs to another manager/,
  },
  {
    id: 'sequence.eval.while-running',
    area: 'Sequence',
    api: 'seq.eval',
    input: 'eval() while an evaluation of the sequence is in flight',
    call: (c) =>
      c
        .seq()
        .evalAsync(new OpSyncLocal([c.f32(2)]))
        .eval(),
    error: StateError,
    message: /eval.*while an evaluation is running/,
  },
  {
    id: 'sequence.eval-async.while-running',
    area: 'Sequence',
    api: 'seq.evalAsync',
    input: 'evalAsync() while an evaluation is in flight',
    call: (c) =>
      c
        .seq()
        .evalAsync(new OpSyncLocal([c.f32(2)]))
        .evalAsync(),
    error: StateError,
    message: /evalAsync\(\) while an evaluation is running/,
  },
  {
    id: 'sequence.record.while-running',
    area: 'Sequence',
    api: 'seq.record',
    input: 'record() while an evaluation is in flight',
    call: (c) =>
      c
        .seq()
        .evalAsync(new OpSyncLocal([c.f32(2)]))
        .record(new OpSyncDevice([c.f32(2)])),
    error: StateError,
    message: /record\(\) while an evaluation is running/,
  },
  {
    id: 'sequence.rerecord.while-running',
    area: 'Sequence',
    api: 'seq.rerecord',
    input: 'rerecord() while an evaluation is in flight',
    call: (c) =>
      c
        .seq()
        .evalAsync(new OpSyncLocal([c.f32(2)]))
        .rerecord(),
    error: StateError,
    message: /rerecord\(\) while an evaluation is running/,
  },
  {
    id: 'sequence.eval-await.negative',
    area: 'Sequence',
    api: 'seq.evalAwait',
    input: 'timeoutMs -1',
    call: (c) => c.seq().evalAwait(-1),
    error: ArgumentError,
    argument: 'timeoutMs',
    message: /from 0 to 2147483647, got -1/,
  },
  {
    id: 'sequence.eval-await.nan',
    area: 'Sequence',
    api: 'seq.evalAwait',
    input: 'timeoutMs NaN',
    call: (c) => c.seq().evalAwait(NaN),
    error: ArgumentError,
    argument: 'timeoutMs',
    message: /got NaN/,
  },
  {
    id: 'sequence.eval-await.string',
    area: 'Sequence',
    api: 'seq.evalAwait',
    input: "timeoutMs '10'",
    call: (c) => c.seq().evalAwait('10' as never),
    error: ArgumentError,
    argument: 'timeoutMs',
    message: /got 10/,
  },
  {
    id: 'sequence.eval-await.infinity',
    area: 'Sequence',
    api: 'seq.evalAwait',
    input: 'timeoutMs Infinity while running (setTimeout cannot wait that long)',
    call: (c) =>
      c
        .seq()
        .evalAsync(new OpSyncLocal([c.f32(2)]))
        .evalAwait(Infinity),
    error: ArgumentError,
    argument: 'timeoutMs',
    message: /Infinity/,
  },
  {
    id: 'sequence.eval-await.over-timer-max',
    area: 'Sequence',
    api: 'seq.evalAwait',
    input: 'timeoutMs 2^31 while running (over the largest timer delay)',
    call: (c) =>
      c
        .seq()
        .evalAsync(new OpSyncLocal([c.f32(2)]))
        .evalAwait(2 ** 31),
    error: ArgumentError,
    argument: 'timeoutMs',
    message: /2147483648/,
  },
  {
    id: 'sequence.timestamps.not-enabled',
    area: 'Sequence',
    api: 'seq.getTimestamps',
    input: 'a sequence created without { timestamps: true }',
    call: (c) => c.seq().getTimestamps(),
    error: StateError,
    message: /was created without timestamps/,
  },
  {
    id: 'sequence.timestamps.too-many-dispatches',
    area: 'Sequence',
    api: 'seq.eval',
    input: '2049 timed dispatches in one batch',
    call: (c) => {
      const s = c.keep(c.mgr.sequence({ timestamps: true }));
      const op = new OpAlgoDispatch(c.algo([c.f32(1)], INCREMENT_SHADER));
      for (let i = 0; i < 2049; i++) s.record(op);
      return s.eval();
    },
    error: SizeError,
    argument: 'batch',
    message: /2049 timed dispatches exceed 2048/,
  },
  {
    id: 'sequence.options.null',
    area: 'Sequence',
    api: 'mgr.sequence',
    input: 'null',
    call: (c) => c.mgr.sequence(null as never),
    error: ArgumentError,
    argument: 'options',
    message: /expected an options object, got null/,
  },
  {
    id: 'sequence.options.timestamps-string',
    area: 'Sequence',
    api: 'mgr.sequence',
    input: "{ timestamps: 'yes' } (not a boolean)",
    call: (c) => c.mgr.sequence({ timestamps: 'yes' as never }),
    error: ArgumentError,
    argument: 'timestamps',
    message: /expected true or false/,
  },
  {
    id: 'sequence.options.misspelled',
    area: 'Sequence',
    api: 'mgr.sequence',
    input: '{ timestamp: true } (misspelled)',
    call: (c) => c.mgr.sequence({ timestamp: true } as never),
    error: ArgumentError,
    argument: 'timestamp',
    message: /did you mean 'timestamps'/,
  },
];
