/**
 * The published declarations (dist/src/**\/*.d.ts) hold only the documented API: no `@internal`
 * member survives (tsconfig's stripInternal), and nothing internal is reachable from what the
 * entry points export. The walk starts at every name index.d.ts and browser.d.ts export, reads
 * that name's declaration, and follows every name it mentions (imported or declared in its file),
 * so a public method returning an internal type would be found however deep.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const DIST_SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Names (and member names) that must not be reachable from the public API. */
const FORBIDDEN = [
  'DeviceContext',
  'Releasable',
  'ChildRegistry',
  'ChildKind',
  'ResourceInternals',
  '$internal',
  'Recorder',
  'TransferStage',
  'HostClaim',
  'TensorHostCopy',
  'HostCopy',
  'StagingPool',
  'BufferLedger',
  'TransferArena',
  'owner',
  'heldGpu',
  'assertUsableBy',
];

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? declarationFiles(join(dir, e.name)) : e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []));
}

interface Parsed {
  /** Top-level declarations by name (comments removed). */
  readonly decls: Map<string, string>;
  /** Imported or re-exported name -> [file, name there]. */
  readonly imports: Map<string, [string, string]>;
  /** Names this file exports (own declarations and re-exports). */
  readonly exported: string[];
  /** Files re-exported with `export *`. */
  readonly star: string[];
}

const cache = new Map<string, Parsed>();
function parse(file: string): Parsed {
  const hit = cache.get(file);
  if (hit) return hit;
  const code = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const target = (spec: string): string => resolve(dirname(file), spec.replace(/\.js$/, '.d.ts'));
  const parsed: Parsed = { decls: new Map(), imports: new Map(), exported: [], star: [] };
  for (const m of code.matchAll(/^(import|export)\s+(?:type\s+)?\{([^}]*)\}\s*from\s*'(\.[^']+)'/gm)) {
    for (const part of m[2]!.split(',')) {
      const [name, alias] = part
        .replace(/\btype\s+/, '')
        .trim()
        .split(/\s+as\s+/);
      if (!name) continue;
      parsed.imports.set(alias ?? name, [target(m[3]!), name]);
      if (m[1] === 'export') parsed.exported.push(alias ?? name);
    }
  }
  for (const m of code.matchAll(/^export \* from '(\.[^']+)'/gm)) parsed.star.push(target(m[1]!));
  const chunks = code.split(/^(?=[^\s}])/m);
  for (const chunk of chunks) {
    const m = /^(export )?(?:declare )?(?:abstract )?(?:class|interface|type|function|const|let|enum|namespace) ([\w$]+)/.exec(chunk);
    if (!m) continue;
    parsed.decls.set(m[2]!, (parsed.decls.get(m[2]!) ?? '') + chunk);
    if (m[1]) parsed.exported.push(m[2]!);
  }
  cache.set(file, parsed);
  return parsed;
}

/** Every exported (file, name) of `file`, following `export *`. */
function exportsOf(file: string): [string, string][] {
  const p = parse(file);
  return [...p.exported.map((n): [string, string] => p.imports.get(n) ?? [file, n]), ...p.star.flatMap(exportsOf)];
}

test('no published declaration carries an @internal member (stripInternal)', () => {
  const files = declarationFiles(DIST_SRC);
  assert.ok(files.length > 50, `${files.length} declaration files`);
  const marked = files.filter((f) => readFileSync(f, 'utf8').includes('@internal')).map((f) => relative(DIST_SRC, f));
  assert.deepEqual(marked, []);
});

test('nothing internal is reachable from the exported API of either entry point', () => {
  const queue = [...exportsOf(join(DIST_SRC, 'index.d.ts')), ...exportsOf(join(DIST_SRC, 'browser.d.ts'))];
  const seen = new Set<string>();
  const problems: string[] = [];
  while (queue.length > 0) {
    const [file, name] = queue.pop()!;
    const key = `${file}#${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const p = parse(file);
    const via = p.imports.get(name);
    if (via && !p.decls.has(name)) {
      queue.push(via);
      continue;
    }
    const decl = p.decls.get(name);
    if (decl === undefined) continue; // a global (GPUBuffer, Promise, ...)
    const where = `${relative(DIST_SRC, file)}: ${name}`;
    for (const word of FORBIDDEN) {
      if (new RegExp(`(?<![\\w$])${word.replace('$', '\\$')}(?![\\w$])`).test(decl)) problems.push(`${where} mentions ${word}`);
    }
    for (const [ident] of decl.matchAll(/[A-Za-z_$][\w$]*/g)) {
      if (ident === name) continue;
      if (p.decls.has(ident)) queue.push([file, ident]);
      else if (p.imports.has(ident)) queue.push(p.imports.get(ident)!);
    }
  }
  assert.ok(seen.size > 40, `${seen.size} declarations walked`);
  assert.deepEqual(problems, []);
});
