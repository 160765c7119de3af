import { ArgumentError, DTypeError, SizeError } from '../errors.js';
import { float32ToFloat16Bits } from '../memory/float16.js';

/**
 * The host-shareable layout of a WGSL type (a uniform's or a push-constant struct, later the
 * element of an `array<Particle>`), read from the reflection: every scalar it is made of, with
 * its byte offset, and how JavaScript values map onto them. One code path for push constants,
 * parameter blocks and typed struct arrays: {@link structLayout} builds it, {@link encodeStruct}
 * writes values into bytes.
 */

/** The scalar types a host-shareable WGSL value is built from. */
export type StructScalar = 'f32' | 'i32' | 'u32' | 'f16';

/** One member of a struct (or the whole value, for a non-struct type). */
export interface StructField {
  /** The member's name (`value` for a non-struct type). */
  readonly name: string;
  /** The type as written, e.g. `vec3<f32>` or `array<vec4f, 4>`. */
  readonly type: string;
  /** Byte offset from the start of the struct. */
  readonly offset: number;
  /** The scalar type of its components. */
  readonly scalar: StructScalar | null;
  /** Byte offsets (from the struct's start) of each scalar component, in value order. */
  readonly components: readonly number[];
  /** For a nested struct or an array of structs: each element's fields (offsets relative to the element). */
  readonly nested: StructLayout | null;
  /** For arrays of structs: element count and stride. */
  readonly count: number;
  readonly stride: number;
}

/** The layout of a whole struct. */
export interface StructLayout {
  /** The struct's name, or the type as written. */
  readonly name: string;
  /** Byte size of the type (what the binding needs). */
  readonly size: number;
  readonly fields: readonly StructField[];
  /** Number of scalar components, all fields together (the length of a flat value list). */
  readonly length: number;
  /** The one scalar type of every component, or null when mixed (or nested structs). */
  readonly scalar: StructScalar | null;
}

/** The parts of `wgsl_reflect`'s TypeInfo / MemberInfo this file reads. */
export interface ReflectedType {
  readonly name: string;
  readonly size?: number;
  readonly count?: number;
  readonly stride?: number;
  readonly format?: ReflectedType | null;
  readonly members?: readonly { readonly name: string; readonly offset: number; readonly type: ReflectedType }[] | null;
}

const SCALAR_BYTES: Readonly<Record<StructScalar, number>> = { f32: 4, i32: 4, u32: 4, f16: 2 };
const SHORT: Readonly<Record<string, StructScalar>> = { f: 'f32', i: 'i32', u: 'u32', h: 'f16' };

/** The type as written in WGSL. */
export function typeText(type: ReflectedType | null | undefined): string {
  if (!type) return '?';
  if (type.name === 'array' && type.format) return `array<${typeText(type.format)}${type.count ? `, ${type.count}` : ''}>`;
  if (type.format) return `${type.name}<${typeText(type.format)}>`;
  return type.name;
}

function scalarOf(name: string, format: ReflectedType | null | undefined): StructScalar | null {
  if (name in SCALAR_BYTES) return name as StructScalar;
  const short = /^(?:vec[234]|mat[234]x[234])([fiuh])$/.exec(name)?.[1];
  if (short) return SHORT[short]!;
  const f = format?.name;
  return f !== undefined && f in SCALAR_BYTES ? (f as StructScalar) : null;
}

/** Component offsets (relative to the value) of a scalar, vector or matrix type; null for other types. */
function componentOffsets(type: ReflectedType): { scalar: StructScalar; offsets: number[] } | null {
  const scalar = scalarOf(type.name, type.format);
  if (!scalar) return null;
  const bytes = SCALAR_BYTES[scalar];
  if (type.name in SCALAR_BYTES) return { scalar, offsets: [0] };
  const vec = /^vec([234])/.exec(type.name);
  if (vec) return { scalar, offsets: Array.from({ length: Number(vec[1]) }, (_, i) => i * bytes) };
  const mat = /^mat([234])x([234])/.exec(type.name);
  if (mat) {
    const columns = Number(mat[1]);
    const rows = Number(mat[2]);
    const columnStride = (rows === 3 ? 4 : rows) * bytes;
    const offsets: number[] = [];
    for (let c = 0; c < columns; c++) for (let r = 0; r < rows; r++) offsets.push(c * columnStride + r * bytes);
    return { scalar, offsets };
  }
  return null;
}

