/**
 * The real side of the lifecycle model test: the manager and the objects a program holds, and the
 * checks that compare each call's outcome with the outcomes the model allows.
 */
import assert from 'node:assert/strict';
import {
  Algorithm,
  AlgorithmBindingError,
  ArgumentError,
  DestroyedError,
  DTypeError,
  KomputeError,
  Manager,
  Sequence,
  ShaderCompileError,
  SizeError,
  StateError,
  Tensor,
  ValidationError,
} from '../../src/index.js';
import { gcUntil } from '../helpers.js';
import type { ErrName, MemoryM, Model } from './model.js';

export const ERRORS: Record<ErrName, abstract new (...args: never[]) => KomputeError> = {
  DestroyedError,
  StateError,
  SizeError,
  DTypeError,
  ArgumentError,
  AlgorithmBindingError,
  ValidationError,
  ShaderCompileError,
};

/** The model, boxed: each step replaces it with the state of the outcome that happened. */
export interface Box {
  m: Model;
}

/** What the test holds for the library, per model id. */
export interface Real {
  mgr: Manager;
  /** Model manager generation of `mgr`. */
  gen: number;
  tensors: Map<number, Tensor>;
  algos: Map<number, Algorithm>;
  seqs: Map<number, Sequence>;
  /** Images, views, samplers, parameter blocks and image algorithms, by model id (test/model/images.ts). */
  local: Map<number, unknown>;
  /** Every object created in this program, weakly (for cleanup and for waiting on compilation). */
  refs: Map<number, WeakRef<{ destroy(): void }>>;
  /** GPU buffers the test created for tensorFromBuffer(), by tensor id. */
  external: Map<number, GPUBuffer>;
  /** Every GPU buffer the test created in this program (destroyed at cleanup: the test owns them). */
  buffers: GPUBuffer[];
  /** WebGPU errors nobody captured. */
  uncaptured: string[];
  /** What each step of the program did, for failure reports. */
  log: string[];
  /** Totals for the final report. */
  stats: { programs: number; steps: number; gcWaits: number; managerRestarts: number };
}

/** Bound for every await on the library: a hang fails the test instead of stalling it. */
export const HANG_MS = 15_000;

/** Awaits `p`, failing the test when it takes longer than `ms`. */
export async function within<T>(p: Promise<T>, what: string, ms = HANG_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `hang: ${what} did not settle within ${ms} ms` })), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export type Observation = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs a call (sync or async) and records how it ended. */
export async function observe(what: string, fn: () => unknown): Promise<Observation> {
  try {
    const value = fn();
    if (value instanceof Promise) return { ok: true, value: await within(value, what) };
    return { ok: true, value };
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    return { ok: false, error };
  }
}

