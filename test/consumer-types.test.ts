/**
 * The published declarations type-check in strict consumer projects, with `skipLibCheck: false`,
 * on every TypeScript version the package supports (the repository's TypeScript 7, and
 * TypeScript 5.9, tools/typedoc's), with and without the DOM lib.
 *
 * The package is packed (`npm pack`, without rebuilding: `pretest` built dist/) and installed
 * into one temporary project from the local npm cache; each setting is a tsconfig of its own in
 * that project. Where the program declares WebGPU's types (the DOM lib of TypeScript 6 and later,
 * or `@webgpu/types` with TypeScript 5), the consumer's code uses the real types through the
 * package's (`mgr.device.createBuffer`, `tensor.buffer.size`); where it declares none (a Node
 * program without the DOM lib), the package's WebGPU objects are opaque and everything else works.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const work = mkdtempSync(join(tmpdir(), 'kompute-ts-consumer-types-'));
const project = join(work, 'consumer');

/** The TypeScript compilers the package supports, by the version they report. */
const COMPILERS = [
  { name: 'TypeScript 7', tsc: join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), major: 7 },
  { name: 'TypeScript 5.9', tsc: join(ROOT, 'tools', 'typedoc', 'node_modules', 'typescript', 'bin', 'tsc'), major: 5 },
] as const;

/** What every setting shares: strict, NodeNext, no emit, and every declaration checked. */
const BASE = { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: false, exactOptionalPropertyTypes: true };

type Setting = { label: string; major: 5 | 7; options: Record<string, unknown>; file: 'node-check.ts' | 'webgpu-check.ts' | 'browser-check.ts' };

const SETTINGS: readonly Setting[] = [
  { label: 'no DOM lib', major: 7, options: { lib: ['ES2023', 'ESNext.Disposable'], types: ['node'] }, file: 'node-check.ts' },
  { label: 'DOM lib (its own WebGPU types)', major: 7, options: { lib: ['ES2023', 'ESNext.Disposable', 'DOM'], types: ['node'] }, file: 'webgpu-check.ts' },
  {
    label: 'browser entry, Bundler resolution, DOM lib',
    major: 7,
    options: { module: 'ESNext', moduleResolution: 'Bundler', customConditions: ['browser'], lib: ['ES2023', 'ESNext.Disposable', 'DOM'], types: [] },
    file: 'browser-check.ts',
  },
  { label: 'no DOM lib', major: 5, options: { lib: ['ES2023', 'ESNext.Disposable'], types: ['node'] }, file: 'node-check.ts' },
  { label: 'DOM lib without WebGPU types', major: 5, options: { lib: ['ES2023', 'ESNext.Disposable', 'DOM'], types: ['node'] }, file: 'node-check.ts' },
  { label: 'DOM lib and @webgpu/types', major: 5, options: { lib: ['ES2023', 'ESNext.Disposable', 'DOM'], types: ['node', '@webgpu/types'] }, file: 'webgpu-check.ts' },
];

/** Uses the package as a Node program does, naming no WebGPU type. */
const NODE_CHECK = `import { Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, KomputeError, type Tensor } from 'kompute-ts';

export async function run(): Promise<number[]> {
  await using mgr = await Manager.create({ powerPreference: 'high-performance' });
  const a: Tensor<'f32'> = mgr.tensor(new Float32Array([1, 2, 3]));
  const b = mgr.tensor(new Int32Array([4, 5, 6]));
  const out = mgr.tensor(3, 'f32');
  const algorithm = mgr.algorithm({ a, b, out }, '@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u) { out[id.x] = a[id.x] + f32(b[id.x]); }');
  await mgr.sequence().eval(new OpSyncDevice([a, b]), new OpAlgoDispatch(algorithm), new OpSyncLocal([out]));
  const device: object = mgr.device;
  void device;
  return [...out.data()];
}

export function codeOf(error: unknown): string | undefined {
  return error instanceof KomputeError ? error.code : undefined;
}
`;

