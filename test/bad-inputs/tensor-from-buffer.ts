/** Bad-input catalogue rows: tensorFromBuffer (docs/errors.md, section "mgr.tensorFromBuffer"). */
import { ArgumentError, DTypeError, MemoryType, OpAlgoDispatch, OpCopy, OpSyncLocal, SizeError, StateError, ValidationError } from '../../src/index.js';
import { INCREMENT_SHADER, Usage } from '../helpers.js';
import { type Row } from './catalogue.js';

export const AREA = { area: 'tensorFromBuffer', heading: 'mgr.tensorFromBuffer' } as const;

export const ROWS: readonly Row[] = [
  {
    id: 'from-buffer.too-small',
    area: 'tensorFromBuffer',
    api: 'mgr.tensorFromBuffer',
    input: "a 16-byte buffer for 8 'f32' elements",
    call: (c) => c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST), 'f32', 8),
    error: SizeError,
    argument: 'length',
    message: /need 32 bytes but the buffer has 16/,
  },
  {
    id: 'from-buffer.no-storage-usage',
    area: 'tensorFromBuffer',
    api: 'mgr.tensorFromBuffer',
    input: 'a buffer without STORAGE usage',
    call: (c) => c.mgr.tensorFromBuffer(c.buffer(16, Usage.COPY_SRC | Usage.COPY_DST), 'f32', 4),
    error: ArgumentError,
    argument: 'buffer',
    message: /lacks STORAGE/,
  },
  {
    id: 'from-buffer.no-copy-usage',
    area: 'tensorFromBuffer',
    api: 'mgr.tensorFromBuffer',
    input: 'a STORAGE-only buffer wrapped as a Device tensor',
    call: (c) => c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE), 'f32', 4),
    error: ArgumentError,
    argument: 'buffer',
    message: /COPY_SRC \| COPY_DST/,
  },
  {
    id: 'from-buffer.not-buffer',
    area: 'tensorFromBuffer',
    api: 'mgr.tensorFromBuffer',
    input: '{} (not a GPUBuffer)',
    call: (c) => c.mgr.tensorFromBuffer({} as never, 'f32', 4),
    error: ArgumentError,
    argument: 'buffer',
    message: /expected a GPUBuffer/,
  },
  {
    id: 'from-buffer.dtype',
    area: 'tensorFromBuffer',
    api: 'mgr.tensorFromBuffer',
    input: "dtype 'u8'",
    call: (c) => c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST), 'u8' as never, 4),
    error: DTypeError,
    argument: 'dtype',
    message: /unknown data type "u8"/,
  },
  {
    id: 'from-buffer.length',
    area: 'tensorFromBuffer',
    api: 'mgr.tensorFromBuffer',
    input: 'length -1',
    call: (c) => c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST), 'f32', -1),
    error: ArgumentError,
    argument: 'length',
    message: /got -1/,
  },
  {
    id: 'from-buffer.memory-type',
    area: 'tensorFromBuffer',
    api: 'mgr.tensorFromBuffer',
    input: "{ type: 'Shared' }",
    call: (c) => c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST), 'f32', 4, { type: 'Shared' as never }),
    error: ArgumentError,
    argument: 'options.type',
    message: /unknown memory type "Shared"/,
  },
  {
    id: 'from-buffer.rebuild',
    area: 'tensorFromBuffer',
    api: 'tensor.rebuild',
    input: 'rebuild(8) of a tensor that wraps an external buffer',
    call: (c) => c.keep(c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST), 'f32', 4)).rebuild(8),
    error: StateError,
    message: /wraps an external buffer and cannot be rebuilt/,
  },
  {
    id: 'from-buffer.destroyed-by-owner',
    area: 'tensorFromBuffer',
    api: 'seq.eval',
    input: 'an algorithm on a wrapped buffer that its owner destroyed',
    call: async (c) => {
      const buffer = c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST);
      const t = c.keep(c.mgr.tensorFromBuffer(buffer, 'f32', 4));
      const s = c.seq().record(new OpAlgoDispatch(c.algo([t], INCREMENT_SHADER)));
      await s.eval();
      buffer.destroy();
      return s.eval();
    },
    error: ValidationError,
    message: /destroyed/,
  },
  {
    id: 'from-buffer.other-device',
    area: 'tensorFromBuffer',
    api: 'seq.eval',
    input: "a wrapped buffer of another manager's device",
    call: (c) => c.seq().eval(new OpSyncLocal([c.keep(c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST, c.other), 'f32', 4))])),
    error: ValidationError,
    message: /cannot be used with/,
  },
  {
    id: 'from-buffer.mapped',
    area: 'tensorFromBuffer',
    api: 'seq.eval',
    input: 'a wrapped buffer still mapped (mappedAtCreation, never unmapped)',
    call: (c) => {
      const buffer = c.mgr.device.createBuffer({ size: 16, usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST, mappedAtCreation: true });
      c.later(() => buffer.destroy());
      return c.seq().eval(new OpSyncLocal([c.keep(c.mgr.tensorFromBuffer(buffer, 'f32', 4))]));
    },
    error: ValidationError,
    message: /mapped/,
  },
  {
    id: 'from-buffer.copy-into-storage-only',
    area: 'tensorFromBuffer',
    api: 'seq.record(new OpCopy)',
    input: 'an OpCopy into a STORAGE-only buffer wrapped as a Storage tensor',
    call: (c) => c.seq().eval(new OpCopy([c.f32(4), c.keep(c.mgr.tensorFromBuffer(c.buffer(16, Usage.STORAGE), 'f32', 4, { type: MemoryType.Storage }))])),
    error: ArgumentError,
    argument: 'tensors[1]',
    message: /COPY_DST/,
  },
];
