/**
 * Lifecycle model test (issue 4): random programs of API calls, checked step by step against a
 * small reference model (test/model/). Every call must succeed with the model's result (tensor
 * contents compared with a CPU computation) or throw the typed error the model predicts; never
 * crash, throw an untyped error, hang, or leave an uncaptured WebGPU error; and mgr.memory() must
 * match the model after every step (objects dropped for the garbage collector are waited for).
 *
 * Programs: KOMPUTE_TS_PROGRAMS if set, else 20,000 with KOMPUTE_TS_SOAK=1 (npm run soak), else
 * 500, each of up to 60 steps. The seed is random unless KOMPUTE_TS_SEED is set; it is printed,
 * and a failure reports it with the shrunk program, what each of its steps did, and the three
 * variables that replay it (KOMPUTE_TS_SEED, KOMPUTE_TS_PATH, KOMPUTE_TS_REPLAY). Run with
 * `node --expose-gc`. Also: KOMPUTE_TS_SUMMARY=1 prints how often each call ended each way;
 * KOMPUTE_TS_STACKS=1 keeps error stack traces (see below); KOMPUTE_TS_TIME_LIMIT_S bounds the
 * run, shrinking included (300 s, 6 h in the soak).
 *
 * Some steps are small scenarios (test/model/commands.ts): `Burst` starts an evaluation and acts
 * on its objects before it can have been submitted; `WithFreshTensors` makes matching tensors
 * for an algorithm, an OpMult or an OpReduce (a built-in kernel: its algorithms and scratch tensor
 * counted, its result checked against a CPU reduction); `WithImages` makes two images, a
 * parameter block, maybe a sampler, an algorithm over them, and evaluates it. Images, tensor
 * views, samplers and parameter blocks (test/model/images.ts) are created, written, read,
 * rebuilt, bound, destroyed and dropped, and mgr.memory() counts them (images, views, samplers,
 * params, imageBytes, paramBytes) after every step like tensors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { commandArb } from './model/commands.js';
import { type Box, cleanup, counters, newManager, type Real, within } from './model/harness.js';
import { Model } from './model/model.js';

const SOAK = process.env.KOMPUTE_TS_SOAK === '1';
const PROGRAMS = Number(process.env.KOMPUTE_TS_PROGRAMS ?? (SOAK ? 20_000 : 500));
const MAX_STEPS = 60;
const SEED = process.env.KOMPUTE_TS_SEED !== undefined ? Number(process.env.KOMPUTE_TS_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const PATH = process.env.KOMPUTE_TS_PATH;
const REPLAY = process.env.KOMPUTE_TS_REPLAY;
/** Bound on the whole run, shrinking included (a failure found is reported as shrunk so far). */
const TIME_LIMIT_MS = Number(process.env.KOMPUTE_TS_TIME_LIMIT_S ?? (SOAK ? 6 * 3600 : 300)) * 1000;

test(`lifecycle model: ${PROGRAMS} random programs of up to ${MAX_STEPS} API calls match the reference model`, async (t) => {
  assert.ok((globalThis as { gc?: unknown }).gc, 'run with node --expose-gc');
  t.diagnostic(`seed ${SEED}${PATH ? `, path ${PATH}` : ''} (set KOMPUTE_TS_SEED to replay)`);
  const uncaptured: string[] = [];
  const real: Real = {
    mgr: await within(newManager({ uncaptured }), 'Manager.create()'),
    gen: 0,
    tensors: new Map(),
    algos: new Map(),
    seqs: new Map(),
    local: new Map(),
    refs: new Map(),
    external: new Map(),
    buffers: [],
    uncaptured,
    log: [],
    stats: { programs: 0, steps: 0, gcWaits: 0, managerRestarts: 0 },
  };
  const started = performance.now();
  // V8 keeps what an error's stack frames reference (receivers, closures) until the stack is first
  // formatted, and a sequence keeps an unobserved failure to report it later (README): with stack
  // traces on, such an error would keep the step's objects alive and fail the memory checks for a
  // reason that is not the library's. KOMPUTE_TS_STACKS=1 keeps them, to debug an untyped error.
  const stackTraceLimit = Error.stackTraceLimit;
  if (process.env.KOMPUTE_TS_STACKS !== '1') Error.stackTraceLimit = 0;
  try {
    const program = fc.commands([commandArb], { maxCommands: MAX_STEPS, size: 'max', ...(REPLAY ? { replayPath: REPLAY } : {}) });
    const property = fc.asyncProperty(program, async (commands: Iterable<fc.AsyncCommand<Box, Real>>) => {
      real.stats.programs++;
      real.log = [];
      const box: Box = { m: new Model() };
      box.m.mgr = real.gen;
      let failure: unknown = null;
      try {
        await fc.asyncModelRun(() => ({ model: box, real }), commands);
      } catch (error) {
        failure = error;
        if (error instanceof Error) error.message += `\nthe program's steps as run:\n  ${real.log.join('\n  ')}`;
      }
      try {
        await cleanup(real);
      } catch (error) {
        // Start the next program (or shrinking attempt) from a fresh manager.
        real.mgr.destroy();
        real.uncaptured.length = 0;
        real.mgr = await within(newManager(real), 'Manager.create()');
        real.gen++;
        failure ??= error;
      }
      if (failure) throw failure;
    });
    const details = await fc.check(property, {
      numRuns: PROGRAMS,
      seed: SEED,
      ...(PATH ? { path: PATH } : {}),
      interruptAfterTimeLimit: TIME_LIMIT_MS,
      markInterruptAsFailure: true,
    });
    if (details.failed) {
      // fast-check keeps the error as the report's cause, which node:test does not print.
      const error = details.errorInstance;
      const why = error instanceof Error ? error.message : String(error);
      const report = fc.defaultReportMessage(details) ?? '';
      const replay = /replayPath="([^"]+)"/.exec(report)?.[1] ?? '';
      assert.fail(
        `${report}\n\nReplay the shrunk program: KOMPUTE_TS_SEED=${details.seed} KOMPUTE_TS_PATH=${details.counterexamplePath ?? ''} ` +
          `KOMPUTE_TS_REPLAY='${replay}'\n\nError of the shrunk program:\n${why}`,
      );
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    real.mgr.destroy();
    const seconds = (performance.now() - started) / 1000;
    t.diagnostic(
      `${real.stats.programs} programs (with shrinking), ${real.stats.steps} steps in ${seconds.toFixed(1)} s; ` +
        `${real.stats.gcWaits} garbage-collection waits, ${real.stats.managerRestarts} manager restarts`,
    );
    if (process.env.KOMPUTE_TS_SUMMARY === '1') {
      for (const [key, n] of [...counters].sort((a, b) => a[0].localeCompare(b[0]))) t.diagnostic(`${String(n).padStart(8)}  ${key}`);
    }
  }
});