/** One outcome the model allows for a call, and the model state it leads to. */
export interface Hyp {
  readonly label: string;
  /** The error class expected, or undefined for success. */
  readonly error?: ErrName;
  /** Distinguishes errors of one class that lead to different states. */
  readonly message?: RegExp;
  /** For success: checks the returned value; a mismatch message or null. */
  readonly check?: (value: unknown) => string | null;
  readonly next: Model;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${error.message.split('\n')[0]}`;
  return `non-error ${String(error)}`;
}

let outcomes: string[] = [];

/** How often each call ended each way (and other counts), for the test's closing summary. */
export const counters = new Map<string, number>();

export function count(key: string, n = 1): void {
  counters.set(key, (counters.get(key) ?? 0) + n);
}

/** The call a step description names: `t2.setData(...)` -> `setData`, `a3 = algorithm(...)` -> `algorithm`. */
function callName(what: string): string {
  return what
    .replace(/^await /, '')
    .replace(/^[a-z]+\d+ = /, '')
    .replace(/^[a-z]+\d+\./, '')
    .replace(/\(.*$/s, '');
}

function record(what: string, label: string): void {
  outcomes.push(label);
  count(`${callName(what)}: ${label.replace(/^after the previous evaluation completed: /, '')}`);
}

/** The outcomes decide() matched since the last call (for the program log). */
export function takeOutcomes(): string {
  const text = outcomes.join(', ');
  outcomes = [];
  return text;
}

/**
 * Picks the outcome that happened among `hyps` and moves the model there; fails the test when the
 * call ended in a way the model does not allow (an untyped error always does).
 */
export function decide(box: Box, what: string, obs: Observation, hyps: readonly Hyp[], probe?: (next: Model) => boolean): Hyp {
  const mismatches: string[] = [];
  const matching: Hyp[] = [];
  if (!obs.ok) {
    const e = obs.error;
    if (!(e instanceof KomputeError)) {
      assert.fail(`${what}: untyped error ${describeError(e)}\n${e instanceof Error ? e.stack : ''}\nmodel allowed: ${hyps.map((h) => h.label).join(' | ')}`);
    }
    for (const h of hyps) {
      if (!h.error) continue;
      if (e.constructor !== ERRORS[h.error]) continue;
      if (h.message && !h.message.test(e.message)) continue;
      matching.push(h);
    }
    if (matching.length === 0) assert.fail(`${what}: threw ${describeError(e)}, model allowed: ${hyps.map((h) => h.label).join(' | ')}`);
    // An error a sequence reports late (from an evaluation nobody awaited) says so in its message.
    if (REPORTED_LATE.test(e.message)) {
      const late = matching.filter((h) => h.message === REPORTED_LATE);
      if (late.length > 0) matching.splice(0, matching.length, ...late);
    }
  } else {
    for (const h of hyps) {
      if (h.error) continue;
      const problem = h.check ? h.check(obs.value) : null;
      if (problem === null) matching.push(h);
      else mismatches.push(`${h.label}: ${problem}`);
    }
    if (matching.length === 0) {
      assert.fail(`${what}: succeeded, model allowed: ${hyps.map((h) => h.label).join(' | ')}${mismatches.length ? `\n  ${mismatches.join('\n  ')}` : ''}`);
    }
  }
  // Outcomes that look alike (one error class, two causes) but leave different states: the
  // probe compares what the library shows now (e.g. a sequence's operations) with each.
  const chosen = (matching.length > 1 && probe ? matching.find((h) => probe(h.next)) : undefined) ?? matching[0]!;
  box.m = chosen.next;
  record(what, chosen.label);
  return chosen;
}

/** The mark of an error a sequence reports late: an earlier evaluation nobody awaited failed. */
export const REPORTED_LATE = /\[reported late: /;

/** An outcome hypothesis that the call throws `error`. */
export function fails(error: ErrName, next: Model, label: string = error, message?: RegExp): Hyp {
  return message ? { label, error, next, message } : { label, error, next };
}

/** An outcome hypothesis that the call succeeds. */
export function succeeds(next: Model, label = 'success', check?: (value: unknown) => string | null): Hyp {
  return check ? { label, next, check } : { label, next };
}

export function deref<T extends Tensor | Algorithm | Sequence>(real: Real, id: number): T | undefined {
  return real.refs.get(id)?.deref() as T | undefined;
}

/** A fresh manager, with uncaptured WebGPU errors recorded. */
/**
 * A small staging-pool bound, so programs exercise both keeping released staging buffers for reuse
 * and destroying those over the bound (the model's tensors have up to a few hundred KiB each).
 */
export const POOL_BOUND = 512 * 1024;

export async function newManager(real: Pick<Real, 'uncaptured'>): Promise<Manager> {
  const mgr = await Manager.create({ stagingPoolBytes: POOL_BOUND });
  mgr.device.addEventListener('uncapturederror', (event) => {
    real.uncaptured.push((event as GPUUncapturedErrorEvent).error.message);
  });
  return mgr;
}

/**
 * Makes the next evaluation submit before evalAsync() returns (architecture.md, step 2): waits
 * for `algorithms` to compile and flushes pending WebGPU error checks with an empty evaluation.
 */
export async function settleBeforeEval(real: Real, algorithms: readonly number[]): Promise<void> {
  for (const id of algorithms) {
    const a = deref<Algorithm>(real, id);
    if (!a) continue;
    try {
      await within(a.compiled(), `${a.label}.compiled()`);
    } catch (e) {
      if (e instanceof assert.AssertionError) throw e;
    }
  }
  const scratch = real.mgr.sequence({ label: 'settle' });
  try {
    await within(scratch.eval(), 'an empty evaluation');
  } catch (e) {
    assert.fail(`an empty evaluation that flushes pending WebGPU checks failed: ${describeError(e)}`);
  } finally {
    scratch.destroy();
  }
}

/**
 * After a sequence was destroyed or dropped while it ran: waits until its evaluation can no longer
 * touch anything (compiled, submitted, finished, host copies idle).
 */
export async function quiesce(real: Real, algorithms: readonly number[], busy: readonly number[]): Promise<void> {
  await settleBeforeEval(real, algorithms);
  await within(real.mgr.device.queue.onSubmittedWorkDone(), 'queue.onSubmittedWorkDone()');
  for (const id of busy) {
    const t = real.tensors.get(id);
    if (!t?.isInit()) continue;
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        t.data();
        break;
      } catch (e) {
        if (!(e instanceof StateError)) break;
        if (Date.now() > deadline) assert.fail(`${t.label} stayed busy after its sequence went away`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  }
  await within(real.mgr.device.queue.onSubmittedWorkDone(), 'queue.onSubmittedWorkDone()');
}

/**
 * The checks after every step: no uncaptured WebGPU error; mgr.memory() counts what the model says
 * is alive and reachable (never less; more only until the garbage collector ran) and exactly the
 * bytes of those tensors.
 */
/** Waits (at most 5 s) until no sequence of the program is running. */
async function runningSettled(real: Real): Promise<void> {
  const deadline = Date.now() + 5000;
  const running = (): boolean =>
    [...real.refs.values()].some((ref) => {
      const s = ref.deref() as { isInit?(): boolean; isRunning?(): boolean } | undefined;
      return s?.isRunning !== undefined && s.isInit?.() === true && s.isRunning();
    });
  while (running() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
}

export async function afterStep(box: Box, real: Real, what: string): Promise<void> {
  if (real.uncaptured.length > 0) assert.fail(`${what}: uncaptured WebGPU error: ${real.uncaptured.join('; ')}`);
  const expected = box.m.expectedMemory();
  const COUNTS = ['tensors', 'algorithms', 'sequences', 'images', 'views', 'samplers', 'params'] as const;
  const counts = (): MemoryM => {
    const r = real.mgr.memory();
    return {
      tensors: r.tensors,
      algorithms: r.algorithms,
      sequences: r.sequences,
      images: r.images,
      views: r.views,
      samplers: r.samplers,
      params: r.params,
      deviceBytes: r.deviceBytes,
      imageBytes: r.imageBytes,
      paramBytes: r.paramBytes,
    };
  };
  let actual = counts();
  const below = (a: MemoryM): boolean => COUNTS.some((k) => a[k] < expected[k]);
  const equal = (a: MemoryM): boolean => COUNTS.every((k) => a[k] === expected[k]);
  if (below(actual)) {
    assert.fail(`${what}: mgr.memory() ${JSON.stringify(actual)} counts fewer live objects than the model ${JSON.stringify(expected)} (released while still reachable)`);
  }
  if (!equal(actual)) {
    real.stats.gcWaits++;
    // An evaluation still running keeps what it records alive until it settles (wgpu settles later than Dawn).
    await runningSettled(real);
    await gcUntil(() => {
      actual = counts();
      return equal(actual) || below(actual);
    }, 60);
    if (below(actual)) {
      assert.fail(`${what}: after garbage collection mgr.memory() ${JSON.stringify(actual)} counts fewer live objects than the model ${JSON.stringify(expected)} (released while still reachable)`);
    }
    if (!equal(actual)) {
      const live = [...real.refs]
        .map(([id, ref]) => [id, ref.deref() as { isInit?: () => boolean; label?: string } | undefined] as const)
        .filter(([, o]) => o?.isInit?.())
        .map(([id, o]) => `${id}: ${o!.label}`);
      assert.fail(
        `${what}: after garbage collection mgr.memory() ${JSON.stringify(actual)} still counts more objects than the model ${JSON.stringify(expected)} (dropped objects not released; live: ${live.join(', ')})`,
      );
    }
  }
  if (actual.deviceBytes !== expected.deviceBytes) {
    assert.fail(`${what}: mgr.memory().deviceBytes is ${actual.deviceBytes}, the model's live tensors have ${expected.deviceBytes}`);
  }
  if (actual.imageBytes !== expected.imageBytes) assert.fail(`${what}: mgr.memory().imageBytes is ${actual.imageBytes}, the model's live images have ${expected.imageBytes}`);
  if (actual.paramBytes !== expected.paramBytes) assert.fail(`${what}: mgr.memory().paramBytes is ${actual.paramBytes}, the model's bound parameter blocks have ${expected.paramBytes}`);
  const r = real.mgr.memory();
  if (r.poolBytes > POOL_BOUND) assert.fail(`${what}: the staging pool holds ${r.poolBytes} bytes, over its bound of ${POOL_BOUND}`);
  if (r.totalBytes !== r.deviceBytes + r.imageBytes + r.paramBytes + r.stagingBytes + r.otherBytes + r.poolBytes)
    assert.fail(`${what}: mgr.memory().totalBytes is not the sum of its parts: ${JSON.stringify(r)}`);
}

