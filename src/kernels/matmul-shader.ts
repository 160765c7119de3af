/**
 * The WGSL generator of {@link OpMatMul}: a tiled matrix product with register blocking.
 *
 * Each workgroup of 256 threads computes a BM × BN tile of C. Per step along K it stages a
 * BM × BK tile of A and a BK × BN tile of B in workgroup memory (stored k-major, so a thread reads
 * its rows and columns as vec4s), and each thread accumulates a TM × TN block in registers: TM/4 ×
 * TN/4 vec4 fused multiply-adds per k. The next tiles' global loads are issued before the current
 * tile's arithmetic so their latency hides behind it. Sizes are baked into the shader text (the
 * compiler sees constant trip counts), and the bounds checks are left out when the sizes are
 * multiples of the tile.
 */

/** Tile shape: BM × BN outputs per workgroup, BK deep, TM × TN outputs per thread. */
export interface MatMulTile {
  readonly bm: number;
  readonly bn: number;
  readonly bk: number;
  readonly tm: number;
  readonly tn: number;
}

/** The tiles the kernel is tuned with: large matrices use the first, small ones the second. */
export const TILES = {
  large: { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8 },
  small: { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4 },
} as const satisfies Record<string, MatMulTile>;

interface MatMulShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/** Bytes of workgroup memory a tile needs (each staged row padded by one vec4 against bank conflicts). */
export function tileBytes(tile: MatMulTile, bytesPerElement: number): number {
  return tile.bk * (tile.bm + 4 + tile.bn + 4) * bytesPerElement;
}

/** Checks a tile's shape: 256 threads, whole vec4s per thread. */
export function tileProblem(tile: MatMulTile): string | null {
  const { bm, bn, bk, tm, tn } = tile;
  if ((bm / tm) * (bn / tn) !== 256) return 'the tile must make 256 threads: (bm / tm) × (bn / tn) = 256';
  if (tm % 4 || tn % 4 || bm % tm || bn % tn) return 'tm and tn must be multiples of 4 dividing bm and bn';
  if ((bm * bk) % 1024 || (bn * bk) % 1024) return 'bm × bk and bn × bk must be multiples of 1024 (whole vec4s per thread)';
  return null;
}

/**
 * WGSL that loads this thread's share of one operand tile (a D × BK slab, D = BM or BN) into the
 * registers `name0..`, as vec4s along D. `xContiguous`: the operand is stored with D contiguous
 * (`k * ld + x`), else with K contiguous (`x * ld + k`).
 */
function operandLoad(
  name: string,
  type: string,
  array: string,
  d: number,
  bk: number,
  xContiguous: boolean,
  ld: number,
  extent: number,
  k: number,
  base: string,
  checked: boolean,
): { load: string; store: string; decl: string } {
  const vecs = (d * bk) / 1024;
  const zero = `${type}(0)`;
  const load: string[] = [];
  const store: string[] = [];
  const decl: string[] = [];
  const row = d / 4 + 1; // staged row length in vec4s, padded by one
  for (let v = 0; v < vecs; v++) {
    const l = `(lid + ${v * 256}u)`;
    const [x4, kk] = xContiguous ? [`(${l} % ${d / 4}u)`, `(${l} / ${d / 4}u)`] : [`(${l} / ${bk}u)`, `(${l} % ${bk}u)`];
    decl.push(`  var ${name}${v} = vec4<${type}>();`);
    load.push(`    {\n      let x = ${base} + ${x4} * 4u;\n      let kk = t * ${bk}u + ${kk};`);
    const parts: string[] = [];
    for (let j = 0; j < 4; j++) {
      const address = xContiguous ? `kk * ${ld}u + x + ${j}u` : `(x + ${j}u) * ${ld}u + kk`;
      if (checked) {
        load.push(`      var e${j} = ${zero};\n      if (x + ${j}u < ${extent}u && kk < ${k}u) { e${j} = ${array}[${address}]; }`);
        parts.push(`e${j}`);
      } else {
        parts.push(`${array}[${address}]`);
      }
    }
    load.push(`      ${name}${v} = vec4<${type}>(${parts.join(', ')});\n    }`);
    store.push(`    ${name}Tile[${kk} * ${row}u + ${x4}] = ${name}${v};`);
  }
  return { load: load.join('\n'), store: store.join('\n'), decl: decl.join('\n') };
}

