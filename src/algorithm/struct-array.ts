import { ArgumentError, SizeError } from '../errors.js';
import type { DType, TypedArrayFor } from '../memory/dtype.js';
import { float16BitsToFloat32 } from '../memory/float16.js';
import { Tensor } from '../memory/tensor.js';
import { TensorView } from '../memory/tensor-view.js';
import { type ReflectedType, type StructField, type StructLayout, type StructScalar, structLayout, writeStruct } from './struct-layout.js';
import { parseWgsl } from './wgsl-parse.js';

/**
 * Arrays of WGSL structs (`array<Particle>`) laid out exactly as the shader declares them, after
 * the requests of Kompute #124, #327 and #420: offsets, strides, padding, vector and matrix
 * members, nested structs, f32/i32/u32/f16. The layout comes from `wgsl_reflect` (the reflection
 * kompute-ts reads shaders with) and the member code is the push constants' and parameter
 * blocks' (struct-layout.ts): one layout code path for every struct the library fills.
 * @module
 */

/** A member's type in a {@link StructType.fromSchema} schema: a WGSL type as written, another struct, or a fixed array of either. */
export type StructSchemaType = string | StructType | readonly [StructSchemaType, number];

/** A struct declared as an object: member name → type, in member order. */
export type StructSchema = Readonly<Record<string, StructSchemaType>>;

/** One member as {@link StructType.fields} reports it. */
export interface StructMember {
  /** The member's name. */
  readonly name: string;
  /** The type as written, e.g. `vec3<f32>`. */
  readonly type: string;
  /** Byte offset from the start of the struct. */
  readonly offset: number;
  /** Bytes the member occupies (padding after it not counted). */
  readonly size: number;
}

/** A value of a struct as plain JavaScript: numbers, number arrays (vectors, matrices column by column, fixed arrays flattened) and nested objects. */
export type StructValue = Record<string, unknown>;

/** Packed copies of each scalar, vector or matrix member, one typed array per member (nested members as `outer.inner`). */
export type StructColumns = Record<string, Float32Array | Int32Array | Uint32Array>;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The layout of one WGSL struct as an element of an array (`array<S>` in a storage buffer):
 * its members' offsets, its size and alignment, the stride between elements. It writes plain
 * objects into a tensor's host copy and reads them back, so an `array<Particle>` needs no
 * hand-computed offsets:
 *
 * ```ts
 * const Particle = StructType.fromWgsl('struct Particle { pos: vec2f, vel: vec2f, color: vec4f, id: u32 }');
 * const state = mgr.tensor(Particle.encode(particles), { type: MemoryType.Device });
 * // ... evaluate, OpSyncLocal([state]) ...
 * const back = Particle.read(state); // [{ pos: [x, y], vel: [...], color: [...], id: 7 }, ...]
 * ```
 */
export class StructType {
  /** The struct's name in WGSL. */
  readonly name: string;
  /** Bytes of one struct (what `sizeOf` says in WGSL, trailing padding included). */
  readonly size: number;
  /** The struct's alignment in bytes. */
  readonly align: number;
  /** Bytes from one element of an `array<S>` to the next: the size rounded up to the alignment. */
  readonly stride: number;
  /** The members, in declaration order, with their byte offsets. */
  readonly fields: readonly StructMember[];
  /** The WGSL declaration(s): this struct and the structs it nests, ready to paste into a shader. */
  readonly wgsl: string;
  /**
   * The tensor dtype that suits the struct: its one scalar type when every member is made of
   * it (so binding checks see matching element types), else `u32` (the bytes as words).
   */
  readonly dtype: DType;
  readonly #layout: StructLayout;

