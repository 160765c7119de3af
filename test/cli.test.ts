/**
 * The `kompute-ts` command, run as users run it: `node dist/src/cli/main.js <command>` in a child
 * process. `run` works on real .npy files that the test writes, against results computed here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type DoctorFacts, diagnose, formatFindings } from '../src/cli/doctor.js';
import { formatNpy, parseNpy } from '../src/cli/npy.js';
import { ArgumentError, DTypeError } from '../src/index.js';
import { parseOutput } from '../src/cli/run.js';

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

describe('kompute-ts --version and exit codes', () => {
  test('--version prints the version of package.json', () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
    const { code, stdout } = cli(['--version']);
    assert.equal(code, 0);
    assert.equal(stdout, `kompute-ts ${pkg.version}\n`);
  });

  test('usage errors are one line and exit 2; help documents the exit codes', () => {
    for (const args of [['frobnicate'], ['run'], ['run', 'a.wgsl', 'b.wgsl'], ['run', 'x.wgsl', '--bogus'], ['run', 'x.wgsl', '--in', 'a.npy', '--out', 'c.npy:f64:1']]) {
      const { code, stderr } = cli(args);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
      assert.match(stderr, /^kompute-ts: .*\(see kompute-ts help\)\n$/);
    }
    assert.match(cli(['help']).stdout, /Exit codes: 0 done; 1 the command failed .*\n2 the command line is wrong/);
  });
});

describe('kompute-ts run: user errors are one line, exit 1, and leave no output', () => {
  const save = (name: string, array: Parameters<typeof formatNpy>[0]) => writeFileSync(join(dir, name), formatNpy(array));
  const ADD = `@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) { if (id.x < arrayLength(&c)) { c[id.x] = a[id.x] + b[id.x]; } }`;
  const SUM = `@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> s: array<f32>;
@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x == 0u) { var t = 0.0; for (var i = 0u; i < arrayLength(&a); i++) { t += a[i]; } s[0] = t; }
}`;
  const oneLine = (args: readonly string[], message: RegExp) => {
    const { code, stderr, stdout } = cli(args);
    assert.equal(code, 1, `${args.join(' ')}: ${stderr}`);
    assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    assert.match(stderr, message);
    return stdout;
  };

  test('a missing input or shader, a directory as input, an output folder that does not exist', () => {
    writeFileSync(join(dir, 'add.wgsl'), ADD);
    save('p.npy', { dtype: 'f32', shape: [4], data: new Float32Array([1, 2, 3, 4]) });
    oneLine(['run', 'add.wgsl', '--in', 'nope.npy', '--in', 'p.npy', '--out', 'nowhere.npy'], /^kompute-ts: cannot read nope\.npy: no such file or directory\n$/);
    oneLine(['run', 'nope.wgsl', '--in', 'p.npy'], /^kompute-ts: cannot read nope\.wgsl: no such file or directory\n$/);
    mkdirSync(join(dir, 'folder'), { recursive: true });
    oneLine(['run', 'add.wgsl', '--in', 'folder', '--in', 'p.npy', '--out', 'nowhere.npy'], /^kompute-ts: cannot read folder: is a directory\n$/);
    oneLine(['run', 'add.wgsl', '--in', 'p.npy', '--in', 'p.npy', '--out', 'missing/c.npy'], /^kompute-ts: cannot write missing\/c\.npy: no such file or directory\n$/);
    oneLine(['run', 'add.wgsl', '--in', 'p.npy', '--in', 'p.npy', '--out', 'folder'], /^kompute-ts: cannot write folder: is a directory\n$/);
    assert.ok(!existsSync(join(dir, 'nowhere.npy')));
  });

  test('every .npy header field is checked, with the file and the value named', () => {
    const base = Buffer.from(formatNpy({ dtype: 'f32', shape: [4], data: new Float32Array(4) })).toString('latin1');
    const patched = (name: string, from: string, to: string) => {
      writeFileSync(join(dir, name), Buffer.from(base.replace(from, to), 'latin1'));
      return name;
    };
    const cases: [string, RegExp][] = [
      [patched('neg.npy', '(4,)', '(-1,)'), /neg\.npy: has shape \(-1,\) .*"-1" is not a dimension/],
      [patched('long.npy', '(4,)', '(4L,)'), /long\.npy: has shape \(4L,\) .*"4L" is not a dimension/],
      [patched('zero.npy', '(4,)', '(0,)'), /zero\.npy: has shape \(0,\): no elements/],
      [patched('f8.npy', "'<f4'", "'<f8'"), /DTypeError: f8\.npy: NumPy dtype '<f8'/],
      [patched('fortran.npy', 'False', 'True '), /fortran\.npy: is stored in Fortran order/],
      [patched('order.npy', 'False', 'Maybe'), /order\.npy: has 'fortran_order': Maybe/],
      [patched('extra.npy', "'shape'", "'shapo'"), /extra\.npy: has an unknown \.npy header field 'shapo'/],
    ];
    writeFileSync(join(dir, 'short.npy'), Buffer.from(base, 'latin1').subarray(0, 130));
    cases.push(['short.npy', /short\.npy: is truncated: it holds 2 data bytes but its shape \(4,\) of f32 needs 16/]);
    writeFileSync(join(dir, 'header.npy'), Buffer.from(base, 'latin1').subarray(0, 40));
    cases.push(['header.npy', /header\.npy: is truncated: its \.npy header says 118 bytes/]);
    writeFileSync(join(dir, 'tail.npy'), Buffer.concat([Buffer.from(base, 'latin1'), Buffer.alloc(4)]));
    cases.push(['tail.npy', /tail\.npy: holds 20 data bytes but its shape \(4,\) of f32 needs 16/]);
    for (const [file, message] of cases) {
      assert.throws(
        () => parseNpy(readFileSync(join(dir, file)), file),
        (e: unknown) => e instanceof ArgumentError && e.argument === file && message.test(`${e.name}: ${e.message}`),
        file,
      );
    }
    // And through the CLI: one line naming the file.
    oneLine(['run', 'add.wgsl', '--in', 'neg.npy'], /^kompute-ts: ArgumentError: neg\.npy: has shape \(-1,\)/);
  });

  test('inputs are checked against the bindings: different lengths, or a size a sized binding does not hold, run nothing', () => {
    writeFileSync(join(dir, 'add.wgsl'), ADD);
    save('a8.npy', { dtype: 'f32', shape: [8], data: new Float32Array(8).fill(1) });
    save('b4.npy', { dtype: 'f32', shape: [4], data: new Float32Array(4).fill(2) });
    oneLine(['run', 'add.wgsl', '--in', 'a8.npy', '--in', 'b4.npy', '--out', 'sum8.npy'], /b4\.npy has 4 elements but a8\.npy has 8/);
    assert.ok(!existsSync(join(dir, 'sum8.npy')));
    writeFileSync(join(dir, 'sized.wgsl'), ADD.replace('var<storage, read> b: array<f32>;', 'var<storage, read> b: array<f32, 4>;'));
    oneLine(['run', 'sized.wgsl', '--in', 'a8.npy', '--in', 'a8.npy', '--out', 'sum8.npy'], /a8\.npy has 8 elements but @binding\(1\) of sized\.wgsl holds 4/);
    // A sized binding takes its own size: b4 binds to array<f32, 4>.
    const { code, all } = cli(['run', 'sized.wgsl', '--in', 'a8.npy', '--in', 'b4.npy', '--out', 'sum8.npy']);
    assert.equal(code, 0, all);
    assert.deepEqual([...parseNpy(readFileSync(join(dir, 'sum8.npy'))).data].slice(0, 4), [3, 3, 3, 3]);
  });

  test('outputs are written all or none: a second output that cannot be written leaves the first off the disk', () => {
    writeFileSync(
      join(dir, 'two.wgsl'),
      SUM.replace(
        '@group(0) @binding(1) var<storage, read_write> s: array<f32>;',
        '@group(0) @binding(1) var<storage, read_write> s: array<f32>;\n@group(0) @binding(2) var<storage, read_write> u: array<f32>;',
      ),
    );
    save('a8.npy', { dtype: 'f32', shape: [8], data: new Float32Array(8).fill(1) });
    mkdirSync(join(dir, 'locked'), { recursive: true });
    // A directory of the output's name: the check before the run sees it, and nothing is written.
    mkdirSync(join(dir, 'locked', 'second.npy'), { recursive: true });
    oneLine(['run', 'two.wgsl', '--in', 'a8.npy', '--out', 'first.npy', '--out', 'locked/second.npy'], /cannot write locked\/second\.npy: is a directory/);
    assert.ok(!existsSync(join(dir, 'first.npy')), 'the first output was not written');
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
      'no temporary file is left',
    );
  });
});

describe('kompute-ts run --out with a dtype and a shape', () => {
  test('--out path:dtype:shape, path:dtype and path:shape parse; a reduction runs from the CLI', () => {
    assert.deepEqual(parseOutput('sum.npy:f32:1'), { name: null, path: 'sum.npy', dtype: 'f32', shape: [1] });
    assert.deepEqual(parseOutput('s=m.npy:i32:2x3'), { name: 's', path: 'm.npy', dtype: 'i32', shape: [2, 3] });
    assert.deepEqual(parseOutput('c.npy:u32'), { name: null, path: 'c.npy', dtype: 'u32', shape: null });
    assert.deepEqual(parseOutput('c.npy:8'), { name: null, path: 'c.npy', dtype: null, shape: [8] });
    assert.deepEqual(parseOutput('c.npy'), { name: null, path: 'c.npy', dtype: null, shape: null });
    const n = 1000;
    const a = Float32Array.from({ length: n }, (_, i) => (i % 7) - 3);
    writeFileSync(join(dir, 'big.npy'), formatNpy({ dtype: 'f32', shape: [n], data: a }));
    writeFileSync(
      join(dir, 'sum.wgsl'),
      `@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> s: array<f32>;
@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x == 0u) { var t = 0.0; for (var i = 0u; i < arrayLength(&a); i++) { t += a[i]; } s[0] = t; }
}`,
    );
    const { code, all } = cli(['run', 'sum.wgsl', '--in', 'big.npy', '--out', 'total.npy:f32:1']);
    assert.equal(code, 0, all);
    assert.match(all, /wrote total\.npy \(f32, shape \(1,\)\)/);
    const total = parseNpy(readFileSync(join(dir, 'total.npy')));
    assert.deepEqual(total.shape, [1]);
    assert.equal(
      total.data[0],
      a.reduce((x, y) => x + y, 0),
    );
    // A dtype the binding does not declare is refused before anything runs.
    const wrong = cli(['run', 'sum.wgsl', '--in', 'big.npy', '--out', 'wrong.npy:i32:1']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /--out wrong\.npy is i32 but @binding\(1\) of sum\.wgsl holds f32/);
    // A shape: the output keeps it.
    const shaped = cli(['run', 'sum.wgsl', '--in', 'big.npy', '--out', 'shaped.npy:2x3']);
    assert.equal(shaped.code, 0, shaped.all);
    assert.deepEqual(parseNpy(readFileSync(join(dir, 'shaped.npy'))).shape, [2, 3]);
  });
});
