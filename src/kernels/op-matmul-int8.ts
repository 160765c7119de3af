import { ArgumentError, DTypeError, SizeError, UnsupportedError } from '../errors.js';
import type { DeviceContext } from '../core/device-context.js';
import type { Tensor } from '../memory/tensor.js';
import { SUBGROUP_MATRIX_FEATURE, type SubgroupMatrixConfig, subgroupMatrixConfigsOf } from '../core/subgroup-matrix.js';
import { int8Block, int8MatMulShader, type Int8Tile, int8TileBytes } from './int8-matmul-shader.js';
import { checkDTypeIn, contextOf, KernelOp, kernelAlgorithm } from './kernel-op.js';
import { checkDimension } from './shape.js';

/** The Dawn flag that makes Dawn offer experimental features such as {@link SUBGROUP_MATRIX_FEATURE}. */
export const EXPERIMENTAL_FEATURES_FLAG = 'enable-dawn-features=allow_unsafe_apis';

/** Options of {@link OpMatMulInt8}. */
export interface Int8MatMulOptions {
  /** Rows of C and of A: a multiple of the config's M (16 on the H100). */
  readonly m: number;
  /** Columns of C and of op(B): a multiple of the config's N (16 on the H100). */
  readonly n: number;
  /** The shared dimension, in elements (bytes): a multiple of the config's K (32 on the H100); default `4 · a.size / m`. */
  readonly k?: number;
  /** Use Bᵀ: `b` holds an N × K matrix (the usual layout of weights), else a K × N one. */
  readonly transposeB?: boolean;
  /** The split of the product (for tuning); default by size. */
  readonly tile?: Int8Tile;
}

/** Tiles by size, largest first: a product takes the first that still gives the GPU enough workgroups. */
const TILES: readonly Int8Tile[] = [
  // 128 × 256 per workgroup of 8 subgroups, operands staged 32 bytes of K at a time, prefetched.
  { wm: 2, wn: 4, sm: 4, sn: 4, staged: true, bk: 32, schedule: 'prefetch' },
  { wm: 2, wn: 2, sm: 4, sn: 4, staged: true, bk: 32, schedule: 'prefetch' },
  { wm: 2, wn: 2, sm: 2, sn: 2, staged: false },
  { wm: 1, wn: 1, sm: 1, sn: 1, staged: false },
];

/** The config an i32 (packed i8) or u32 (packed u8) product runs on, or an UnsupportedError saying why there is none. */
function pickConfig(context: DeviceContext, dtype: 'i32' | 'u32'): SubgroupMatrixConfig {
  if (!context.features.has(SUBGROUP_MATRIX_FEATURE)) {
    throw new UnsupportedError(
      `OpMatMulInt8 needs the device feature ${SUBGROUP_MATRIX_FEATURE}, which this device does not have`,
      `it needs a GPU with matrix units (tensor cores) through Dawn; in Node create the manager with dawnFlags: ['${EXPERIMENTAL_FEATURES_FLAG}'] so that Dawn offers it, or use OpMatMul over i32 or f32 tensors`,
    );
  }
  const component = dtype === 'i32' ? 'i8' : 'u8';
  const configs = subgroupMatrixConfigsOf(context.device);
  const usable = configs.filter((c) => c.componentType === component && c.resultComponentType === dtype && c.K % 4 === 0 && c.N % 4 === 0);
  const config = usable[0];
  if (!config) {
    const offered = configs.map((c) => `${c.componentType}→${c.resultComponentType} ${c.M}×${c.N}×${c.K}`).join(', ') || 'none';
    throw new UnsupportedError(`OpMatMulInt8: this device has no ${component} × ${component} → ${dtype} subgroup matrix config (it offers ${offered})`, 'use OpMatMul over i32 or f32 tensors');
  }
  return config;
}

/**
 * The 8-bit integer matrix product `C = A · op(B)` on the GPU's matrix units, through Dawn's
 * subgroup matrices (`chromium-experimental-subgroup-matrix`; tensor cores on the H100): A is
 * M × K, op(B) is K × N, C is M × N, all row-major. Exact: each output is the i32 (or u32) sum of K
 * products, so it equals the CPU product as long as the sum fits in 32 bits (K ≤ 131072 for i8).
 *
 * Operands are packed four 8-bit values per word (see {@link packInt8}): signed i8 in `i32`
 * tensors (M·K/4 and K·N/4 words) with an `i32` result, or unsigned u8 in `u32` tensors with a
 * `u32` result, as the device's configs allow. M, N and K must be multiples of the config's
 * shape (16, 16 and 32 on the H100; SizeError otherwise); any multiple works, not only multiples
 * of the workgroup's block.
 *
 * Throws {@link UnsupportedError} where the device lacks the feature (lavapipe, most browsers
 * today): fall back to {@link OpMatMul} over i32. In Node, Dawn offers the feature only when the
 * manager is created with `dawnFlags: [EXPERIMENTAL_FEATURES_FLAG]`.
 *
 * ```ts
 * const mgr = await Manager.create({ dawnFlags: [EXPERIMENTAL_FEATURES_FLAG] });
 * const a = mgr.tensor(packInt8(aBytes)); // Int8Array of m·k → Int32Array of m·k/4
 * const b = mgr.tensor(packInt8(bBytes));
 * const c = mgr.tensor(m * n, 'i32');
 * await mgr.sequence().eval(new OpMatMulInt8(a, b, c, { m, n, k }));
 * ```
 */
