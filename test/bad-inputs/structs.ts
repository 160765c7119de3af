/** Bad-input catalogue rows: struct arrays (docs/errors.md, section "Struct arrays"). */
import { ArgumentError, DTypeError, SizeError, StructType } from '../../src/index.js';
import type { Row } from './catalogue.js';

export const AREA = { area: 'Structs', heading: 'Struct arrays' } as const;

const P = 'struct P { pos: vec2f, id: u32 }';

export const ROWS: readonly Row[] = [
  {
    id: 'struct.no-struct',
    area: 'Structs',
    api: 'StructType.fromWgsl',
    input: "'fn f() {}' (no struct declared)",
    call: () => StructType.fromWgsl('fn f() {}'),
    error: ArgumentError,
    argument: 'wgsl',
    message: /declares no struct/,
  },
  {
    id: 'struct.unknown-name',
    area: 'Structs',
    api: 'StructType.fromWgsl',
    input: "name 'Q' for a module that declares only P",
    call: () => StructType.fromWgsl(P, 'Q'),
    error: ArgumentError,
    argument: 'name',
    message: /no struct 'Q' .*its structs: P/,
  },
  {
    id: 'struct.runtime-array',
    area: 'Structs',
    api: 'StructType.fromWgsl',
    input: 'a struct ending in a runtime-sized array',
    call: () => StructType.fromWgsl('struct R { a: f32, b: array<f32> }'),
    error: ArgumentError,
    argument: 'wgsl',
    message: /runtime-sized array/,
  },
  {
    id: 'struct.schema-type',
    area: 'Structs',
    api: 'StructType.fromSchema',
    input: '{ a: 5 } (not a member type)',
    call: () => StructType.fromSchema({ a: 5 as never }),
    error: ArgumentError,
    argument: 'schema.a',
    message: /is not a member type/,
  },
  {
    id: 'struct.tensor-size',
    area: 'Structs',
    api: 'structType.read',
    input: 'a 20-byte tensor for 16-byte structs',
    call: (c) => StructType.fromWgsl(P).read(c.f32(5)),
    error: SizeError,
    argument: 'memory',
    message: /holds 20 bytes, not a whole number of 16-byte P structs/,
  },
  {
    id: 'struct.unknown-member',
    area: 'Structs',
    api: 'structType.encode',
    input: '{ pos: [1, 2], idd: 3 } (a misspelt member)',
    call: () => StructType.fromWgsl(P).encode([{ pos: [1, 2], idd: 3 }]),
    error: ArgumentError,
    argument: 'values[0].idd',
    message: /no member 'idd'.*did you mean 'id'/,
  },
  {
    id: 'struct.vector-length',
    area: 'Structs',
    api: 'structType.encode',
    input: '{ pos: [1, 2, 3], id: 3 } (3 numbers for a vec2f)',
    call: () => StructType.fromWgsl(P).encode([{ pos: [1, 2, 3], id: 3 }]),
    error: SizeError,
    argument: 'values[0].pos',
    message: /vec2f takes 2 number/,
  },
  {
    id: 'struct.integer-range',
    area: 'Structs',
    api: 'structType.encode',
    input: '{ pos: [1, 2], id: -1 } (a negative u32)',
    call: () => StructType.fromWgsl(P).encode([{ pos: [1, 2], id: -1 }]),
    error: DTypeError,
    argument: 'values[0].id',
    message: /-1 is not a u32 value/,
  },
  {
    id: 'struct.window',
    area: 'Structs',
    api: 'structType.view',
    input: 'view(tensor, 1, 2) of a tensor of 2 structs',
    call: (c) => {
      const S = StructType.fromWgsl(P);
      return S.view(c.keep(c.mgr.tensor(S.elementsFor(2), 'f32')), 1, 2);
    },
    error: SizeError,
    argument: 'count',
    message: /2 structs from 1 do not fit in 2/,
  },
];