/** The WGSL of C = op(A) · op(B) for one shape, dtype and tile. */
export function matMulShader(type: string, shape: MatMulShape, tile: MatMulTile): string {
  const { m, n, k, transposeA, transposeB } = shape;
  const { bm, bn, bk, tm, tn } = tile;
  const checked = m % bm !== 0 || n % bn !== 0 || k % bk !== 0;
  const threadsX = bn / tn;
  const rowA = bm / 4 + 1;
  const rowB = bn / 4 + 1;
  // A is M × K (lda = K) or, transposed, stored K × M (lda = M); B is K × N (ldb = N) or N × K.
  const a = operandLoad('a', type, 'A', bm, bk, transposeA, transposeA ? m : k, m, k, 'rowBase', checked);
  const b = operandLoad('b', type, 'B', bn, bk, !transposeB, transposeB ? k : n, n, k, 'colBase', checked);
  const isFloat = type === 'f32' || type === 'f16';
  const fma = (x: string, y: string, acc: string) => (isFloat ? `fma(${x}, ${y}, ${acc})` : `${acc} + ${x} * ${y}`);
  const ga = tm / 4;
  const gb = tn / 4;
  const accDecl: string[] = [];
  const compute: string[] = [];
  const stores: string[] = [];
  for (let r = 0; r < tm; r++) for (let c = 0; c < gb; c++) accDecl.push(`  var acc${r}_${c} = vec4<${type}>();`);
  for (let kk = 0; kk < bk; kk++) {
    compute.push('    {');
    for (let g = 0; g < ga; g++) compute.push(`    let av${g} = aTile[${kk * rowA}u + ${g * (bm / tm)}u + ty];`);
    for (let c = 0; c < gb; c++) compute.push(`    let bv${c} = bTile[${kk * rowB}u + ${c * (bn / tn)}u + tx];`);
    for (let r = 0; r < tm; r++) {
      const scalar = `vec4<${type}>(av${r >> 2}.${'xyzw'[r & 3]})`;
      for (let c = 0; c < gb; c++) compute.push(`    acc${r}_${c} = ${fma(scalar, `bv${c}`, `acc${r}_${c}`)};`);
    }
    compute.push('    }');
  }
  for (let r = 0; r < tm; r++) {
    const row = `rowBase + ${(r >> 2) * ((bm * 4) / tm)}u + ty * 4u + ${r & 3}u`;
    stores.push(`  {\n    let row = ${row};`);
    for (let c = 0; c < gb; c++) {
      for (let j = 0; j < 4; j++) {
        const col = `colBase + ${c * ((bn * 4) / tn)}u + tx * 4u + ${j}u`;
        const write = `C[row * ${n}u + ${col}] = acc${r}_${c}.${'xyzw'[j]};`;
        stores.push(checked ? `    if (row < ${m}u && ${col} < ${n}u) { ${write} }` : `    ${write}`);
      }
    }
    stores.push('  }');
  }
  const tiles = Math.ceil(k / bk);
  return `${type === 'f16' ? 'enable f16;\n' : ''}@group(0) @binding(0) var<storage, read> A: array<${type}>;
@group(0) @binding(1) var<storage, read> B: array<${type}>;
@group(0) @binding(2) var<storage, read_write> C: array<${type}>;
var<workgroup> aTile: array<vec4<${type}>, ${bk * rowA}>;
var<workgroup> bTile: array<vec4<${type}>, ${bk * rowB}>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tx = lid % ${threadsX}u;
  let ty = lid / ${threadsX}u;
  let rowBase = wg.y * ${bm}u;
  let colBase = wg.x * ${bn}u;
${accDecl.join('\n')}
${a.decl}
${b.decl}
  var t = 0u;
${a.load}
${b.load}
  for (; t < ${tiles}u;) {
${a.store}
${b.store}
    workgroupBarrier();
    t++;
    if (t < ${tiles}u) {
${a.load}
${b.load}
    }
${compute.join('\n')}
    workgroupBarrier();
  }
${stores.join('\n')}
}
`;
}
