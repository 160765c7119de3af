/**
 * WGSL for the 8-bit integer matrix product on subgroup matrices (Dawn's
 * `chromium_experimental_subgroup_matrix`). Each subgroup owns `sm × sn` result blocks of the
 * device's config shape (16 × 16 on the H100) and accumulates them in subgroup matrices; a
 * workgroup is `wm × wn` subgroups. Operands come either straight from storage (`staged: false`,
 * the L1 cache shares them between the subgroups of a workgroup) or through workgroup memory,
 * copied by the whole workgroup one K block at a time (`staged: true`).
 *
 * i8 and u8 elements live four to a word in `array<i32>` / `array<u32>` (see packInt8): that is
 * how WGSL types 8-bit subgroup matrix storage, and why offsets and strides below count bytes.
 */

import type { SubgroupMatrixConfig } from '../core/subgroup-matrix.js';

/** How the product is split: subgroups per workgroup (`wm × wn`), result blocks per subgroup (`sm × sn`). */
export interface Int8Tile {
  readonly wm: number;
  readonly wn: number;
  readonly sm: number;
  readonly sn: number;
  /** Stage operands in workgroup memory (true) or load them straight from storage (false). */
  readonly staged: boolean;
  /** K bytes per staged block: a multiple of the config's K (staged tiles only). */
  readonly bk?: number;
  /**
   * How the tile hides load latency: `'prefetch'` loads the next K step's operands (direct tiles)
   * or the next K block's share of each thread (staged tiles) into registers before multiplying
   * the current ones; `'unroll2'` (direct tiles) loads two K steps then multiplies both; default
   * plain (load, then multiply).
   */
  readonly schedule?: 'plain' | 'prefetch' | 'unroll2';
}

interface Int8Problem {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transposeB: boolean;
}

/** Bytes of padding per staged row, so that rows start in different memory banks. */
const PAD = 16;

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Workgroup memory a tile needs, in bytes. */
export function int8TileBytes(tile: Int8Tile, config: SubgroupMatrixConfig, transposeB: boolean): number {
  if (!tile.staged) return 0;
  const bm = tile.wm * tile.sm * config.M;
  const bn = tile.wn * tile.sn * config.N;
  const bk = tile.bk ?? config.K;
  return bm * (bk + PAD) + (transposeB ? bn * (bk + PAD) : bk * (bn + PAD));
}

/** The block of C one workgroup computes: [rows, columns]. */
export function int8Block(tile: Int8Tile, config: SubgroupMatrixConfig): [number, number] {
  return [tile.wm * tile.sm * config.M, tile.wn * tile.sn * config.N];
}

