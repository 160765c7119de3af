#!/usr/bin/env node
// Runs a command (`node scripts/quiet-dawn.mjs node dist/examples/demo.js`) and passes its output
// through, less the two lines Dawn prints on Mesa's Vulkan drivers (lavapipe, RADV) whenever a
// process first looks for an adapter:
//   Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.
//   Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.
// They come from Dawn's Vulkan backend clamping the driver's own limits while it enumerates
// adapters, before any device or limit is asked for (kompute-ts raises neither limit); Dawn writes
// them straight to the process's stderr and has no toggle for them, so they can only be filtered.
// `node --test` relays a test process's stderr as `# Warning: ...` lines: those go too. On a
// terminal the test runner keeps its spec reporter (a pipe would make it choose TAP).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const DAWN_CLAMP = /maxDynamic(?:Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\./;

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/quiet-dawn.mjs COMMAND [ARGS...]');
  process.exit(2);
}
if (process.stdout.isTTY && args.includes('--test') && !args.some((a) => a.startsWith('--test-reporter'))) {
  args.splice(args.indexOf('--test') + 1, 0, '--test-reporter=spec');
}
const child = spawn(command, args, { stdio: ['inherit', 'pipe', 'pipe'], env: process.stdout.isTTY ? { FORCE_COLOR: '1', ...process.env } : process.env });
for (const [from, to] of [
  [child.stdout, process.stdout],
  [child.stderr, process.stderr],
]) {
  const lines = createInterface({ input: from, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on('line', (line) => {
    if (!DAWN_CLAMP.test(line)) to.write(`${line}\n`);
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exitCode = code ?? 1;
});
