/**
 * A small reader and writer for NumPy's `.npy` format (format versions 1.0, 2.0 and 3.0), for
 * the dtypes tensors have: little-endian `<f4` (f32), `<i4` (i32), `<u4` (u32) and `<f2` (f16,
 * kept as raw bits in a Uint16Array), in C order.
 *
 * The format: the magic bytes `\x93NUMPY`, a major and a minor version byte, the header length
 * (uint16 little-endian in 1.0, uint32 in 2.0 and 3.0), then the header: a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces and ended by
 * `\n` so that the data starts at a multiple of 64 bytes, then the raw elements. (No npm package
 * both reads and writes it without extra dependencies; `npyjs` only reads, and fetches.)
 * @module
 */
import { ArgumentError, DTypeError } from '../errors.js';
import type { DType } from '../memory/dtype.js';

/** An n-dimensional array as stored in a `.npy` file. */
export interface NpyArray {
  readonly dtype: DType;
  /** Dimensions, outermost first; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** The elements in C order (f16 as raw bits). */
  readonly data: Float32Array | Int32Array | Uint32Array | Uint16Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DESCR: Readonly<Record<DType, string>> = { f32: '<f4', i32: '<i4', u32: '<u4', f16: '<f2' };
const ARRAYS = { f32: Float32Array, i32: Int32Array, u32: Uint32Array, f16: Uint16Array } as const;
const BYTES: Readonly<Record<DType, number>> = { f32: 4, i32: 4, u32: 4, f16: 2 };

function dtypeOfDescr(file: string, descr: string): DType {
  const normalized = descr.replace(/^[=|]/, '<');
  for (const [dtype, d] of Object.entries(DESCR) as [DType, string][]) if (d === normalized) return dtype;
  throw new DTypeError(file, `NumPy dtype '${descr}' is not one tensors hold`, "save float32, int32, uint32 or float16 in little-endian order, e.g. np.save(path, x.astype('<f4'))");
}

/** The `.npy` header text `(2, 3)` as dimensions; every entry a non-negative decimal integer. */
function parseShape(file: string, text: string): number[] {
  const inner = text.trim();
  if (inner === '') return [];
  const parts = inner.split(',').map((s) => s.trim());
  // `(3,)`: a trailing comma; `(,)` or `(3,,)` are not shapes.
  if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
  const shape: number[] = [];
  for (const part of parts) {
    if (!/^\d+$/.test(part)) {
      throw new ArgumentError(file, `has shape (${inner}) in its .npy header, and ${JSON.stringify(part)} is not a dimension`, 'dimensions are non-negative integers: write the file with numpy.save');
    }
    shape.push(Number(part));
  }
  return shape;
}

/** Parses `.npy` bytes; `file` names the source in errors. Every header field is checked. */
export function parseNpy(bytes: Uint8Array, file = 'npy'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new ArgumentError(file, 'is not a .npy file (no \\x93NUMPY magic)', 'write it with numpy.save');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if ((major === 2 || major === 3) && bytes.length >= 12) {
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else if (major === 2 || major === 3) {
    throw new ArgumentError(file, `is truncated: ${bytes.length} bytes end inside the .npy preamble`, 'the file is incomplete: write it again');
  } else {
    throw new ArgumentError(file, `has .npy format version ${major}.${bytes[7]}, which this reader does not know`, 'save with numpy.save (format 1.0, 2.0 or 3.0)');
  }
  if (headerStart + headerLength > bytes.length) {
    throw new ArgumentError(file, `is truncated: its .npy header says ${headerLength} bytes but the file ends after ${bytes.length - headerStart}`, 'the file is incomplete: write it again');
  }
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength));
  const dict = header.trim();
  if (!dict.startsWith('{') || !dict.endsWith('}')) throw new ArgumentError(file, `has an unreadable .npy header: ${JSON.stringify(dict.slice(0, 120))}`, 'write it with numpy.save');
  const keys = [...dict.matchAll(/'([^']*)'\s*:/g)].map((m) => m[1]!);
  for (const key of keys) {
    if (key !== 'descr' && key !== 'fortran_order' && key !== 'shape')
      throw new ArgumentError(file, `has an unknown .npy header field '${key}'`, "the header holds 'descr', 'fortran_order' and 'shape': write the file with numpy.save");
    if (keys.indexOf(key) !== keys.lastIndexOf(key)) throw new ArgumentError(file, `has the .npy header field '${key}' twice`, 'write the file with numpy.save');
  }
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(dict)?.[1];
  const fortran = /'fortran_order'\s*:\s*([A-Za-z0-9_]+)/.exec(dict)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(dict)?.[1];
  for (const [name, value] of [
    ['descr', descr],
    ['fortran_order', fortran],
    ['shape', shapeText],
  ] as const) {
    if (value === undefined) throw new ArgumentError(file, `has no readable '${name}' in its .npy header: ${JSON.stringify(dict.slice(0, 120))}`, 'write it with numpy.save');
  }
  if (fortran !== 'True' && fortran !== 'False') throw new ArgumentError(file, `has 'fortran_order': ${fortran} in its .npy header, not True or False`, 'write it with numpy.save');
  if (fortran === 'True') throw new ArgumentError(file, 'is stored in Fortran order', 'save a C-ordered array: np.save(path, np.ascontiguousarray(x))');
  const dtype = dtypeOfDescr(file, descr!);
  const shape = parseShape(file, shapeText!);
  const shapeLabel = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const count = shape.reduce((a, b) => a * b, 1);
  if (count === 0) throw new ArgumentError(file, `has shape ${shapeLabel}: no elements`, 'tensors hold at least one element');
  const start = headerStart + headerLength;
  const byteLength = count * BYTES[dtype];
  if (!Number.isSafeInteger(byteLength) || bytes.length - start < byteLength)
    throw new ArgumentError(file, `is truncated: it holds ${bytes.length - start} data bytes but its shape ${shapeLabel} of ${dtype} needs ${byteLength}`, 'the file is incomplete: write it again');
  if (bytes.length - start > byteLength)
    throw new ArgumentError(
      file,
      `holds ${bytes.length - start} data bytes but its shape ${shapeLabel} of ${dtype} needs ${byteLength}: its header does not describe its data`,
      'write it with numpy.save',
    );
  // Copy into an aligned buffer of its own (the data offset need not suit a Float32Array).
  const data = new ARRAYS[dtype](count);
  new Uint8Array(data.buffer).set(bytes.subarray(start, start + byteLength));
  return { dtype, shape, data };
}

/** Encodes an array as `.npy` bytes (format 1.0, or 2.0 when the header needs it). */
export function formatNpy(array: NpyArray): Uint8Array {
  const { dtype, shape, data } = array;
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new ArgumentError('shape', `(${shape.join(', ')}) holds ${count} elements but the data has ${data.length}`, 'pass a shape whose product is the data length');
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const major = header.length + 11 > 0xffff ? 2 : 1;
  const prefix = major === 1 ? 10 : 12;
  const total = Math.ceil((prefix + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - prefix - 1, ' ')}\n`;
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), prefix);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