export function int8MatMulShader(config: SubgroupMatrixConfig, problem: Int8Problem, tile: Int8Tile, subgroupSize: number): string {
  const { m, n, k, transposeB } = problem;
  const { wm, wn, sm, sn, staged } = tile;
  const cm = config.M;
  const cn = config.N;
  const ck = config.K;
  const store = config.componentType === 'i8' ? 'i32' : 'u32';
  const result = config.resultComponentType;
  const L = `subgroup_matrix_left<${config.componentType}, ${ck}, ${cm}>`;
  const R = `subgroup_matrix_right<${config.componentType}, ${cn}, ${ck}>`;
  const C = `subgroup_matrix_result<${result}, ${cn}, ${cm}>`;
  const [bm, bn] = int8Block(tile, config);
  // Staged blocks of K bytes; back to the config's K where K is not a multiple of the tile's.
  const bk = staged && k % (tile.bk ?? ck) === 0 ? (tile.bk ?? ck) : ck;
  const threads = wm * wn * subgroupSize;
  const multi = wm * wn > 1;
  const I = range(sm);
  const J = range(sn);
  const lines: string[] = [];
  const out = (s: string) => lines.push(s);

  out('enable subgroups;');
  out('enable chromium_experimental_subgroup_matrix;');
  // Offsets derive from subgroup_id, uniform within each subgroup though not provably so per workgroup.
  out('diagnostic(off, chromium.subgroup_matrix_uniformity);');
  // Staged tiles copy the operands 16 bytes at a time; direct ones hand them to subgroupMatrixLoad.
  const operand = staged ? `vec4<${store}>` : store;
  out(`@group(0) @binding(0) var<storage, read_write> a: array<${operand}>;`);
  out(`@group(0) @binding(1) var<storage, read_write> b: array<${operand}>;`);
  out(`@group(0) @binding(2) var<storage, read_write> c: array<${result}>;`);
  out(`const M = ${m}u;`);
  out(`const N = ${n}u;`);
  out(`const K = ${k}u;`);
  const saStride = bk + PAD; // bytes per staged row of A
  const sbStride = transposeB ? bk + PAD : bn + PAD;
  const sbRows = transposeB ? bn : bk;
  if (staged) {
    out(`var<workgroup> sa: array<${store}, ${(bm * saStride) / 4}>;`);
    out(`var<workgroup> sb: array<${store}, ${(sbRows * sbStride) / 4}>;`);
  }
  out(`@compute @workgroup_size(${threads})`);
  out(`fn main(@builtin(workgroup_id) wg: vec3<u32>${multi ? ', @builtin(subgroup_id) sg: u32' : ''}${staged ? ', @builtin(local_invocation_index) lid: u32' : ''}) {`);
  out(`  let sgRow = ${multi ? `(sg / ${wn}u) * ${sm * cm}u` : '0u'};`);
  out(`  let sgCol = ${multi ? `(sg % ${wn}u) * ${sn * cn}u` : '0u'};`);
  out(`  let row0 = wg.y * ${bm}u + sgRow;`);
  out(`  let col0 = wg.x * ${bn}u + sgCol;`);
  for (const i of I) for (const j of J) out(`  var acc${i}_${j} = ${C}();`);
  const schedule = staged ? 'plain' : (tile.schedule ?? 'plain');
  const sets = schedule === 'plain' ? [''] : ['', 'n'];
  for (const set of sets) {
    for (const i of I) out(`  var l${set}${i}: ${L};`);
    for (const j of J) out(`  var r${set}${j}: ${R};`);
  }
  if (!staged) {
    // Blocks past the edge re-read the last block (their results are not stored), so every load stays in bounds.
    for (const i of I) out(`  let aRow${i} = min(row0 + ${i * cm}u, M - ${cm}u) * K;`);
    for (const j of J) out(`  let bCol${j} = min(col0 + ${j * cn}u, N - ${cn}u);`);
    const load = (set: string, kk: string, indent: string) => {
      for (const i of I) out(`${indent}l${set}${i} = subgroupMatrixLoad<${L}>(&a, aRow${i} + ${kk}, false, K);`);
      for (const j of J) {
        out(
          transposeB ? `${indent}r${set}${j} = subgroupMatrixLoad<${R}>(&b, bCol${j} * K + ${kk}, true, K);` : `${indent}r${set}${j} = subgroupMatrixLoad<${R}>(&b, (${kk}) * N + bCol${j}, false, N);`,
        );
      }
    };
    const multiply = (set: string, indent: string) => {
      for (const j of J) for (const i of I) out(`${indent}acc${i}_${j} = subgroupMatrixMultiplyAccumulate(l${set}${i}, r${set}${j}, acc${i}_${j});`);
    };
    if (schedule === 'prefetch') {
      load('', '0u', '  ');
      out(`  for (var kk = ${ck}u; kk < K; kk += ${ck}u) {`);
      load('n', 'kk', '    ');
      multiply('', '    ');
      for (const i of I) out(`    l${i} = ln${i};`);
      for (const j of J) out(`    r${j} = rn${j};`);
      out('  }');
      multiply('', '  ');
    } else if (schedule === 'unroll2') {
      out('  var kk = 0u;');
      out(`  for (; kk + ${2 * ck}u <= K; kk += ${2 * ck}u) {`);
      load('', 'kk', '    ');
      load('n', `kk + ${ck}u`, '    ');
      multiply('', '    ');
      multiply('n', '    ');
      out('  }');
      out(`  for (; kk < K; kk += ${ck}u) {`);
      load('', 'kk', '    ');
      multiply('', '    ');
      out('  }');
    } else {
      out(`  for (var kk = 0u; kk < K; kk += ${ck}u) {`);
      load('', 'kk', '    ');
      multiply('', '    ');
      out('  }');
    }
  } else {
    out(`  let rowBase = wg.y * ${bm}u;`);
    out(`  let colBase = wg.x * ${bn}u;`);
    // Rows and columns past the edge are clamped to the last one: they feed only results that are not stored.
    const copies = [
      { target: 'sa', count: (bm * bk) / 16, perRow: bk / 16, stride: saStride, source: (k0: string) => `a[(min(rowBase + rr, M - 1u) * K + ${k0}) / 16u + vv]` },
      transposeB
        ? { target: 'sb', count: (bn * bk) / 16, perRow: bk / 16, stride: sbStride, source: (k0: string) => `b[(min(colBase + rr, N - 1u) * K + ${k0}) / 16u + vv]` }
        : { target: 'sb', count: (bk * bn) / 16, perRow: bn / 16, stride: sbStride, source: (k0: string) => `b[((${k0} + rr) * N) / 16u + min(colBase / 16u + vv, N / 16u - 1u)]` },
    ];
    const spread = (value: string, target: string, stride: number, indent: string) => {
      out(`${indent}let o = rr * ${stride / 4}u + 4u * vv;`);
      out(`${indent}${target}[o] = ${value}.x;`);
      out(`${indent}${target}[o + 1u] = ${value}.y;`);
      out(`${indent}${target}[o + 2u] = ${value}.z;`);
      out(`${indent}${target}[o + 3u] = ${value}.w;`);
    };
    // Prefetch: each thread holds its share of the next K block in registers while the subgroups multiply.
    const prefetch = tile.schedule === 'prefetch' && copies.every((c) => c.count % threads === 0);
    const fetch = (k0: string, indent: string) => {
      for (const [ci, c] of copies.entries()) {
        for (let q = 0; q < c.count / threads; q++) {
          out(`${indent}{`);
          out(`${indent}  let rr = (lid + ${q * threads}u) / ${c.perRow}u;`);
          out(`${indent}  let vv = (lid + ${q * threads}u) % ${c.perRow}u;`);
          out(`${indent}  p${ci}_${q} = ${c.source(k0)};`);
          out(`${indent}}`);
        }
      }
    };
    if (prefetch) {
      for (const [ci, c] of copies.entries()) for (let q = 0; q < c.count / threads; q++) out(`  var p${ci}_${q}: vec4<${store}>;`);
      fetch('0u', '  ');
    }
    out(`  for (var k0 = 0u; k0 < K; k0 += ${bk}u) {`);
    out('    workgroupBarrier();');
    for (const [ci, c] of copies.entries()) {
      if (prefetch) {
        for (let q = 0; q < c.count / threads; q++) {
          out('    {');
          out(`      let rr = (lid + ${q * threads}u) / ${c.perRow}u;`);
          out(`      let vv = (lid + ${q * threads}u) % ${c.perRow}u;`);
          spread(`p${ci}_${q}`, c.target, c.stride, '      ');
          out('    }');
        }
      } else {
        out(`    for (var i = lid; i < ${c.count}u; i += ${threads}u) {`);
        out(`      let rr = i / ${c.perRow}u;`);
        out(`      let vv = i % ${c.perRow}u;`);
        out(`      let v = ${c.source('k0')};`);
        spread('v', c.target, c.stride, '      ');
        out('    }');
      }
    }
    out('    workgroupBarrier();');
    // The last block fetches itself again rather than branch: loads stay in bounds and uniform.
    if (prefetch) fetch(`min(k0 + ${bk}u, K - ${bk}u)`, '    ');
    for (let kk = 0; kk < bk; kk += ck) {
      for (const i of I) out(`    l${i} = subgroupMatrixLoad<${L}>(&sa, (sgRow + ${i * cm}u) * ${saStride}u + ${kk}u, false, ${saStride}u);`);
      for (const j of J) {
        out(
          transposeB
            ? `    r${j} = subgroupMatrixLoad<${R}>(&sb, (sgCol + ${j * cn}u) * ${sbStride}u + ${kk}u, true, ${sbStride}u);`
            : `    r${j} = subgroupMatrixLoad<${R}>(&sb, ${kk}u * ${sbStride}u + sgCol + ${j * cn}u, false, ${sbStride}u);`,
        );
        for (const i of I) out(`    acc${i}_${j} = subgroupMatrixMultiplyAccumulate(l${i}, r${j}, acc${i}_${j});`);
      }
    }
    out('  }');
  }
  for (const i of I) {
    for (const j of J) {
      // A subgroup past wm × wn (a device running smaller subgroups than its maximum) stores nothing.
      out(`  if (row0 + ${i * cm}u < M && col0 + ${j * cn}u < N${multi ? ` && sg < ${wm * wn}u` : ''}) {`);
      out(`    subgroupMatrixStore(&c, (row0 + ${i * cm}u) * N + col0 + ${j * cn}u, acc${i}_${j}, false, N);`);
      out('  }');
    }
  }
  out('}');
  return `${lines.join('\n')}\n`;
}