function field(name: string, type: ReflectedType, offset: number): StructField {
  const text = typeText(type);
  const direct = componentOffsets(type);
  if (direct) return { name, type: text, offset, scalar: direct.scalar, components: direct.offsets.map((o) => offset + o), nested: null, count: 1, stride: 0 };
  if (type.name === 'array' && type.format) {
    const count = type.count ?? 0;
    const stride = type.stride ?? 0;
    if (count === 0) throw new ArgumentError('wgsl', `'${name}: ${text}' is a runtime-sized array, which has no fixed layout`, 'give the array a fixed length');
    const element = componentOffsets(type.format);
    if (element) {
      const components: number[] = [];
      for (let i = 0; i < count; i++) for (const o of element.offsets) components.push(offset + i * stride + o);
      return { name, type: text, offset, scalar: element.scalar, components, nested: null, count, stride };
    }
    const nested = structLayout(type.format);
    return { name, type: text, offset, scalar: null, components: [], nested, count, stride };
  }
  if (type.members) return { name, type: text, offset, scalar: null, components: [], nested: structLayout(type), count: 1, stride: 0 };
  throw new ArgumentError('wgsl', `'${name}: ${text}' is not a host-shareable type kompute-ts can fill`, 'use f32, i32, u32, f16, their vectors and matrices, fixed-size arrays and structs of them');
}

/** The layout of a reflected WGSL type (a struct, or a scalar, vector, matrix or fixed array). */
export function structLayout(type: ReflectedType): StructLayout {
  const fields = type.members ? type.members.map((m) => field(m.name, m.type, m.offset)) : [field('value', type, 0)];
  const scalars = new Set<StructScalar | null>(fields.map((f) => f.scalar));
  const [only] = scalars;
  const length = fields.reduce((n, f) => n + flatLength(f), 0);
  const size = type.size ?? Math.max(0, ...fields.map((f) => f.offset + 4));
  return { name: typeText(type), size, fields, length, scalar: scalars.size === 1 ? (only ?? null) : null };
}

function flatLength(f: StructField): number {
  return f.nested ? f.nested.length * f.count : f.components.length;
}

/** Values for a struct: numbers in member order (flattened), or an object keyed by member name. */
export type StructValues = ArrayLike<number> | Readonly<Record<string, unknown>>;

const RANGES: Readonly<Record<'i32' | 'u32', readonly [number, number]>> = { i32: [-(2 ** 31), 2 ** 31 - 1], u32: [0, 2 ** 32 - 1] };

function writeScalar(view: DataView, offset: number, scalar: StructScalar, value: unknown, where: string, member: string): void {
  if (typeof value !== 'number') throw new DTypeError(where, `${member}: expected a number, got ${value === null ? 'null' : typeof value}`, 'pass numbers for every struct member');
  if (scalar === 'f32') view.setFloat32(offset, value, true);
  else if (scalar === 'f16') view.setUint16(offset, float32ToFloat16Bits(value), true);
  else {
    const [lo, hi] = RANGES[scalar];
    if (!Number.isInteger(value) || value < lo || value > hi) {
      throw new DTypeError(where, `${member}: ${value} is not a ${scalar} value (an integer from ${lo} to ${hi})`, 'round or clamp it first, or declare the member f32');
    }
    if (scalar === 'i32') view.setInt32(offset, value, true);
    else view.setUint32(offset, value, true);
  }
}

/** Closest name by edit distance (for "did you mean"). */
function closest(name: string, names: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of names) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = here;
    }
  }
  return row[b.length]!;
}

