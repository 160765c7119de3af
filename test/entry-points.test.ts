/**
 * The package's two entry points: src/index.ts (Node: installs Dawn) and src/browser.ts (the same
 * API without Dawn, for bundlers' "browser" condition). Checks that they export the same API, that
 * nothing Node-only is reachable from the browser entry, that the `exports` map points where it
 * should, and how the browser entry behaves in Node (no Dawn unless handed a GPU).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as browserEntry from '../src/browser.js';
import * as nodeEntry from '../src/index.js';
import { describeChild, runChild } from './helpers.js';

const DIST_SRC = fileURLToPath(new URL('../src/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Relative and bare module specifiers of a compiled module (static imports, re-exports, dynamic imports). */
function specifiers(source: string): string[] {
  const code = withoutComments(source);
  const found = [...code.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)];
  return found.map((m) => (m[1] ?? m[2] ?? m[3])!);
}

/** The code without its comments (TSDoc examples mention imports and Node globals). */
function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** Every module reachable from `entry` inside dist/src, and the outside specifiers they import. */
function moduleGraph(entry: string): { files: Set<string>; outside: Set<string> } {
  const files = new Set<string>();
  const outside = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) pending.push(resolve(dirname(file), spec));
      else outside.add(spec);
    }
  }
  return { files, outside };
}

describe('entry points', () => {
  test('the Node and the browser entry export the same names, bound to the same values', () => {
    assert.deepEqual(Object.keys(browserEntry).sort(), Object.keys(nodeEntry).sort());
    for (const name of Object.keys(nodeEntry)) assert.equal((browserEntry as Record<string, unknown>)[name], (nodeEntry as Record<string, unknown>)[name], name);
    assert.ok(Object.keys(nodeEntry).length > 20);
  });

  test('both entries re-export the one API module (src/api.ts); only the Node entry imports Dawn', () => {
    const code = (file: string): string => withoutComments(readFileSync(join(ROOT, 'src', file), 'utf8')).trim();
    assert.equal(code('browser.ts'), "export * from './api.js';");
    assert.equal(code('index.ts'), "import './backends/node.js';\n\nexport * from './api.js';");
  });

  test('nothing Node-only is reachable from the browser entry: no node: module, no webgpu (Dawn), no backends/node.js', () => {
    const browser = moduleGraph(join(DIST_SRC, 'browser.js'));
    const outside = [...browser.outside].filter((spec) => spec !== 'wgsl_reflect' && !spec.startsWith('wgsl_reflect/'));
    assert.deepEqual(outside, [], 'the browser entry may import only wgsl_reflect from outside');
    assert.ok(![...browser.files].some((f) => f.endsWith(join('backends', 'node.js'))));
    assert.ok(browser.files.size > 20, `the graph walk found ${browser.files.size} modules`);
    const node = moduleGraph(join(DIST_SRC, 'index.js'));
    assert.ok(
      [...node.files].some((f) => f.endsWith(join('backends', 'node.js'))),
      'the Node entry installs Dawn',
    );
    assert.ok(node.outside.has('webgpu'));
  });

  test('the library source uses no Node global (process, Buffer, setImmediate, require, __dirname) outside the Dawn backend', () => {
    const { files } = moduleGraph(join(DIST_SRC, 'browser.js'));
    for (const file of files) {
      const code = withoutComments(readFileSync(file, 'utf8'));
      assert.doesNotMatch(code, /\bprocess\.|\bBuffer\.|\bsetImmediate\b|\brequire\(|\b__dirname\b/, file);
    }
  });

  test("package.json maps the 'browser' condition to the browser entry and 'node' to the Node entry, and the files exist", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, { types: string; default: string }>> };
    const main = pkg.exports['.']!;
    assert.deepEqual(Object.keys(main), ['browser', 'node', 'default']);
    assert.equal(main.browser!.default, './dist/src/browser.js');
    assert.equal(main.node!.default, './dist/src/index.js');
    assert.equal(main.default!.default, './dist/src/browser.js');
    for (const target of [...Object.values(main), pkg.exports['./browser'] as unknown as { types: string; default: string }]) {
      assert.ok(existsSync(join(ROOT, target.default)), target.default);
      assert.ok(existsSync(join(ROOT, target.types)), target.types);
    }
  });

  test('in Node, the browser entry alone has no WebGPU: Manager.create() fails with UnsupportedError, and works when handed a GPU', () => {
    const browserUrl = new URL('../src/browser.js', import.meta.url).href;
    const result = runChild(`
      const { Manager, UnsupportedError } = await import(${JSON.stringify(browserUrl)});
      let error;
      try { await Manager.create(); } catch (e) { error = e; }
      if (!(error instanceof UnsupportedError) || !/navigator\\.gpu is missing/.test(error.message) || !/Node entry/.test(error.hint)) throw new Error('unexpected: ' + error);
      // Dawn's shared instance (a throwaway create() instance can crash Node at exit, see README).
      const { createDawnGpu } = await import(${JSON.stringify(new URL('../src/backends/node.js', import.meta.url).href)});
      const mgr = await Manager.create({ gpu: await createDawnGpu([]) });
      const t = mgr.tensor([1, 2, 3]);
      if (t.size !== 3 || !mgr.isInit()) throw new Error('no manager');
      mgr.destroy();
      console.log('ok');
    `);
    assert.equal(result.status, 0, describeChild(result));
    assert.match(result.stdout, /^ok$/m);
  });
});
