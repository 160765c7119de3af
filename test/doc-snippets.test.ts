/**
 * Every ```ts block of README.md, docs/*.md and docs/guides/*.md is type-checked against the built package
 * (imports of 'kompute-ts' resolve to this package through its `exports`) and then run in a
 * process of its own, so the docs cannot drift from the API. A snippet passes when it compiles
 * and exits 0; the snippets assert their own results with node:assert.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORK = join(ROOT, 'dist', 'doc-snippets');

interface Snippet {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly code: string;
  /** False for ```ts browser blocks, which need a page's navigator.gpu. */
  readonly runs: boolean;
}

/** The ```ts blocks of a markdown file, with the line each starts on. */
export function extractSnippets(file: string, markdown: string): Snippet[] {
  const snippets: Snippet[] = [];
  const fence = /^```ts([ \t]+browser)?[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
  const base = file.replace(/[^A-Za-z0-9]+/g, '-').replace(/-md$/, '');
  for (const match of markdown.matchAll(fence)) {
    const line = markdown.slice(0, match.index).split('\n').length;
    snippets.push({ file, line, name: `${base}-line${line}`, code: match[2]!, runs: match[1] === undefined });
  }
  return snippets;
}

const markdownIn = (folder: string) =>
  readdirSync(join(ROOT, folder))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `${folder}/${f}`);
const sources = ['README.md', ...markdownIn('docs'), ...markdownIn('docs/guides')];
const snippets = sources.flatMap((file) => extractSnippets(file, readFileSync(join(ROOT, file), 'utf8')));

describe('documentation snippets', () => {
  let compile: { status: number | null; output: string };
  before(() => {
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    for (const s of snippets) writeFileSync(join(WORK, `${s.name}.ts`), `// ${s.file}:${s.line}\n${s.code}\nexport {};\n`);
    writeFileSync(
      join(WORK, 'tsconfig.json'),
      JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { rootDir: '.', outDir: 'out', sourceMap: false, inlineSources: false, declaration: false }, include: ['*.ts'] }, null, 2),
    );
    const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', WORK], { encoding: 'utf8', timeout: 120_000 });
    compile = { status: result.status, output: `${result.stdout}${result.stderr}` };
  });

  test('the guides exist and hold snippets: getting started, ownership (all seven principles), porting, cookbook', () => {
    for (const guide of ['getting-started', 'ownership', 'porting-from-kompute', 'cookbook']) {
      assert.ok(
        snippets.some((s) => s.file === `docs/guides/${guide}.md`),
        `docs/guides/${guide}.md has no ts snippet`,
      );
    }
    const ownership = readFileSync(join(ROOT, 'docs', 'guides', 'ownership.md'), 'utf8');
    for (let rule = 1; rule <= 7; rule++) {
      const section = ownership.split(/^## /m).find((s) => s.startsWith(`${rule}. `));
      assert.ok(section?.includes('```ts'), `ownership.md: principle ${rule} has a snippet`);
    }
  });

  test(`all ${snippets.length} snippets type-check against the package`, () => {
    assert.ok(snippets.length >= 10);
    assert.equal(compile.status, 0, compile.output);
  });

  for (const s of snippets.filter((snippet) => snippet.runs)) {
    test(`${s.file}:${s.line} runs`, { timeout: 90_000 }, () => {
      assert.equal(compile.status, 0, 'the snippets did not compile');
      const result = spawnSync(process.execPath, ['--expose-gc', join(WORK, 'out', `${s.name}.js`)], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(result.status, 0, `${s.file}:${s.line} exited with ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`);
    });
  }
});
