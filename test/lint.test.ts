/**
 * `npm test` lints and checks formatting: Biome (biome.json) over the sources, tests, examples and
 * benchmarks. `npm run format` fixes the formatting.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('biome finds no lint errors and no unformatted file', () => {
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome'), 'check', '--colors=off', '.'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, `biome check failed (npm run format fixes formatting):\n${result.stdout}\n${result.stderr}`);
});
