/**
 * `npm test` lints: Biome (biome.json) over the sources, tests, examples and benchmarks. Once the
 * whole tree has been formatted with `npm run format`, `check` (lint + format) replaces `lint`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('biome finds no lint errors', () => {
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome'), 'lint', '--colors=off', '.'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, `biome lint failed:\n${result.stdout}\n${result.stderr}`);
});