function writeFlat(view: DataView, base: number, layout: StructLayout, values: ArrayLike<number>, start: number, argument: string): number {
  let i = start;
  for (const f of layout.fields) {
    if (f.nested) {
      for (let e = 0; e < f.count; e++) i = writeFlat(view, base + f.offset + e * f.stride, f.nested, values, i, argument);
      continue;
    }
    for (const offset of f.components) writeScalar(view, base + offset, f.scalar!, values[i], `${argument}[${i++}]`, `${layout.name}.${f.name} is ${f.type}`);
  }
  return i;
}

function writeNamed(view: DataView, base: number, layout: StructLayout, values: Readonly<Record<string, unknown>>, argument: string): void {
  const names = layout.fields.map((f) => f.name);
  for (const key of Object.keys(values)) {
    if (!names.includes(key)) {
      const near = closest(key, names);
      throw new ArgumentError(`${argument}.${key}`, `${layout.name} has no member '${key}'`, near ? `did you mean '${near}'? its members: ${names.join(', ')}` : `its members: ${names.join(', ')}`);
    }
  }
  for (const f of layout.fields) {
    const where = `${argument}.${f.name}`;
    const value = Object.hasOwn(values, f.name) ? values[f.name] : undefined;
    if (value === undefined) throw new ArgumentError(where, `missing: ${layout.name}.${f.name} is ${f.type}`, `pass a value for every member (${names.join(', ')})`);
    if (f.nested) {
      const elements = f.count === 1 && !f.type.startsWith('array') ? [value] : value;
      if (!Array.isArray(elements) || elements.length !== f.count) {
        throw new SizeError(where, `${f.type} needs ${f.count} element(s)`, 'pass an array of objects, one per element');
      }
      elements.forEach((e, k) => {
        const at = base + f.offset + k * f.stride;
        if (isRecord(e)) writeNamed(view, at, f.nested!, e, f.count === 1 ? where : `${where}[${k}]`);
        else writeAll(view, at, f.nested!, e, f.count === 1 ? where : `${where}[${k}]`);
      });
      continue;
    }
    const list = typeof value === 'number' ? [value] : value;
    if (!isNumberList(list) || list.length !== f.components.length) {
      const got = isNumberList(list) ? `${list.length} value(s)` : typeof value;
      throw new SizeError(
        where,
        `${f.type} takes ${f.components.length} number(s), got ${got}`,
        f.components.length === 1 ? 'pass one number' : `pass an array of ${f.components.length} numbers (matrices column by column)`,
      );
    }
    f.components.forEach((offset, k) => writeScalar(view, base + offset, f.scalar!, list[k], f.components.length === 1 ? where : `${where}[${k}]`, `${layout.name}.${f.name} is ${f.type}`));
  }
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function isNumberList(value: unknown): value is ArrayLike<number> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

function writeAll(view: DataView, base: number, layout: StructLayout, values: unknown, argument: string): void {
  if (isRecord(values)) {
    writeNamed(view, base, layout, values, argument);
    return;
  }
  if (!isNumberList(values))
    throw new DTypeError(argument, `expected numbers or an object of ${layout.name}'s members, got ${typeof values}`, 'pass [v0, v1, ...] in member order or { member: value }');
  if (values.length !== layout.length) {
    throw new SizeError(
      argument,
      `${layout.name} takes ${layout.length} number(s) (${layout.fields.map((f) => `${f.name}: ${f.type}`).join(', ')}), got ${values.length}`,
      'pass one number per scalar component in member order, or an object keyed by member name',
    );
  }
  writeFlat(view, base, layout, values, 0, argument);
}

/**
 * Writes `values` into `view` at `offset` following `layout`: numbers in member order
 * (vectors flattened, matrices column by column), or an object keyed by member name whose
 * values are numbers, number arrays or nested objects. Integers are range-checked
 * ({@link DTypeError}); every member must be given, and no other.
 */
export function writeStruct(view: DataView, offset: number, layout: StructLayout, values: unknown, argument: string): void {
  writeAll(view, offset, layout, values, argument);
}

/** `values` as the bytes of one struct (its size rounded up to 4 bytes). */
export function encodeStruct(layout: StructLayout, values: unknown, argument: string): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(layout.size / 4) * 4);
  writeStruct(new DataView(bytes.buffer), 0, layout, values, argument);
  return bytes;
}