  private constructor(name: string, reflected: ReflectedType & { readonly align?: number }, wgsl: string) {
    this.#layout = structLayout(reflected);
    this.name = name;
    this.size = this.#layout.size;
    this.align = reflected.align ?? 4;
    this.stride = Math.ceil(this.size / this.align) * this.align;
    this.fields = (reflected.members ?? []).map((m) => ({ name: m.name, type: this.#layout.fields.find((f) => f.name === m.name)!.type, offset: m.offset, size: m.type.size ?? 0 }));
    this.wgsl = wgsl;
    const scalar = this.#layout.scalar;
    this.dtype = scalar ?? 'u32';
    if (this.stride % 4 !== 0) {
      throw new ArgumentError('wgsl', `struct ${name} has a ${this.stride}-byte stride, not a multiple of 4`, 'add an f16 member or padding so the struct fills whole 4-byte words');
    }
  }

  /**
   * The struct named `name` (default: the last struct declared) of `wgsl`: a struct declaration
   * you write once, or a whole shader (the layout is then exactly what that shader reads).
   */
  static fromWgsl(wgsl: string, name?: string): StructType {
    if (typeof wgsl !== 'string' || wgsl.trim() === '') throw new ArgumentError('wgsl', 'expected WGSL source text with a struct declaration', "e.g. 'struct Particle { pos: vec2f, id: u32 }'");
    let structs: readonly (ReflectedType & { readonly align?: number })[];
    try {
      structs = parseWgsl(wgsl).reflect.structs as unknown as (ReflectedType & { readonly align?: number })[];
    } catch (error) {
      throw new ArgumentError(
        'wgsl',
        `the WGSL could not be parsed: ${error instanceof Error ? error.message : String(error)}`,
        'check the struct declaration (members separated by commas, types as in WGSL)',
      );
    }
    if (structs.length === 0) throw new ArgumentError('wgsl', 'declares no struct', "declare one: 'struct Name { member: type, ... }'");
    const found = name === undefined ? structs[structs.length - 1]! : structs.find((s) => s.name === name);
    if (!found) throw new ArgumentError('name', `no struct '${name}' in the WGSL`, `its structs: ${structs.map((s) => s.name).join(', ')}`);
    const nested = declarationsOf(wgsl);
    return new StructType(found.name, found, nested);
  }

  /**
   * A struct from an object of member types, in member order: WGSL types as written (`'vec2f'`,
   * `'mat4x4<f32>'`, `'array<u32, 4>'`), other {@link StructType}s, or `[type, count]` for fixed
   * arrays of either. The layout is WGSL's for the equivalent declaration.
   */
  static fromSchema(schema: StructSchema, name = 'Struct'): StructType {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new ArgumentError('schema', 'expected an object of member types', "e.g. { pos: 'vec2f', id: 'u32' }");
    if (!IDENT.test(name)) throw new ArgumentError('name', `'${name}' is not a WGSL identifier`, 'use letters, digits and underscores');
    const members = Object.entries(schema);
    if (members.length === 0) throw new ArgumentError('schema', 'has no members', 'give the struct at least one member');
    const nested = new Map<string, StructType>();
    const text = (type: StructSchemaType, where: string): string => {
      if (type instanceof StructType) {
        const seen = nested.get(type.name);
        if (seen && seen !== type) throw new ArgumentError(where, `two different structs are named ${type.name}`, 'give nested structs distinct names');
        nested.set(type.name, type);
        return type.name;
      }
      if (Array.isArray(type) && type.length === 2 && Number.isInteger(type[1]) && (type[1] as number) > 0) return `array<${text(type[0] as StructSchemaType, where)}, ${type[1]}>`;
      if (typeof type === 'string' && /^[A-Za-z0-9_<>, ]+$/.test(type)) return type;
      throw new ArgumentError(where, `is not a member type: ${JSON.stringify(type)}`, "use a WGSL type ('f32', 'vec4f', 'mat3x3<f32>', 'array<u32, 4>'), a StructType, or [type, count]");
    };
    const body = members
      .map(([member, type]) => {
        if (!IDENT.test(member)) throw new ArgumentError(`schema.${member}`, `'${member}' is not a WGSL identifier`, 'use letters, digits and underscores');
        return `  ${member}: ${text(type, `schema.${member}`)},`;
      })
      .join('\n');
    const declarations = [...new Set([...nested.values()].map((s) => s.wgsl))].join('\n');
    const usesF16 = members.some(([, t]) => typeof t === 'string' && /f16|h\b|h>/.test(t)) || declarations.includes('enable f16');
    const enable = usesF16 && !declarations.includes('enable f16') ? 'enable f16;\n' : '';
    return StructType.fromWgsl(`${enable}${declarations}${declarations ? '\n' : ''}struct ${name} {\n${body}\n}\n`, name);
  }

  /** Number of structs in `memory` (a tensor or a view); an ArgumentError when its bytes are not a whole number of them. */
  countIn(memory: Tensor | TensorView, argument = 'memory'): number {
    checkMemory(memory, argument);
    if (memory instanceof TensorView && memory.byteOffset % this.stride !== 0) {
      throw new ArgumentError(
        argument,
        `${memory.label} starts at byte ${memory.byteOffset}, not at a ${this.name} (every ${this.stride} bytes)`,
        `view whole structs: structType.view(tensor, first, count)`,
      );
    }
    if (memory.byteLength % this.stride !== 0) {
      throw new SizeError(
        argument,
        `${memory.label} holds ${memory.byteLength} bytes, not a whole number of ${this.stride}-byte ${this.name} structs`,
        `make it ${this.stride / 4} × n 4-byte elements: mgr.tensor(${this.name}.elementsFor(n), '${this.dtype}')`,
      );
    }
    return memory.byteLength / this.stride;
  }

  /** Tensor elements (of a 4-byte dtype) that `count` structs take. */
  elementsFor(count: number): number {
    if (!Number.isInteger(count) || count <= 0) throw new ArgumentError('count', `must be a positive integer, got ${String(count)}`, 'an array holds at least one struct');
    return (count * this.stride) / (this.dtype === 'f16' ? 2 : 4);
  }

  /**
   * `values` as the bytes of an `array<S>`, in a typed array of {@link dtype} (pass it to
   * `mgr.tensor(...)`). Each value is an object keyed by member name (vectors and matrices as
   * number arrays, matrices column by column, nested structs as objects) or the flat list of
   * its numbers in member order. Padding is zero.
   */
  encode(values: readonly unknown[]): TypedArrayFor<DType> {
    if (!Array.isArray(values) || values.length === 0) throw new ArgumentError('values', 'expected a non-empty array of struct values', `pass [{ ${this.fields.map((f) => f.name).join(', ')} }, ...]`);
    const bytes = new ArrayBuffer(values.length * this.stride);
    const view = new DataView(bytes);
    values.forEach((v, i) => writeStruct(view, i * this.stride, this.#layout, v, `values[${i}]`));
    return typedArrayOf(this.dtype, bytes);
  }

  /** The structs held in `data` (the bytes of an `array<S>`, e.g. `tensor.data()`), as plain objects. */
  decode(data: ArrayBufferView): StructValue[] {
    if (!ArrayBuffer.isView(data)) throw new ArgumentError('data', 'expected a typed array', 'pass tensor.data() or the result of encode()');
    if (data.byteLength % this.stride !== 0) {
      throw new SizeError('data', `${data.byteLength} bytes are not a whole number of ${this.stride}-byte ${this.name} structs`, 'pass the bytes of whole structs');
    }
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    return Array.from({ length: data.byteLength / this.stride }, (_, i) => readStruct(view, i * this.stride, this.#layout));
  }

  /** Structs `first` .. `first + count - 1` (default: all) of `memory`'s host copy, as plain objects. */
  read(memory: Tensor | TensorView, first = 0, count?: number): StructValue[] {
    const total = this.countIn(memory);
    const n = checkWindow(first, count ?? total - first, total, this.name);
    const data = memory.data();
    return this.decode(new Uint8Array(data.buffer, data.byteOffset + first * this.stride, n * this.stride));
  }

  /** Writes `values` into `memory`'s host copy from struct `first` on (then `OpSyncDevice` moves them). */
  write(memory: Tensor | TensorView, values: readonly unknown[], first = 0): void {
    const total = this.countIn(memory);
    if (!Array.isArray(values) || values.length === 0) throw new ArgumentError('values', 'expected a non-empty array of struct values', `pass [{ ${this.fields.map((f) => f.name).join(', ')} }, ...]`);
    checkWindow(first, values.length, total, this.name, 'values');
    const encoded = this.encode(values);
    const data = memory.data();
    new Uint8Array(data.buffer, data.byteOffset + first * this.stride, encoded.byteLength).set(new Uint8Array(encoded.buffer));
  }

  /**
   * Each scalar, vector or matrix member of every struct in `memory`'s host copy, packed into one
   * typed array per member (`pos: vec2f` of n structs → a Float32Array of 2n). Copies, not views:
   * WGSL interleaves the members, and typed arrays cannot stride. f16 members come as Float32Array.
   */
  columns(memory: Tensor | TensorView): StructColumns {
    const count = this.countIn(memory);
    const data = memory.data();
    const view = new DataView(data.buffer, data.byteOffset, count * this.stride);
    const out: StructColumns = {};
    const walk = (layout: StructLayout, base: number, prefix: string, element: number): void => {
      for (const f of layout.fields) {
        if (f.nested) {
          for (let e = 0; e < f.count; e++) walk(f.nested, base + f.offset + e * f.stride, f.count === 1 && !f.type.startsWith('array') ? `${prefix}${f.name}.` : `${prefix}${f.name}[${e}].`, element);
          continue;
        }
        const key = `${prefix}${f.name}`;
        const width = f.components.length;
        if (!out[key]) out[key] = columnOf(f.scalar!, count * width);
        const column = out[key];
        f.components.forEach((offset, k) => {
          column[element * width + k] = readScalar(view, base + offset, f.scalar!);
        });
      }
    };
    for (let i = 0; i < count; i++) walk(this.#layout, i * this.stride, '', i);
    return out;
  }

  /** A view of structs `first` .. `first + count - 1` of `tensor`: bind it, or sync just those structs. */
  view(tensor: Tensor, first: number, count: number): TensorView {
    const total = this.countIn(tensor, 'tensor');
    checkWindow(first, count, total, this.name);
    const perElement = tensor.dtype === 'f16' ? 2 : 4;
    return tensor.view((first * this.stride) / perElement, (count * this.stride) / perElement);
  }
}

function checkMemory(memory: unknown, argument: string): asserts memory is Tensor | TensorView {
  if (!(memory instanceof Tensor) && !(memory instanceof TensorView)) {
    throw new ArgumentError(argument, 'expected a tensor or a view of one', 'struct arrays live in tensors: mgr.tensor(structType.encode(values))');
  }
}

function checkWindow(first: number, count: number, total: number, name: string, argument = 'count'): number {
  if (!Number.isInteger(first) || first < 0 || first >= total)
    throw new ArgumentError('first', `must be a struct index from 0 to ${total - 1}, got ${String(first)}`, `the array holds ${total} ${name} structs`);
  if (!Number.isInteger(count) || count <= 0 || first + count > total) {
    throw new SizeError(argument, `${String(count)} structs from ${first} do not fit in ${total}`, `at most ${total - first} from struct ${first}`);
  }
  return count;
}

function typedArrayOf(dtype: DType, bytes: ArrayBuffer): TypedArrayFor<DType> {
  if (dtype === 'f32') return new Float32Array(bytes);
  if (dtype === 'i32') return new Int32Array(bytes);
  if (dtype === 'f16') return new Uint16Array(bytes);
  return new Uint32Array(bytes);
}

function columnOf(scalar: StructScalar, length: number): Float32Array | Int32Array | Uint32Array {
  if (scalar === 'i32') return new Int32Array(length);
  if (scalar === 'u32') return new Uint32Array(length);
  return new Float32Array(length);
}

function readScalar(view: DataView, offset: number, scalar: StructScalar): number {
  if (scalar === 'f32') return view.getFloat32(offset, true);
  if (scalar === 'i32') return view.getInt32(offset, true);
  if (scalar === 'u32') return view.getUint32(offset, true);
  return float16BitsToFloat32(view.getUint16(offset, true));
}

function readField(view: DataView, base: number, f: StructField): unknown {
  if (f.nested) {
    const elements = Array.from({ length: f.count }, (_, e) => readStruct(view, base + f.offset + e * f.stride, f.nested!));
    return f.count === 1 && !f.type.startsWith('array') ? elements[0] : elements;
  }
  const values = f.components.map((offset) => readScalar(view, base + offset, f.scalar!));
  return values.length === 1 && !f.type.startsWith('array') ? values[0] : values;
}

function readStruct(view: DataView, base: number, layout: StructLayout): StructValue {
  const out: StructValue = {};
  for (const f of layout.fields) out[f.name] = readField(view, base, f);
  return out;
}

/** The `enable` directives and struct declarations of `wgsl` (what a shader needs to declare the struct). */
function declarationsOf(wgsl: string): string {
  const bare = wgsl.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const parts = [...bare.matchAll(/\benable\s+[^;]+;|\bstruct\s+[A-Za-z_][A-Za-z0-9_]*\s*\{[^}]*\}/g)].map((m) => m[0]);
  return parts.join('\n');
}
