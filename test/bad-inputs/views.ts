/** Bad-input catalogue rows: tensor views (docs/errors.md, section "Tensor views"). */
import { AlgorithmBindingError, ArgumentError, DestroyedError, OpCopy, OpSyncLocal, SizeError, StateError } from '../../src/index.js';
import { T0, shader, type Row } from './catalogue.js';

export const AREA = { area: 'Views', heading: 'Tensor views' } as const;

const DOUBLE = shader(T0, 't[id.x] = t[id.x] * 2.0;');

export const ROWS: readonly Row[] = [
  {
    id: 'view.offset-negative',
    area: 'Views',
    api: 'tensor.view',
    input: 'offset -1',
    call: (c) => c.f32(8).view(-1, 2),
    error: ArgumentError,
    argument: 'offset',
    message: /must be a non-negative integer element index, got -1/,
  },
  {
    id: 'view.length-zero',
    area: 'Views',
    api: 'tensor.view',
    input: 'length 0',
    call: (c) => c.f32(8).view(0, 0),
    error: ArgumentError,
    argument: 'length',
    message: /must be a positive integer element count, got 0/,
  },
  {
    id: 'view.past-end',
    area: 'Views',
    api: 'tensor.view',
    input: 'view(6, 4) of an 8-element tensor',
    call: (c) => c.f32(8).view(6, 4),
    error: SizeError,
    argument: 'length',
    message: /ends at element 10, past .*'s 8/,
  },
  {
    id: 'view.f16-odd-offset',
    area: 'Views',
    api: 'tensor.view',
    input: "view(3, 2) of an 'f16' tensor (byte offset 6, not a multiple of 4)",
    call: (c) => c.keep(c.mgr.tensor(8, 'f16')).view(3, 2),
    error: ArgumentError,
    argument: 'offset',
    message: /starts at byte 6, which is not a multiple of 4.*element 2 or 4/,
  },
  {
    id: 'view.f16-odd-length',
    area: 'Views',
    api: 'tensor.view',
    input: "view(0, 3) of an 8-element 'f16' tensor (6 bytes, not ending the tensor)",
    call: (c) => c.keep(c.mgr.tensor(8, 'f16')).view(0, 3),
    error: ArgumentError,
    argument: 'length',
    message: /6 bytes, not a multiple of 4/,
  },
  {
    id: 'view.options',
    area: 'Views',
    api: 'tensor.view',
    input: "options 'label' (not an object)",
    call: (c) => c.f32(8).view(0, 2, 'label' as never),
    error: ArgumentError,
    argument: 'options',
    message: /expected an options object/,
  },
  {
    id: 'view.bind-misaligned',
    area: 'Views',
    api: 'mgr.algorithm',
    input: 'a view at element 3 (byte 12, not a multiple of minStorageBufferOffsetAlignment)',
    call: (c) => c.algo([c.f32(256).view(3, 8) as never], DOUBLE),
    error: AlgorithmBindingError,
    argument: 'tensors[0]',
    message: /starts at byte 12 .*minStorageBufferOffsetAlignment .*element 0 or 64/,
  },
  {
    id: 'view.bind-mixed-access',
    area: 'Views',
    api: 'mgr.algorithm',
    input: 'two views of one tensor, one bound read-only and one writable',
    call: (c) => {
      const t = c.f32(256);
      return c.algo(
        [t.view(0, 64), t.view(64, 64)] as never,
        shader(`@group(0) @binding(0) var<storage, read> a: array<f32>;\n@group(0) @binding(1) var<storage, read_write> b: array<f32>;`, 'b[0] = a[0];'),
      );
    },
    error: AlgorithmBindingError,
    argument: 'tensors[1]',
    message: /parts of one tensor.*only one of the bindings is writable/,
  },
  {
    id: 'view.bind-overlap',
    area: 'Views',
    api: 'mgr.algorithm',
    input: 'two overlapping views of one tensor, both writable',
    call: (c) => {
      const t = c.f32(256);
      return c.algo(
        [t.view(0, 128), t.view(64, 64)] as never,
        shader(`@group(0) @binding(0) var<storage, read_write> a: array<f32>;\n@group(0) @binding(1) var<storage, read_write> b: array<f32>;`, 'b[0] = a[0];'),
      );
    },
    error: AlgorithmBindingError,
    argument: 'tensors[1]',
    message: /their ranges overlap and both are writable/,
  },
  {
    id: 'view.copy-same-tensor',
    area: 'Views',
    api: 'seq.record(new OpCopy)',
    input: 'an OpCopy between two views of one tensor',
    call: (c) => {
      const t = c.f32(16);
      return c.seq().record(new OpCopy([t.view(0, 4), t.view(8, 4)]));
    },
    error: ArgumentError,
    argument: 'tensors[1]',
    message: /both are parts of .*different buffers/,
  },
  {
    id: 'view.copy-size',
    area: 'Views',
    api: 'seq.record(new OpCopy)',
    input: 'an OpCopy from a 4-element view into a 5-element view',
    call: (c) => c.seq().record(new OpCopy([c.f32(16).view(0, 4), c.f32(16).view(0, 5)])),
    error: SizeError,
    argument: 'tensors[1]',
    message: /4 elements.*5 elements/,
  },
  {
    id: 'view.set-data-length',
    area: 'Views',
    api: 'view.setData',
    input: '3 values for a 4-element view',
    call: (c) => c.f32(16).view(4, 4).setData([1, 2, 3]),
    error: SizeError,
    argument: 'values',
    message: /got 3 values for .*a view of 4 elements/,
  },
  {
    id: 'view.tensor-destroyed',
    area: 'Views',
    api: 'view.data',
    input: 'a view of a destroyed tensor',
    call: (c) => {
      const t = c.f32(16);
      const v = t.view(0, 4);
      t.destroy();
      return v.data();
    },
    error: DestroyedError,
    message: /Tensor#\d+ was destroyed .*a view of a destroyed tensor/,
  },
  {
    id: 'view.tensor-destroyed-sync',
    area: 'Views',
    api: 'seq.eval(new OpSyncLocal)',
    input: 'an OpSyncLocal of a view whose tensor was destroyed after recording',
    call: (c) => {
      const t = c.f32(16);
      const s = c.seq().record(new OpSyncLocal([t.view(0, 4)]));
      t.destroy();
      return s.eval();
    },
    error: DestroyedError,
    message: /a view of a destroyed tensor/,
  },
  {
    id: 'view.tensor-rebuilt-smaller',
    area: 'Views',
    api: 'view.data',
    input: 'view(8, 8) of a 16-element tensor rebuilt to 10 elements',
    call: (c) => {
      const t = c.f32(16);
      const v = t.view(8, 8);
      t.rebuild(10);
      return v.data();
    },
    error: StateError,
    message: /covers elements 8 to 15 but .* was rebuilt to 10 elements/,
  },
  {
    id: 'view.tensor-rebuilt-smaller-eval',
    area: 'Views',
    api: 'seq.eval(new OpSyncLocal)',
    input: 'an OpSyncLocal of a view whose tensor was rebuilt smaller after recording',
    call: (c) => {
      const t = c.f32(16);
      const s = c.seq().record(new OpSyncLocal([t.view(8, 8)]));
      t.rebuild(10);
      return s.eval();
    },
    error: StateError,
    message: /was rebuilt to 10 elements/,
  },
  {
    id: 'view.rebuild-past-end',
    area: 'Views',
    api: 'view.rebuild',
    input: 'rebuild(12, 8) of a view of a 16-element tensor',
    call: (c) => c.f32(16).view(0, 4).rebuild(12, 8),
    error: SizeError,
    argument: 'length',
    message: /ends at element 20, past/,
  },
];