/** Also reaches WebGPU through the package's types: they must be the program's real ones. */
const WEBGPU_CHECK = `${NODE_CHECK}
export async function interop(): Promise<number> {
  await using mgr = await Manager.create();
  const buffer: GPUBuffer = mgr.device.createBuffer({ size: 16, usage: 0x80 | 0x04 | 0x08 }); // STORAGE | COPY_SRC | COPY_DST (TypeScript 7.0's DOM lib has no GPUBufferUsage)
  const t = mgr.tensorFromBuffer(buffer, 'u32', 4);
  const size: number = t.buffer.size;
  const again = Manager.fromDevice(mgr.device);
  again.destroy();
  return size;
}
`;

/** The browser entry, as a bundler resolves it. */
const BROWSER_CHECK = `import { Manager, type Tensor } from 'kompute-ts';

export async function run(): Promise<number> {
  const adapter = await navigator.gpu.requestAdapter();
  const device = await adapter!.requestDevice();
  const mgr = Manager.fromDevice(device);
  const t: Tensor<'u32'> = mgr.tensor(new Uint32Array([1, 2]));
  const buffer: GPUBuffer = t.buffer;
  mgr.destroy();
  return buffer.size;
}
`;

function npm(args: readonly string[], cwd: string): string {
  return execFileSync(NPM, [...args], { cwd, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the published declarations in strict consumer projects (skipLibCheck: false)', { timeout: 120_000 }, () => {
  before(() => {
    // TypeScript 5.9 lives in tools/typedoc (TypeDoc's compiler); install it from its lock file when missing.
    if (!existsSync(COMPILERS[1].tsc)) npm(['--prefix', 'tools/typedoc', 'ci', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], ROOT);
    const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT)) as { filename: string }[];
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const typesNode = `@types/node@${own.devDependencies['@types/node']}`;
    const webgpuTypes = `@webgpu/types@${own.devDependencies['@webgpu/types']}`;
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(work, packed!.filename), typesNode, webgpuTypes], project);
    writeFileSync(join(project, 'node-check.ts'), NODE_CHECK);
    writeFileSync(join(project, 'webgpu-check.ts'), WEBGPU_CHECK);
    writeFileSync(join(project, 'browser-check.ts'), BROWSER_CHECK);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('the package does not depend on WebGPU type packages or on Dawn', () => {
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'kompute-ts', 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    assert.deepEqual(Object.keys(manifest.dependencies ?? {}), ['wgsl_reflect']);
    assert.ok(!existsSync(join(project, 'node_modules', 'webgpu')), 'webgpu (Dawn) is not installed with the package');
  });

  for (const compiler of COMPILERS) {
    test(`${compiler.name} is the version the settings name`, () => {
      const version = execFileSync(process.execPath, [compiler.tsc, '--version'], { encoding: 'utf8' });
      assert.match(version, new RegExp(`Version ${compiler.major}\\.`));
    });
  }

  for (const [index, setting] of SETTINGS.entries()) {
    const compiler = COMPILERS.find((c) => c.major === setting.major)!;
    test(`${compiler.name}, ${setting.label}: ${setting.file} type-checks`, () => {
      const config = `tsconfig.${index}.json`;
      writeFileSync(join(project, config), JSON.stringify({ compilerOptions: { ...BASE, ...setting.options }, files: [setting.file] }, null, 2));
      const result = spawnSync(process.execPath, [compiler.tsc, '-p', config], { cwd: project, encoding: 'utf8', timeout: 60_000 });
      assert.equal(result.status, 0, `tsc -p ${config} (${JSON.stringify(setting.options)}):\n${result.stdout}${result.stderr}`);
    });
  }

  test('a type error in the consumer is still reported (the check is not vacuous)', () => {
    writeFileSync(join(project, 'broken-check.ts'), `import { Manager } from 'kompute-ts';\nconst mgr = await Manager.create();\nconst n: string = mgr.tensor([1]).size;\nexport { n };\n`);
    writeFileSync(join(project, 'tsconfig.broken.json'), JSON.stringify({ compilerOptions: { ...BASE, ...SETTINGS[0]!.options }, files: ['broken-check.ts'] }));
    const result = spawnSync(process.execPath, [COMPILERS[0].tsc, '-p', 'tsconfig.broken.json'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(result.status, 0);
    assert.match(result.stdout, /broken-check\.ts\(3,7\): error TS2322/);
  });
});
