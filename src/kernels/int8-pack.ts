import { ArgumentError } from '../errors.js';

/**
 * Packs 8-bit integers four to a 32-bit word, little-endian (element `4w + j` in byte `j` of word
 * `w`): the layout {@link OpMatMulInt8} reads, since WGSL's subgroup matrices load i8 and u8
 * elements from `array<i32>` and `array<u32>` storage. `values.length` must be a multiple of 4
 * (every row of the matrices {@link OpMatMulInt8} takes is).
 *
 * Signed input (`Int8Array`, or numbers in [-128, 127]) gives an `Int32Array` for an `i32`
 * tensor; `Uint8Array` gives a `Uint32Array` for a `u32` tensor.
 */
export function packInt8(values: Int8Array | readonly number[]): Int32Array;
export function packInt8(values: Uint8Array): Uint32Array;
export function packInt8(values: Int8Array | Uint8Array | readonly number[]): Int32Array | Uint32Array {
  if (values.length % 4 !== 0) throw new ArgumentError('values', `packInt8 needs a multiple of 4 values, got ${values.length}`, 'pad each row to a multiple of 4 bytes');
  let bytes: Uint8Array;
  if (values instanceof Uint8Array) {
    bytes = values;
  } else if (values instanceof Int8Array) {
    bytes = new Uint8Array(values.buffer, values.byteOffset, values.length);
  } else {
    const signed = new Int8Array(values.length);
    values.forEach((v, i) => {
      if (!Number.isInteger(v) || v < -128 || v > 127) throw new ArgumentError(`values[${i}]`, `packInt8 takes integers in [-128, 127], got ${v}`, 'clamp or quantize the values to int8 first');
      signed[i] = v;
    });
    bytes = new Uint8Array(signed.buffer);
  }
  const words = new Uint32Array(values.length / 4);
  for (let w = 0; w < words.length; w++) {
    const j = 4 * w;
    words[w] = (bytes[j]! | (bytes[j + 1]! << 8) | (bytes[j + 2]! << 16) | (bytes[j + 3]! << 24)) >>> 0;
  }
  return values instanceof Uint8Array ? words : new Int32Array(words.buffer);
}

/** The inverse of {@link packInt8}: `Int32Array` words give signed bytes, `Uint32Array` unsigned. */
export function unpackInt8(words: Int32Array): Int8Array;
export function unpackInt8(words: Uint32Array): Uint8Array;
export function unpackInt8(words: Int32Array | Uint32Array): Int8Array | Uint8Array {
  const out = words instanceof Int32Array ? new Int8Array(words.length * 4) : new Uint8Array(words.length * 4);
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    for (let j = 0; j < 4; j++) out[4 * w + j] = (word >>> (8 * j)) & 0xff;
  }
  return out;
}
