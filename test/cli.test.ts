/**
 * The `kompute-ts` command, run as users run it: `node dist/src/cli/main.js <command>` in a child
 * process. `run` works on real .npy files that the test writes, against results computed here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type DoctorFacts, diagnose, formatFindings } from '../src/cli/doctor.js';
import { formatNpy, parseNpy } from '../src/cli/npy.js';
import { DTypeError } from '../src/index.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kompute-ts-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, all: `${result.stdout}\n${result.stderr}` };
}

describe('kompute-ts help', () => {
  test('lists the commands; an unknown command exits 2 with the usage', () => {
    const help = cli(['help']);
    assert.equal(help.code, 0);
    for (const command of ['info', 'doctor', 'run', 'bench']) assert.match(help.stdout, new RegExp(`kompute-ts ${command}`));
    const unknown = cli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  });
});

describe('kompute-ts info', () => {
  test('prints each adapter with vendor, architecture, backend, features and limits', () => {
    const { code, stdout } = cli(['info']);
    assert.equal(code, 0, stdout);
    for (const field of ['Adapter 1:', 'vendor', 'architecture', 'backend       vulkan', 'features (', 'limits (', 'maxStorageBufferBindingSize'])
      assert.ok(stdout.includes(field), `missing ${field}:\n${stdout}`);
  });

  test('--json is machine-readable and agrees with the text', () => {
    const { code, stdout } = cli(['info', '--json']);
    assert.equal(code, 0);
    const adapters = JSON.parse(stdout) as { vendor: string; architecture: string; backend: string; features: string[]; limits: Record<string, number> }[];
    assert.ok(adapters.length >= 1);
    const [first] = adapters;
    assert.equal(typeof first!.vendor, 'string');
    assert.equal(typeof first!.architecture, 'string');
    assert.equal(first!.backend, 'vulkan');
    assert.ok(Array.isArray(first!.features));
    assert.ok(first!.limits['maxComputeWorkgroupsPerDimension']! >= 65535);
  });
});

describe('kompute-ts doctor', () => {
  test('on this machine finds the loader, a driver and the adapter, and exits 0', () => {
    const { code, stdout } = cli(['doctor']);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /\[ok {2}\] Vulkan loader: .*libvulkan\.so\.1/);
    assert.match(stdout, /\[ok {2}\] WebGPU adapter: /);
    assert.doesNotMatch(stdout, /FAIL/);
  });

  test('with VK_DRIVER_FILES pointing nowhere it finds no adapter, says why and prints the fix', () => {
    const { code, stdout } = cli(['doctor'], { VK_DRIVER_FILES: join(dir, 'missing_icd.json') });
    assert.equal(code, 1);
    assert.match(stdout, /\[FAIL\] VK_DRIVER_FILES names driver files that do not exist/);
    assert.match(stdout, /fix: unset VK_DRIVER_FILES/);
    assert.match(stdout, /\[FAIL\] no WebGPU adapter found/);
  });

  const healthy: DoctorFacts = {
    platform: 'linux',
    nodeVersion: '20.11.0',
    webgpuError: null,
    os: { id: 'debian', codename: 'bookworm' },
    vulkanLoader: '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
    icdVariable: null,
    icdFiles: ['/usr/share/vulkan/icd.d/lvp_icd.json'],
    mesaVersion: '25.0.7-2~bpo12+1',
    adapter: 'llvmpipe (mesa, software)',
  };

  test('diagnose: a healthy machine is ok', () => {
    const { ok, findings } = diagnose(healthy);
    assert.equal(ok, true);
    assert.ok(findings.every((f) => f.status !== 'problem'));
  });

  test('diagnose: a missing Vulkan loader names libvulkan.so.1 and the package that installs it', () => {
    const { ok, findings } = diagnose({ ...healthy, vulkanLoader: null, adapter: null });
    assert.equal(ok, false);
    const loader = findings.find((f) => /libvulkan\.so\.1/.test(f.text));
    assert.equal(loader?.status, 'problem');
    assert.equal(loader?.fix, 'sudo apt-get install -y libvulkan1');
    assert.equal(
      diagnose({ ...healthy, os: { id: 'fedora', codename: '' }, vulkanLoader: null, adapter: null }).findings.find((f) => /libvulkan/.test(f.text))?.fix,
      'sudo dnf install -y vulkan-loader',
    );
  });

  test('diagnose: no driver at all on Debian 12 prints the bookworm-backports lavapipe install', () => {
    const { findings } = diagnose({ ...healthy, icdFiles: [], mesaVersion: null, adapter: null });
    const driver = findings.find((f) => /no Vulkan driver/.test(f.text));
    assert.equal(driver?.status, 'problem');
    assert.match(driver!.fix!, /bookworm-backports.*mesa-vulkan-drivers/);
    assert.match(formatFindings(findings), /fix: .*apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1/);
  });

  test("diagnose: Debian 12's own Mesa 22.3 lavapipe is too old; Ubuntu gets plain apt-get", () => {
    const old = diagnose({ ...healthy, mesaVersion: '22.3.6-1+deb12u1', adapter: null }).findings.find((f) => /too old/.test(f.text));
    assert.equal(old?.status, 'problem');
    assert.match(old!.text, /Mesa 22\.3\.6/);
    assert.match(old!.fix!, /bookworm-backports/);
    const ubuntu = diagnose({ ...healthy, os: { id: 'ubuntu', codename: 'jammy' }, icdFiles: [], adapter: null }).findings.find((f) => /no Vulkan driver/.test(f.text));
    assert.equal(ubuntu?.fix, 'sudo apt-get update && sudo apt-get install -y mesa-vulkan-drivers libvulkan1');
  });

  test('diagnose: a webgpu package that fails to load and an old Node are reported with fixes', () => {
    const { findings } = diagnose({ ...healthy, nodeVersion: '18.19.0', webgpuError: "Cannot find package 'webgpu'", adapter: null });
    assert.equal(findings.find((f) => /Node\.js 18/.test(f.text))?.status, 'problem');
    assert.equal(findings.find((f) => /webgpu package/.test(f.text))?.fix, 'npm install webgpu');
  });
});

describe('.npy files', () => {
  test("the writer produces NumPy's exact bytes for np.save(path, np.array([1, 2, 3], dtype='<f4'))", () => {
    const bytes = formatNpy({ dtype: 'f32', shape: [3], data: new Float32Array([1, 2, 3]) });
    // NumPy: magic, version 1.0, header length 118 (so the data starts at byte 128), the dict,
    // spaces, '\n', then the 12 data bytes.
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
    const expected = Buffer.concat([Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, 118, 0]), Buffer.from(`${header.padEnd(117, ' ')}\n`), Buffer.from(new Float32Array([1, 2, 3]).buffer)]);
    assert.deepEqual(Buffer.from(bytes), expected);
  });

  test('round-trips every tensor dtype and multi-dimensional shapes; reads format 2.0', () => {
    const cases = [
      { dtype: 'f32', shape: [2, 3], data: new Float32Array([1, -2, 3.5, 4, 5, 6]) },
      { dtype: 'i32', shape: [4], data: new Int32Array([-1, 0, 1, 2 ** 31 - 1]) },
      { dtype: 'u32', shape: [2, 1, 2], data: new Uint32Array([0, 1, 2, 2 ** 32 - 1]) },
      { dtype: 'f16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) },
      { dtype: 'f32', shape: [], data: new Float32Array([7]) },
    ] as const;
    for (const c of cases) {
      const back = parseNpy(formatNpy(c));
      assert.equal(back.dtype, c.dtype);
      assert.deepEqual(back.shape, c.shape);
      assert.deepEqual([...back.data], [...c.data]);
    }
    const v1 = formatNpy({ dtype: 'i32', shape: [2], data: new Int32Array([5, 6]) });
    const headerLength = v1[8]! | (v1[9]! << 8);
    const v2 = new Uint8Array(v1.length + 2);
    v2.set(v1.subarray(0, 8));
    v2[6] = 2;
    new DataView(v2.buffer).setUint32(8, headerLength, true);
    v2.set(v1.subarray(10), 12);
    assert.deepEqual([...parseNpy(v2).data], [5, 6]);
  });

  test('float64, big-endian and Fortran-ordered files are refused with a hint', () => {
    const f32 = formatNpy({ dtype: 'f32', shape: [1], data: new Float32Array([1]) });
    const patch = (from: string, to: string) => Buffer.from(Buffer.from(f32).toString('latin1').replace(from, to), 'latin1');
    assert.throws(
      () => parseNpy(patch("'<f4'", "'<f8'"), 'x.npy'),
      (e: unknown) => e instanceof DTypeError && /'<f8'/.test(e.message) && /astype/.test(e.hint),
    );
    assert.throws(() => parseNpy(patch("'<f4'", "'>f4'"), 'x.npy'), DTypeError);
    assert.throws(() => parseNpy(patch('False', 'True '), 'x.npy'), /Fortran order/);
    assert.throws(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'x.npy'), /not a \.npy file/);
  });
});

describe('kompute-ts run', () => {
  const save = (name: string, array: Parameters<typeof formatNpy>[0]) => writeFileSync(join(dir, name), formatNpy(array));
  const load = (name: string) => parseNpy(readFileSync(join(dir, name)));

  test('dispatches a kernel over two .npy inputs into an .npy output with the right values and shape', () => {
    const n = 1000;
    const a = Float32Array.from({ length: n }, (_, i) => i * 0.5);
    const b = Float32Array.from({ length: n }, (_, i) => 3 - i);
    save('a.npy', { dtype: 'f32', shape: [10, 100], data: a });
    save('b.npy', { dtype: 'f32', shape: [10, 100], data: b });
    writeFileSync(
      join(dir, 'fma.wgsl'),
      `@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x < arrayLength(&c)) { c[id.x] = a[id.x] * b[id.x] + 1.0; }
}`,
    );
    const { code, all } = cli(['run', 'fma.wgsl', '--in', 'a.npy', '--in', 'b.npy', '--out', 'c.npy']);
    assert.equal(code, 0, all);
    assert.match(all, /dispatched 16 workgroup\(s\)/);
    const c = load('c.npy');
    assert.equal(c.dtype, 'f32');
    assert.deepEqual(c.shape, [10, 100]);
    const expected = a.map((x, i) => Math.fround(x * b[i]!) + 1);
    c.data.forEach((v, i) => {
      assert.ok(Math.abs(v - expected[i]!) <= 1e-4 * Math.max(1, Math.abs(expected[i]!)), `c[${i}] = ${v}, expected ${expected[i]}`);
    });
  });

  test('the output takes the element type the shader declares; --workgroup sets the dispatch', () => {
    save('v.npy', { dtype: 'u32', shape: [8], data: Uint32Array.from([1, 2, 3, 4, 5, 6, 7, 8]) });
    writeFileSync(
      join(dir, 'negate.wgsl'),
      `@group(0) @binding(0) var<storage, read> v: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u) { out[id.x] = -i32(v[id.x]); }`,
    );
    const { code, all } = cli(['run', 'negate.wgsl', '--in', 'v.npy', '--out', 'neg.npy', '--workgroup', '4,1,1']);
    assert.equal(code, 0, all);
    const out = load('neg.npy');
    assert.equal(out.dtype, 'i32');
    assert.deepEqual([...out.data], [-1, -2, -3, -4, 0, 0, 0, 0]); // 4 workgroups of 1: half done
  });

  test('name=path files use generated bindings, so the shader declares none', () => {
    save('x.npy', { dtype: 'f32', shape: [4], data: new Float32Array([1, 4, 9, 16]) });
    writeFileSync(join(dir, 'sqrt.wgsl'), '@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u) { y[id.x] = sqrt(x[id.x]); }');
    const { code, all } = cli(['run', 'sqrt.wgsl', '--in', 'x=x.npy', '--out', 'y=y.npy']);
    assert.equal(code, 0, all);
    assert.deepEqual([...load('y.npy').data], [1, 2, 3, 4]);
  });

  test('a shader that does not fit the files fails with the binding error and exit code 1', () => {
    save('ints.npy', { dtype: 'i32', shape: [2], data: new Int32Array([1, 2]) });
    writeFileSync(join(dir, 'f32.wgsl'), '@group(0) @binding(0) var<storage, read_write> t: array<f32>;\n@compute @workgroup_size(1) fn main() { t[0] = 1.0; }');
    const { code, stderr } = cli(['run', 'f32.wgsl', '--in', 'ints.npy']);
    assert.equal(code, 1);
    assert.match(stderr, /AlgorithmBindingError: tensors\[0\]: @group\(0\) @binding\(0\) 't' is array<f32> but ints\.npy is i32/);
    const usage = cli(['run', 'f32.wgsl', '--in', 'ints.npy', '--workgroup', 'x']);
    assert.equal(usage.code, 2);
  });
});

describe('kompute-ts bench', () => {
  test('without a terminal it passes the suite through as a plain log', () => {
    const { code, stdout } = cli(['bench', '--quick', '--only', 'tiny-eval']);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^kompute-ts bench --quick on /m);
    assert.match(stdout, /^ {2}tiny-eval: kompute-ts [\d.]+ µs, raw [\d.]+ µs/m);
    assert.match(stdout, /\| tiny-eval: /);
    assert.doesNotMatch(stdout, /\r/);
  });

  test('with a progress bar (a terminal, or --progress) it counts the workloads, then prints the table', () => {
    const { code, stdout, stderr } = cli(['bench', '--progress', '--quick', '--only', 'tiny-eval,dispatch-1000']);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /\r\[#{15}-{15}\] 1\/2 tiny-eval/);
    assert.match(stderr, /\r\[#{30}\] 2\/2 dispatch-1000/);
    assert.match(stdout, /\| dispatch-1000: /);
  });
});
