/**
 * The folder list is the ownership diagram (docs/architecture.md): every import in src/ goes to the
 * same layer or one below it, never up. The layers, bottom first, are listed in LAYERS; a file
 * of src/ that no layer claims fails the test, so a new folder has to be placed deliberately.
 * Type-only imports count too: a type from above is still a dependency on the layer above.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** The layers, bottom first: path prefixes under src/ (a folder ends with '/'). */
export const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts'],
  ['backends/'],
  ['core/'],
  ['memory/'],
  ['algorithm/'],
  ['operations/'],
  ['sequence/'],
  ['kernels/'],
  ['manager/'],
  ['api.ts', 'index.ts', 'browser.ts', 'worker-main.ts'],
  ['cli/'],
];

/** The layer of `file` (a path relative to src/), or -1. */
function layerOf(file: string): number {
  return LAYERS.findIndex((prefixes) => prefixes.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
}

/** Every .ts file under `dir`, relative to src/. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [relative(SRC, path).split('\\').join('/')] : [];
  });
}

/** The relative module specifiers of a source file: imports, re-exports and dynamic imports (comments removed). */
function relativeSpecifiers(code: string): string[] {
  const bare = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = [...bare.matchAll(/\bfrom\s*['"](\.[^'"]+)['"]|\bimport\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g)];
  return found.map((m) => (m[1] ?? m[2] ?? m[3])!);
}

test('every file of src/ belongs to a layer, and no import runs up a layer or out of src/', () => {
  const files = sources(SRC);
  assert.ok(files.length > 50, `${files.length} source files found`);
  const unplaced = files.filter((f) => layerOf(f) < 0);
  assert.deepEqual(unplaced, [], 'files no layer of test/layers.test.ts claims');
  const upward: string[] = [];
  for (const file of files) {
    for (const spec of relativeSpecifiers(readFileSync(join(SRC, file), 'utf8'))) {
      const target = relative(SRC, resolve(dirname(join(SRC, file)), spec))
        .split('\\')
        .join('/')
        .replace(/\.js$/, '.ts');
      if (target.startsWith('..')) {
        upward.push(`${file} -> ${spec} (outside src/)`);
        continue;
      }
      if (layerOf(target) > layerOf(file)) upward.push(`${file} (${LAYERS[layerOf(file)]}) -> ${target} (${LAYERS[layerOf(target)]})`);
    }
  }
  assert.deepEqual(upward, [], 'imports that run up a layer');
});

test('the layer check sees an upward import', () => {
  assert.deepEqual(relativeSpecifiers("import { a } from '../manager/manager.js';\n// import '../x.js'\nexport * from './b.js';"), ['../manager/manager.js', './b.js']);
  assert.ok(layerOf('manager/manager.ts') > layerOf('core/registry.ts'));
  assert.equal(layerOf('nowhere.ts'), -1);
});

/**
 * Files that src/ names by URL outside itself, with why: src/ may read the package manifest, and
 * the CLI's `bench` spawns the benchmark suite of a clone as a child process (it is a development
 * tool the package does not ship, package.json `files`), never importing it.
 */
const PATHS_OUT_OF_SRC: readonly string[] = ['cli/main.ts -> ../../../package.json', 'cli/bench.ts -> ../../bench/cli-entry.js'];

/** Files of src/ with a dynamic import of a computed specifier, with why it loads nothing of kompute-ts outside src/. */
const COMPUTED_IMPORTS: Readonly<Record<string, string>> = {
  'worker-main.ts': "the worker module the user's runOnDevices() call names",
  'backends/node-devices.ts': "inside the source of the adapter-probe child process (the webgpu package's URL)",
};

test('src/ loads nothing outside src/ at run time: no computed dynamic import, and only the listed paths out of src/', () => {
  const computed: string[] = [];
  const out: string[] = [];
  for (const file of sources(SRC)) {
    const bare = readFileSync(join(SRC, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const m of bare.matchAll(/\bimport\(\s*([^)\s][^)]*)\)/g)) {
      if (!/^['"][^'"]+['"]$/.test(m[1]!.trim()) && !(file in COMPUTED_IMPORTS)) computed.push(`${file}: import(${m[1]})`);
    }
    for (const m of bare.matchAll(/new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g)) {
      // Built files sit at dist/src/<file>.js: resolve the URL against that place.
      const target = relative(SRC, resolve(dirname(join(SRC, file)), m[1]!))
        .split('\\')
        .join('/');
      if (target.startsWith('..')) out.push(`${file} -> ${m[1]}`);
    }
  }
  assert.deepEqual(computed, [], 'dynamic imports of a computed specifier (the layer check cannot see where they go)');
  assert.deepEqual(out.sort(), [...PATHS_OUT_OF_SRC].sort(), 'paths out of src/ (each needs a reason in PATHS_OUT_OF_SRC)');
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { files: string[] };
  assert.ok(!pkg.files.some((f) => f.startsWith('dist/bench')), `the package ships no benchmark files: ${pkg.files.join(', ')}`);
});
