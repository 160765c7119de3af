import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ProgressBar } from './progress.js';

/** The benchmark suite's entry point, built next to this file (`dist/bench/main.js`). */
export const BENCH_MAIN = fileURLToPath(new URL('../../bench/main.js', import.meta.url));
const BENCH_WORKLOADS = new URL('../../bench/workloads.js', import.meta.url).href;

/** A line the suite prints when a workload is done: `  <id>: kompute-ts ...` (or `  <id>: skipped: ...`). */
const DONE_LINE = /^ {2}([\w-]+): (?:kompute-ts|skipped:) /;

/**
 * Runs the benchmark suite (`bench/main.ts`, the same as `npm run bench`) in a child process with
 * `args`. On a terminal (or with `progress`), a progress bar counts the workloads and the final
 * table is printed at the end; otherwise every line is passed through as a plain log.
 */
export async function runBench(args: readonly string[], progress: boolean): Promise<number> {
  if (!existsSync(BENCH_MAIN)) {
    process.stderr.write(`kompute-ts bench: the benchmark suite is not built (${BENCH_MAIN} is missing); run \`npm run build\` in a clone of kompute-ts\n`);
    return 1;
  }
  let total = 0;
  if (progress) {
    const { WORKLOADS } = (await import(BENCH_WORKLOADS)) as { WORKLOADS: readonly { id: string }[] };
    const onlyIndex = args.findIndex((a) => a === '--only' || a.startsWith('--only='));
    const onlyText = onlyIndex < 0 ? undefined : args[onlyIndex]!.includes('=') ? args[onlyIndex]!.split('=')[1] : args[onlyIndex + 1];
    const only = onlyText?.split(',');
    total = WORKLOADS.filter((w) => !only || only.includes(w.id)).length;
  }
  const child = spawn(process.execPath, [BENCH_MAIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const bar = progress ? new ProgressBar(total, process.stderr) : null;
  const held: string[] = [];
  let started = false;
  for await (const line of createInterface({ input: child.stdout })) {
    if (!bar) {
      process.stdout.write(`${line}\n`);
      continue;
    }
    const done = DONE_LINE.exec(line);
    if (!started) {
      process.stdout.write(`${line}\n`);
      started = true;
      bar.render('starting');
    } else if (done) {
      held.push(line);
      bar.tick(done[1]!);
    } else {
      held.push(line);
    }
  }
  const code = await new Promise<number>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('close', (c) => resolve(c ?? 1));
  });
  if (bar) {
    bar.finish();
    process.stdout.write(`${held.join('\n')}\n`);
  }
  return code;
}
