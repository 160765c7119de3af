/** Bad-input catalogue rows: Concurrency (docs/errors.md, section "Evaluations in flight"). */
import { OpSyncLocal, StateError } from '../../src/index.js';
import { LARGE, transferring, type Row } from './catalogue.js';

export const AREA = { area: 'Concurrency', heading: 'Evaluations in flight' } as const;

export const ROWS: readonly Row[] = [
  {
    id: 'busy.data',
    area: 'Concurrency',
    api: 'tensor.data',
    input: 'data() while an evaluation transfers the tensor',
    call: async (c) => {
      const t = c.f32([1, 2]);
      await transferring(c, t);
      return t.data();
    },
    error: StateError,
    message: /being transferred by a running evaluation/,
  },
  {
    id: 'busy.data-large',
    area: 'Concurrency',
    api: 'tensor.data',
    input: 'data() while an evaluation transfers a tensor over 64 KiB (mapped host copy)',
    call: async (c) => {
      const t = c.f32(LARGE);
      await transferring(c, t);
      return t.data();
    },
    error: StateError,
    message: /being transferred by a running evaluation/,
  },
  {
    id: 'busy.data-first-eval',
    area: 'Concurrency',
    api: 'tensor.data',
    input: 'data() right after evalAsync() of a sequence never evaluated before',
    call: (c) => {
      const t = c.f32([1, 2]);
      c.seq().evalAsync(new OpSyncLocal([t]));
      return t.data();
    },
    error: StateError,
    message: /being transferred by a running evaluation/,
  },
  {
    id: 'busy.set-data',
    area: 'Concurrency',
    api: 'tensor.setData',
    input: 'setData() while an evaluation transfers the tensor',
    call: async (c) => {
      const t = c.f32(LARGE);
      await transferring(c, t);
      return t.setData(new Float32Array(LARGE));
    },
    error: StateError,
    message: /being transferred/,
  },
  {
    id: 'busy.rebuild',
    area: 'Concurrency',
    api: 'tensor.rebuild',
    input: 'rebuild() while an evaluation transfers the tensor',
    call: async (c) => {
      const t = c.f32([1, 2]);
      await transferring(c, t);
      return t.rebuild(4);
    },
    error: StateError,
    message: /a running evaluation is transferring this tensor/,
  },
  {
    id: 'busy.two-sequences',
    area: 'Concurrency',
    api: 'seq.eval',
    input: 'a second sequence transferring a tensor the first one is transferring',
    call: async (c) => {
      const t = c.f32([1, 2]);
      await transferring(c, t);
      return c.seq().eval(new OpSyncLocal([t]));
    },
    error: StateError,
    message: /being transferred by another running evaluation/,
  },
];
