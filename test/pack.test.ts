/**
 * The package as users get it: `npm pack`, installed into a fresh project in a temporary folder
 * (dependencies from the local npm cache when it has them), then an example run there through
 * `import ... from 'kompute-ts'`, the `kompute-ts` command, and the types checked with tsc.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const work = mkdtempSync(join(tmpdir(), 'kompute-ts-pack-'));
const project = join(work, 'consumer');

function npm(args: readonly string[], cwd: string): string {
  return execFileSync(NPM, [...args], { cwd, encoding: 'utf8', timeout: 240_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the packed package', { timeout: 300_000 }, () => {
  let tarball: string;
  before(() => {
    const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], ROOT)) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, packed!.filename);
    const files = packed!.files.map((f) => f.path);
    assert.ok(files.includes('dist/src/index.js') && files.includes('dist/src/index.d.ts') && files.includes('dist/src/cli/main.js'), files.join(' '));
    assert.ok(!files.some((f) => f.startsWith('dist/test/') || f.startsWith('src/')), 'tests and TypeScript sources stay out of the package');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], project);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('installs with its bin, exports and types', () => {
    type Entry = { types: string; default: string };
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'kompute-ts', 'package.json'), 'utf8')) as { exports: Record<string, Record<string, Entry>> };
    assert.deepEqual(manifest.exports['.']!.node, { types: './dist/src/index.d.ts', default: './dist/src/index.js' });
    assert.deepEqual(manifest.exports['.']!.browser, { types: './dist/src/browser.d.ts', default: './dist/src/browser.js' });
    for (const entry of ['index', 'browser', 'api']) assert.ok(existsSync(join(project, 'node_modules', 'kompute-ts', 'dist', 'src', `${entry}.d.ts`)), `${entry}.d.ts is packed`);
    assert.ok(existsSync(join(project, 'node_modules', '.bin', 'kompute-ts')));
  });

  test('runs an example in the fresh project through the package name', () => {
    writeFileSync(
      join(project, 'main.js'),
      `import { Manager, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from 'kompute-ts';
const mgr = await Manager.create();
const a = mgr.tensor([2, 4, 6]);
const b = mgr.tensor([0, 1, 2]);
const product = mgr.tensor(3, 'f32');
const algorithm = mgr.algorithm({ a, b, product }, '@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u) { product[id.x] = a[id.x] * b[id.x]; }');
await mgr.sequence().eval(new OpSyncDevice([a, b]), new OpAlgoDispatch(algorithm), new OpSyncLocal([product]));
console.log(JSON.stringify([...product.data()]));
mgr.destroy();
`,
    );
    const result = spawnSync(process.execPath, ['main.js'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), '[0,4,12]');
  });

  test('the kompute-ts command works from the installed package', () => {
    const result = spawnSync(join(project, 'node_modules', '.bin', 'kompute-ts'), ['info', '--json'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.ok((JSON.parse(result.stdout) as unknown[]).length >= 1);
  });

  test('a TypeScript consumer type-checks against the published types', () => {
    writeFileSync(
      join(project, 'check.ts'),
      `import { Manager, type Tensor, AlgorithmBindingError } from 'kompute-ts';
export async function f(): Promise<number> {
  const mgr = await Manager.create();
  const t: Tensor<'f32'> = mgr.tensor(new Float32Array([1]));
  const n: number = t.size;
  mgr.destroy();
  return n + (new AlgorithmBindingError('x', 'y', 'z').code === 'KP_BINDING' ? 1 : 0);
}
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['check.ts'] }),
    );
    const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });
});
