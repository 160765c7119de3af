import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ProgressBar } from './progress.js';

/**
 * The benchmark suite's entry point in a clone of kompute-ts (`dist/bench/cli-entry.js`, built
 * from `bench/cli-entry.ts`). The suite is a development tool (it measures against raw WebGPU
 * and writes the figures of docs/BENCHMARKS.md), so the published package does not contain it:
 * the CLI only ever runs it as a child process, and nothing under `bench/` is imported here.
 */
export const BENCH_ENTRY = fileURLToPath(new URL('../../bench/cli-entry.js', import.meta.url));

/** A line the suite prints when a workload is done: `  <id>: kompute-ts ...` (or `  <id>: skipped: ...`). */
const DONE_LINE = /^ {2}([\w-]+): (?:kompute-ts|skipped:) /;
/** The entry point's first line: how many workloads this command line runs (for the progress bar). */
const COUNT_LINE = /^#workloads (\d+)$/;

/**
 * Runs the benchmark suite (the same as `npm run bench`) in a child process with `args`. On a
 * terminal (or with `progress`), a progress bar counts the workloads (their number comes from the
 * child's first line) and the final table is printed at the end; otherwise every line is passed
 * through as a plain log.
 */
export async function runBench(args: readonly string[], progress: boolean): Promise<number> {
  if (!existsSync(BENCH_ENTRY)) {
    process.stderr.write(
      'kompute-ts bench: the benchmark suite is a development tool that the installed package does not contain; ' +
        `run it in a clone of kompute-ts after \`npm run build\` (${BENCH_ENTRY} is missing)\n`,
    );
    return 1;
  }
  const child = spawn(process.execPath, [BENCH_ENTRY, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let bar: ProgressBar | null = null;
  const held: string[] = [];
  let started = false;
  for await (const line of createInterface({ input: child.stdout })) {
    const count = COUNT_LINE.exec(line);
    if (count) {
      if (progress) bar = new ProgressBar(Number(count[1]), process.stderr);
      continue;
    }
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
