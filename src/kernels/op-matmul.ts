import { anyValue, booleanValue, checkOptions, describeValue, lookupName } from '../core/options.js';
import { ArgumentError, DTypeError, SizeError, UnsupportedError } from '../errors.js';
import { bytesPerElement, wgslType } from '../memory/dtype.js';
import type { Tensor } from '../memory/tensor.js';
import { checkDTypeIn, contextOf, KernelOp, kernelAlgorithm } from './kernel-op.js';
import { matMulShader, type MatMulTile, tileBytes, tileProblem, TILES } from './matmul-shader.js';
import { checkDimension } from './shape.js';

/** Options of {@link OpMatMul}. */
export interface MatMulOptions {
  /** Rows of C (and of op(A)). */
  readonly m: number;
  /** Columns of C (and of op(B)). */
  readonly n: number;
  /** The shared dimension; default `a.size / m`. */
  readonly k?: number;
  /** Use Aᵀ: `a` holds a K × M matrix. */
  readonly transposeA?: boolean;
  /** Use Bᵀ: `b` holds an N × K matrix. */
  readonly transposeB?: boolean;
  /**
   * The tile (for tuning): `'large'` (128 × 128 per workgroup, 8 × 8 per thread), `'small'`
   * (64 × 64, 4 × 4) or a custom shape; default by size, so that small products still fill the GPU.
   */
  readonly tile?: 'large' | 'small' | MatMulTile;
}

/**
 * The matrix product `C = op(A) · op(B)` of row-major matrices, where op is the identity or the
 * transpose: C is M × N, op(A) is M × K and op(B) is K × N. Tiled in workgroup memory with
 * 8 × 8 outputs per thread (4 × 4 for small products); any M, N, K, not only multiples of the tile.
 * f32 (also i32, u32, and f16 where the device has `shader-f16`).
 *
 * ```ts
 * const c = mgr.tensor(m * n, 'f32');
 * await mgr.sequence().eval(new OpMatMul(a, b, c, { m, n, k }));
 * ```
 * Floating-point results differ from a sequential CPU product by rounding only: each output is one
 * chain of fused multiply-adds along K.
 */
export class OpMatMul extends KernelOp {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** The tile used. */
  readonly tile: MatMulTile;
  /** The generated WGSL (for inspection, or to run the same kernel elsewhere). */
  readonly wgsl: string;

  constructor(a: Tensor, b: Tensor, c: Tensor, options: MatMulOptions) {
    const context = contextOf('OpMatMul', { a, b, c });
    if (typeof options !== 'object' || options === null) throw new ArgumentError('options', 'OpMatMul needs the matrix shape', 'pass { m, n } (and k, transposeA, transposeB as needed)');
    checkOptions('options', options, { m: anyValue, n: anyValue, k: anyValue, transposeA: booleanValue, transposeB: booleanValue, tile: anyValue });
    checkDTypeIn('OpMatMul', 'a', a, ['f32', 'i32', 'u32', 'f16']);
    for (const [name, t] of [
      ['b', b],
      ['c', c],
    ] as const) {
      if (t.dtype !== a.dtype) throw new DTypeError(name, `OpMatMul needs one dtype: a is ${a.dtype}, ${name} (${t.label}) is ${t.dtype}`, 'use tensors of one dtype');
    }
    for (const [name, t] of [
      ['a', a],
      ['b', b],
    ] as const) {
      if (t === c) throw new ArgumentError('c', `OpMatMul cannot write its result into its input ${name}`, 'pass a separate output tensor');
    }
    const m = checkDimension('OpMatMul', 'm', options.m);
    const n = checkDimension('OpMatMul', 'n', options.n);
    const k = options.k === undefined ? a.size / m : checkDimension('OpMatMul', 'k', options.k);
    if (!Number.isInteger(k) || k < 1) throw new SizeError('a', `OpMatMul: a has ${a.size} elements, not a multiple of m = ${m}`, 'pass options.k, or an a of m × k elements');
    const expect = (name: string, t: Tensor, rows: number, cols: number) => {
      if (t.size !== rows * cols) throw new SizeError(name, `OpMatMul: ${name} (${t.label}) has ${t.size} elements, expected ${rows} × ${cols} = ${rows * cols}`, 'check m, n, k and the transposes');
    };
    const transposeA = options.transposeA === true;
    const transposeB = options.transposeB === true;
    expect('a', a, transposeA ? k : m, transposeA ? m : k);
    expect('b', b, transposeB ? n : k, transposeB ? k : n);
    expect('c', c, m, n);
    const requested = options.tile;
    const chosen: MatMulTile | undefined =
      typeof requested === 'object' ? requested : requested !== undefined ? lookupName(TILES, requested) : Math.ceil(m / 128) * Math.ceil(n / 128) >= 256 ? TILES.large : TILES.small;
    const problem = typeof chosen === 'object' && chosen !== null ? tileProblem(chosen) : `${describeValue(requested)} is not a tile`;
    if (problem) throw new ArgumentError('options.tile', `OpMatMul cannot use this tile: ${problem}`, "use 'large' or 'small'");
    const tile = chosen!;
    const bytes = tileBytes(tile, bytesPerElement(a.dtype));
    if (bytes > context.limits.maxComputeWorkgroupStorageSize) {
      throw new UnsupportedError(`OpMatMul's tile needs ${bytes} bytes of workgroup memory, over this device's ${context.limits.maxComputeWorkgroupStorageSize}`, "use tile 'small'");
    }
    const groups = [Math.ceil(n / tile.bn), Math.ceil(m / tile.bm)];
    const max = context.limits.maxComputeWorkgroupsPerDimension;
    if (groups[0]! > max || groups[1]! > max)
      throw new SizeError('options', `OpMatMul: ${m} × ${n} needs ${groups.join(' × ')} workgroups, over this device's ${max} per dimension`, 'split the product into blocks of rows or columns');
    const wgsl = matMulShader(wgslType(a.dtype), { m, n, k, transposeA, transposeB }, tile);
    super([{ algorithm: kernelAlgorithm(context, [a, b, c], wgsl, groups, `OpMatMul(${m}×${k}·${k}×${n})`) }]);
    this.m = m;
    this.n = n;
    this.k = k;
    this.tile = tile;
    this.wgsl = wgsl;
  }

  get name(): string {
    return 'OpMatMul';
  }

  /** Floating-point operations of one product (2·M·N·K), for throughput figures. */
  get flops(): number {
    return 2 * this.m * this.n * this.k;
  }
}