/**
 * Destroys everything a program created (sequences first, waiting for their evaluations to stop)
 * and checks that the manager is back to zero in every memory category.
 */
export async function cleanup(real: Real): Promise<void> {
  const objects = [...real.refs.values()].map((r) => r.deref()).filter((o) => o !== undefined);
  for (const kind of [Sequence, Algorithm, Tensor]) {
    for (const o of objects) if (o instanceof kind) o.destroy();
  }
  // Images, views, samplers, parameter blocks.
  for (const o of objects) o.destroy();
  real.local.clear();
  real.tensors.clear();
  real.algos.clear();
  real.seqs.clear();
  real.refs.clear();
  real.external.clear();
  for (const buffer of real.buffers) buffer.destroy();
  real.buffers.length = 0;
  if (!real.mgr.isInit()) return;
  await settleBeforeEval(real, []);
  await within(real.mgr.device.queue.onSubmittedWorkDone(), 'queue.onSubmittedWorkDone()');
  // What was released waits in the bounded staging pool; trimming it must leave nothing.
  if (real.mgr.memory().poolBytes > POOL_BOUND) assert.fail(`the staging pool holds ${real.mgr.memory().poolBytes} bytes, over its bound of ${POOL_BOUND}`);
  real.mgr.trimStagingPool();
  const report = real.mgr.memory();
  const zero = {
    tensors: 0,
    algorithms: 0,
    sequences: 0,
    images: 0,
    views: 0,
    samplers: 0,
    params: 0,
    paramBytes: 0,
    deviceBytes: 0,
    imageBytes: 0,
    stagingBytes: 0,
    otherBytes: 0,
    poolBytes: 0,
    totalBytes: 0,
  };
  if (JSON.stringify({ ...report }) !== JSON.stringify(zero)) {
    assert.fail(`after destroying everything the program created, mgr.memory() is ${JSON.stringify(report)}`);
  }
  if (real.uncaptured.length > 0) assert.fail(`uncaptured WebGPU error: ${real.uncaptured.join('; ')}`);
}
