/**
 * `npm run test:deno` / `npm run test:bun` (`node dist/test-runtimes/run.js deno|bun`): the
 * environment-neutral part of the test suite (the files the browser run takes, see
 * test-browser/suite.ts) bundled with the in-page `node:test`/`node:assert` stand-ins and run on
 * Deno (WebGPU: its own `navigator.gpu`, built on wgpu) or on Bun (WebGPU: bun-webgpu, a Dawn
 * binding of its own). Both come from npm, pinned in tools/runtimes (scripts/setup-runtimes.sh).
 * Prints every outcome and closes with `RUNTIME: N passed, N failed, N skipped`; exits non-zero
 * on any failure and when no test ran.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleTests } from '../test-browser/bundle.js';
import { NODE_ONLY_FILES, NODE_ONLY_TESTS } from '../test-browser/suite.js';
import { RUNTIME_EXCLUSIONS, type Runtime } from './suite.js';

const DIST = fileURLToPath(new URL('../', import.meta.url));
const ROOT = join(DIST, '..');
const TOOLS = join(ROOT, 'tools', 'runtimes', 'node_modules');
const RUN_TIMEOUT_MS = 30 * 60_000;

function binary(runtime: Runtime): string {
  return join(TOOLS, '.bin', runtime);
}

function version(runtime: Runtime): string {
  const out = spawnSync(binary(runtime), ['--version'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) throw new Error(`${binary(runtime)} does not run (${out.error?.message ?? out.stderr}): run bash scripts/setup-runtimes.sh`);
  const first = out.stdout.split('\n')[0] ?? '';
  if (runtime === 'deno') return first;
  const webgpu = JSON.parse(readFileSync(join(TOOLS, 'bun-webgpu', 'package.json'), 'utf8')) as { version: string };
  return `bun ${first}, bun-webgpu ${webgpu.version}`;
}

async function main(): Promise<void> {
  const runtime = process.argv[2];
  if (runtime !== 'deno' && runtime !== 'bun') throw new Error(`usage: node dist/test-runtimes/run.js deno|bun (got ${runtime ?? 'nothing'})`);
  const own = RUNTIME_EXCLUSIONS[runtime];
  const all = readdirSync(join(DIST, 'test'))
    .filter((f) => f.endsWith('.js'))
    .sort();
  const leftOut = { ...NODE_ONLY_FILES, ...own.files };
  const files = all.filter((f) => !(f in leftOut));
  console.log(`${runtime} tests: ${version(runtime)}`);
  console.log(`files run on ${runtime} (${files.length}): ${files.join(', ')}`);
  console.log(`files not run on ${runtime}:`);
  for (const [file, why] of Object.entries(leftOut)) console.log(`  ${file}: ${why}`);

  const outDir = join(DIST, `runtime-tests-${runtime}`);
  await bundleTests(files, outDir, 'server');
  const config = join(outDir, 'config.json');
  const exclusions = Object.entries({ ...NODE_ONLY_TESTS, ...own.tests });
  writeFileSync(
    config,
    JSON.stringify({
      runtime,
      entry: join(outDir, 'entry.js'),
      exclusions,
      ...(runtime === 'bun' ? { bunWebgpu: join(TOOLS, 'bun-webgpu', 'index.js') } : {}),
    }),
  );
  const harness = join(DIST, 'test-runtimes', 'harness.js');
  const args = runtime === 'deno' ? ['run', '--allow-all', '--v8-flags=--expose-gc', harness] : ['run', harness];
  const child = spawn(binary(runtime), args, { stdio: 'inherit', cwd: ROOT, env: { ...process.env, KOMPUTE_TS_RUNTIME_CONFIG: config } });
  const timer = setTimeout(() => {
    console.log(`not ok - the ${runtime} run did not finish within ${RUN_TIMEOUT_MS / 60_000} min`);
    child.kill('SIGKILL');
  }, RUN_TIMEOUT_MS);
  const code = await new Promise<number>((resolve) => child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))));
  clearTimeout(timer);
  process.exitCode = code;
}

await main();
