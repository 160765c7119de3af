import { ArgumentError, SizeError } from '../errors.js';
import type { Tensor } from '../memory/tensor.js';

/** Checks that `options[name]` of `kernel` is a matrix dimension: a positive integer. */
export function checkDimension(kernel: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new ArgumentError(`options.${name}`, `${kernel} expects a positive integer ${name}, got ${String(v)}`, `pass the matrix dimension ${name}`);
  return v as number;
}

/** Checks a 2-D shape `[rows, cols]` against a tensor's size. */
export function checkShape2D(kernel: string, argument: string, shape: unknown, t: Tensor): [number, number] {
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ArgumentError(argument, `${kernel} expects a shape [rows, cols] of positive integers, got ${JSON.stringify(shape)}`, 'pass e.g. { shape: [rows, cols] }');
  }
  const [rows, cols] = shape as [number, number];
  if (rows * cols !== t.size) throw new SizeError(argument, `${kernel}: shape [${rows}, ${cols}] has ${rows * cols} elements but ${t.label} has ${t.size}`, 'make rows × cols equal the tensor size');
  return [rows, cols];
}

/** Throws a SizeError unless `t` has `size` elements. */
export function checkSize(kernel: string, argument: string, t: Tensor, size: number, why: string): void {
  if (t.size !== size) throw new SizeError(argument, `${kernel}: ${argument} (${t.label}) has ${t.size} elements, expected ${size} (${why})`, `pass a tensor of ${size} elements`);
}
