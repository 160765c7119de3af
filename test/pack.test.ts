/**
 * The package as users get it: `npm pack`, installed into a fresh project in a temporary folder
 * (dependencies from the local npm cache when it has them). Without its optional peer `webgpu`
 * (Dawn), `Manager.create()` says how to install it; with it (`npm install kompute-ts webgpu`,
 * the README's Node install) an example runs there through `import ... from 'kompute-ts'`, and
 * the `kompute-ts` command works. The declarations are checked by test/consumer-types.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const work = mkdtempSync(join(tmpdir(), 'kompute-ts-pack-'));
const project = join(work, 'consumer');

function devDependency(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies[name]!;
}

function npm(args: readonly string[], cwd: string): string {
  return execFileSync(NPM, [...args], { cwd, encoding: 'utf8', timeout: 240_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the packed package', { timeout: 300_000 }, () => {
  let tarball: string;
  before(() => {
    // --ignore-scripts: no prepack rebuild of dist/ while other test files run from it (pretest built it).
    const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT)) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, packed!.filename);
    const files = packed!.files.map((f) => f.path);
    assert.ok(files.includes('dist/src/index.js') && files.includes('dist/src/index.d.ts') && files.includes('dist/src/cli/main.js'), files.join(' '));
    assert.ok(!files.some((f) => f.startsWith('dist/test/') || f.startsWith('src/')), 'tests and TypeScript sources stay out of the package');
    assert.ok(files.includes('LICENSE') && files.includes('README.md'), 'LICENSE and README are packed');
    assert.ok(!files.some((f) => f.startsWith('dist/bench/')), 'the benchmark suite (a development tool) stays out of the package');
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
    assert.match(readFileSync(join(project, 'node_modules', 'kompute-ts', 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004/);
  });

  test('the shipped source maps resolve: every source is inlined', () => {
    const dist = join(project, 'node_modules', 'kompute-ts', 'dist', 'src');
    const maps = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.js.map'));
    assert.ok(maps.length > 20, `${maps.length} source maps`);
    for (const name of maps) {
      const map = JSON.parse(readFileSync(join(dist, name), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      assert.equal(map.sourcesContent?.length, map.sources.length, `${name} inlines its sources`);
      assert.ok(
        map.sourcesContent.every((text) => typeof text === 'string' && text.length > 0),
        `${name}: every source has its text`,
      );
    }
  });

  test('without the optional peer webgpu, Manager.create() throws an UnsupportedError saying how to install it', () => {
    assert.ok(!existsSync(join(project, 'node_modules', 'webgpu')), 'webgpu is not installed with kompute-ts');
    writeFileSync(
      join(project, 'missing.js'),
      `import { Manager, UnsupportedError } from 'kompute-ts';
try {
  await Manager.create();
  console.log('created');
} catch (error) {
  console.log(JSON.stringify({ unsupported: error instanceof UnsupportedError, code: error.code, message: error.message, hint: error.hint }));
}
`,
    );
    const result = spawnSync(process.execPath, ['missing.js'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { unsupported: boolean; code: string; message: string; hint: string };
    assert.equal(report.unsupported, true);
    assert.equal(report.code, 'KP_UNSUPPORTED');
    assert.match(report.message, /'webgpu' \(Dawn\) is not installed/);
    assert.match(report.hint, /npm install webgpu/);
  });

  test('with webgpu installed beside it, an example runs through the package name', () => {
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `webgpu@${devDependency('webgpu')}`], project);
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
    const bench = spawnSync(join(project, 'node_modules', '.bin', 'kompute-ts'), ['bench', '--quick'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    assert.equal(bench.status, 1, bench.stderr);
    assert.match(bench.stderr, /^kompute-ts bench: the benchmark suite is a development tool that the installed package does not contain; run it in a clone/);
  });
});