export class OpMatMulInt8 extends KernelOp {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** The device config the kernel runs on. */
  readonly config: SubgroupMatrixConfig;
  /** The tile used. */
  readonly tile: Int8Tile;
  /** The generated WGSL. */
  readonly wgsl: string;

  constructor(a: Tensor, b: Tensor, c: Tensor, options: Int8MatMulOptions) {
    const context = contextOf('OpMatMulInt8', { a, b, c });
    if (typeof options !== 'object' || options === null) throw new ArgumentError('options', 'OpMatMulInt8 needs the matrix shape', 'pass { m, n } (and k, transposeB as needed)');
    checkDTypeIn('OpMatMulInt8', 'a', a, ['i32', 'u32']);
    for (const [name, t] of [
      ['b', b],
      ['c', c],
    ] as const) {
      if (t.dtype !== a.dtype)
        throw new DTypeError(
          name,
          `OpMatMulInt8 needs one dtype: a is ${a.dtype} (packed ${a.dtype === 'i32' ? 'i8' : 'u8'}), ${name} (${t.label}) is ${t.dtype}`,
          'use i32 tensors throughout for i8, u32 for u8',
        );
    }
    for (const [name, t] of [
      ['a', a],
      ['b', b],
    ] as const) {
      if (t === c) throw new ArgumentError('c', `OpMatMulInt8 cannot write its result into its input ${name}`, 'pass a separate output tensor');
    }
    const m = checkDimension('OpMatMulInt8', 'm', options.m);
    const n = checkDimension('OpMatMulInt8', 'n', options.n);
    const k = options.k === undefined ? (4 * a.size) / m : checkDimension('OpMatMulInt8', 'k', options.k);
    if (!Number.isInteger(k) || k < 1) throw new SizeError('a', `OpMatMulInt8: a has ${a.size} words (${4 * a.size} bytes), not a multiple of m = ${m}`, 'pass options.k, or an a of m × k / 4 words');
    const config = pickConfig(context, a.dtype as 'i32' | 'u32');
    for (const [name, v, multiple] of [
      ['m', m, config.M],
      ['n', n, config.N],
      ['k', k, config.K],
    ] as const) {
      if (v % multiple !== 0) {
        throw new SizeError(
          `options.${name}`,
          `OpMatMulInt8: ${name} = ${v} is not a multiple of ${multiple}, the device's subgroup matrix ${name.toUpperCase()}`,
          `pad the matrices with zeros to a multiple of ${multiple}`,
        );
      }
    }
    const transposeB = options.transposeB === true;
    const expect = (name: string, t: Tensor, rows: number, cols: number) => {
      if (t.size * 4 !== rows * cols)
        throw new SizeError(
          name,
          `OpMatMulInt8: ${name} (${t.label}) has ${t.size} words, expected ${rows} × ${cols} / 4 = ${(rows * cols) / 4} (four 8-bit values per word)`,
          'pack the matrix with packInt8, and check m, n, k and transposeB',
        );
    };
    expect('a', a, m, k);
    expect('b', b, transposeB ? n : k, transposeB ? k : n);
    if (c.size !== m * n) throw new SizeError('c', `OpMatMulInt8: c (${c.label}) has ${c.size} elements, expected ${m} × ${n} = ${m * n}`, 'check m and n');
    const tile = options.tile ?? pickTile(config, m, n);
    const bytes = int8TileBytes(tile, config, transposeB);
    if (bytes > context.limits.maxComputeWorkgroupStorageSize) {
      throw new UnsupportedError(`OpMatMulInt8's tile needs ${bytes} bytes of workgroup memory, over this device's ${context.limits.maxComputeWorkgroupStorageSize}`, 'use the default tile');
    }
    const [bm, bn] = int8Block(tile, config);
    const groups = [Math.ceil(n / bn), Math.ceil(m / bm)];
    const max = context.limits.maxComputeWorkgroupsPerDimension;
    if (groups[0]! > max || groups[1]! > max)
      throw new SizeError('options', `OpMatMulInt8: ${m} × ${n} needs ${groups.join(' × ')} workgroups, over this device's ${max} per dimension`, 'split the product into blocks of rows or columns');
    const info = (context.device as GPUDevice & { adapterInfo?: { subgroupMaxSize?: number } }).adapterInfo;
    const wgsl = int8MatMulShader(config, { m, n, k, transposeB }, tile, info?.subgroupMaxSize || 32);
    super([{ algorithm: kernelAlgorithm(context, [a, b, c], wgsl, groups, `OpMatMulInt8(${m}×${k}·${k}×${n})`) }]);
    this.m = m;
    this.n = n;
    this.k = k;
    this.config = config;
    this.tile = tile;
    this.wgsl = wgsl;
  }

  get name(): string {
    return 'OpMatMulInt8';
  }

  /** Integer operations of one product (2·M·N·K), for TOP/s figures. */
  get ops(): number {
    return 2 * this.m * this.n * this.k;
  }
}

/** The largest tile that still gives each of ~132 multiprocessors a couple of workgroups. */
function pickTile(config: SubgroupMatrixConfig, m: number, n: number): Int8Tile {
  for (const tile of TILES) {
    const [bm, bn] = int8Block(tile, config);
    if (Math.ceil(m / bm) * Math.ceil(n / bn) >= 256) return tile;
  }
  return TILES[TILES.length - 1]!;
}
