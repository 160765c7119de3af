/**
 * Probe for OpMatMulInt8 on a device with subgroup matrices: which Dawn flags expose the feature,
 * the configs, correctness of every tile against a CPU reference, and TOP/s per tile at N = 4096
 * and 8192. `node dist/bench/probes/int8.js [--quick]`.
 */
import { create } from 'webgpu';
import { EXPERIMENTAL_FEATURES_FLAG, type Int8Tile, Manager, OpMatMulInt8, OpSyncDevice, OpSyncLocal, packInt8 } from '../../src/index.js';

const quick = process.argv.includes('--quick');

for (const flags of [[], [EXPERIMENTAL_FEATURES_FLAG], ['enable-dawn-features=expose_wgsl_experimental_features']]) {
  const gpu = create(flags);
  const adapter = await gpu.requestAdapter();
  const features = [...(adapter?.features ?? [])].filter((f) => /subgroup/.test(String(f)));
  const info = adapter?.info as (GPUAdapterInfo & { subgroupMatrixConfigs?: unknown[]; subgroupMaxSize?: number }) | undefined;
  console.log(`flags ${JSON.stringify(flags)}: ${info?.description}; features ${features.join(', ')}; max subgroup ${info?.subgroupMaxSize}; configs ${JSON.stringify(info?.subgroupMatrixConfigs)}`);
}

const mgr = await Manager.create({ dawnFlags: [EXPERIMENTAL_FEATURES_FLAG] });
console.log('manager configs', JSON.stringify(mgr.deviceInfo().subgroupMatrixConfigs), 'workgroup storage', mgr.deviceInfo().limits['maxComputeWorkgroupStorageSize']);

function randomBytes(n: number, seed: number, signed: boolean): Int8Array | Uint8Array {
  const out = signed ? new Int8Array(n) : new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

function reference(a: ArrayLike<number>, b: ArrayLike<number>, k: number, n: number, tb: boolean, i: number, j: number): number {
  let s = 0;
  for (let p = 0; p < k; p++) s += a[i * k + p]! * b[tb ? j * k + p : p * n + j]!;
  return s;
}

const TILES: Record<string, Int8Tile> = {
  d2x2s4x4: { wm: 2, wn: 2, sm: 4, sn: 4, staged: false },
  s2x4s4x4k32: { wm: 2, wn: 4, sm: 4, sn: 4, staged: true, bk: 32 },
  s2x4s4x4k32pf: { wm: 2, wn: 4, sm: 4, sn: 4, staged: true, bk: 32, schedule: 'prefetch' },
  s2x2s4x4k32pf: { wm: 2, wn: 2, sm: 4, sn: 4, staged: true, bk: 32, schedule: 'prefetch' },
  s4x2s4x4k32pf: { wm: 4, wn: 2, sm: 4, sn: 4, staged: true, bk: 32, schedule: 'prefetch' },
  s2x4s4x4k64pf: { wm: 2, wn: 4, sm: 4, sn: 4, staged: true, bk: 64, schedule: 'prefetch' },
  s2x2s4x4k64pf: { wm: 2, wn: 2, sm: 4, sn: 4, staged: true, bk: 64, schedule: 'prefetch' },
  s2x4s4x2k32pf: { wm: 2, wn: 4, sm: 4, sn: 2, staged: true, bk: 32, schedule: 'prefetch' },
  s4x4s2x4k32pf: { wm: 4, wn: 4, sm: 2, sn: 4, staged: true, bk: 32, schedule: 'prefetch' },
};

async function check(m: number, n: number, k: number, tb: boolean, tile: Int8Tile | undefined, signed = true, samples = 0): Promise<string> {
  const av = randomBytes(m * k, m + 3 * k + 1, signed);
  const bv = randomBytes(k * n, n + 7 * k + 2, signed);
  const a = mgr.tensor(signed ? packInt8(av as Int8Array) : packInt8(av as Uint8Array));
  const b = mgr.tensor(signed ? packInt8(bv as Int8Array) : packInt8(bv as Uint8Array));
  const c = signed ? mgr.tensor(new Int32Array(m * n).fill(-7777777)) : mgr.tensor(new Uint32Array(m * n).fill(7777777));
  const op = new OpMatMulInt8(a, b, c, { m, n, k, transposeB: tb, ...(tile ? { tile } : {}) });
  await mgr.sequence().eval(new OpSyncDevice([a, b, c]), op, new OpSyncLocal([c]));
  const got = c.data() as Int32Array | Uint32Array;
  let bad = 0;
  let first = '';
  const cells: [number, number][] = [];
  if (samples > 0) {
    let s = 12345;
    for (let q = 0; q < samples; q++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      cells.push([s % m, (s >>> 7) % n]);
    }
    cells.push([m - 1, n - 1], [0, 0], [m - 1, 0], [0, n - 1]);
  } else {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) cells.push([i, j]);
  }
  for (const [i, j] of cells) {
    const want = reference(av, bv, k, n, tb, i, j);
    const have = got[i * n + j]!;
    if (have !== (signed ? want : want >>> 0)) {
      bad++;
      if (!first) first = ` first at (${i},${j}): ${have} vs ${want}`;
    }
  }
  for (const r of [a, b, c]) r.destroy();
  op.destroyResources();
  return bad === 0 ? `ok (${cells.length} checked)` : `WRONG ${bad}/${cells.length}${first}`;
}

async function time(size: number, tile: Int8Tile | undefined): Promise<number> {
  const a = mgr.tensor(packInt8(randomBytes(size * size, 1, true) as Int8Array));
  const b = mgr.tensor(packInt8(randomBytes(size * size, 2, true) as Int8Array));
  const c = mgr.tensor(size * size, 'i32');
  const op = await new OpMatMulInt8(a, b, c, { m: size, n: size, ...(tile ? { tile } : {}) }).compiled();
  const count = Math.max(1, Math.round(4e12 / op.ops));
  const seq = mgr.sequence();
  for (let i = 0; i < count; i++) seq.record(op);
  await seq.eval();
  const samples: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    await seq.eval();
    samples.push((performance.now() - t) / 1000);
  }
  samples.sort((x, y) => x - y);
  for (const r of [seq, a, b, c]) r.destroy();
  op.destroyResources();
  return (count * op.ops) / samples[2]! / 1e12;
}

const summary: string[] = [];
for (const [name, tile] of [['default', undefined], ...Object.entries(TILES)] as const) {
  try {
    const results = [await check(16, 16, 32, false, tile), await check(48, 80, 96, false, tile), await check(272, 208, 160, true, tile), await check(144, 400, 64, false, tile)];
    const ok = results.every((r) => r.startsWith('ok'));
    let line = `${name.padEnd(14)} small sizes ${ok ? 'ok' : results.join(' | ')}`;
    if (!quick) {
      line += `; 4096 ${await check(4096, 4096, 4096, false, tile, true, 64)}`;
      for (const size of [4096, 8192]) line += `; N=${size} ${(await time(size, tile)).toFixed(1)} TOP/s`;
    }
    console.log(line);
    summary.push(line);
  } catch (error) {
    const line = `${name.padEnd(14)} FAILED ${(error as Error).message.slice(0, 1200)}`;
    console.log(line);
    summary.push(line);
  }
}
try {
  console.log('u8', await check(48, 80, 96, false, undefined, false), 'u8 tb', await check(48, 80, 96, true, undefined, false));
} catch (error) {
  console.log('u8 FAILED', (error as Error).message.slice(0, 300));
}
console.log(`\n${summary.join('\n')}`);
mgr.destroy();
