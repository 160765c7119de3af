/**
 * Asynchronous evaluation: evalAsync + evalAwait, timeouts that leave the sequence running,
 * calls that are refused while a sequence runs, concurrent sequences, and cancellation by destroy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ArgumentError, DestroyedError, Manager, MemoryType, OpAlgoDispatch, OpSyncDevice, OpSyncLocal, ShaderCompileError, StateError } from '../src/index.js';
import { assertFails, createManager, DOUBLE_SHADER } from './helpers.js';

const ITERATIONS = 20000;
const INVOCATIONS = 256;

/** Each invocation runs `iterations` steps of an LCG seeded with its index: slow enough to observe. */
const SLOW_SHADER = /* wgsl */ `
@id(0) override iterations: u32 = 1u;
@group(0) @binding(0) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  var x = id.x;
  for (var j = 0u; j < iterations; j = j + 1u) {
    x = x * 1664525u + 1013904223u;
  }
  out[id.x] = x;
}
`;

/** The CPU reference of SLOW_SHADER. */
function slowReference(invocations: number, iterations: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < invocations; i++) {
    let x = i;
    for (let j = 0; j < iterations; j++) x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out.push(x);
  }
  return out;
}

describe('asynchronous evaluation', () => {
  let mgr: Manager;
  let expected: number[];
  before(async () => {
    mgr = await createManager();
    expected = slowReference(INVOCATIONS, ITERATIONS);
  });
  after(() => mgr.destroy());

  /** A Host output tensor and a compiled slow algorithm writing it. */
  async function slowJob(iterations = ITERATIONS) {
    const out = mgr.tensor(INVOCATIONS, 'u32', { type: MemoryType.Host });
    const algo = mgr.algorithm([out], SLOW_SHADER, { workgroup: [INVOCATIONS / 64], constants: [iterations] });
    await algo.compiled();
    return { out, algo, destroy: () => [algo, out].forEach((r) => r.destroy()) };
  }

  test('evalAsync() returns the sequence at once, running; evalAwait() resolves true when the work is done', async () => {
    const job = await slowJob();
    const seq = mgr.sequence();
    assert.equal(seq.evalAsync(new OpAlgoDispatch(job.algo)), seq);
    assert.equal(seq.isRunning(), true);
    assert.equal(await seq.evalAwait(), true);
    assert.equal(seq.isRunning(), false);
    assert.deepEqual(Array.from(job.out.data()), expected);
    seq.destroy();
    job.destroy();
  });

  test('evalAwait() with nothing in flight resolves true at once', async () => {
    const seq = mgr.sequence();
    assert.equal(await seq.evalAwait(), true);
    assert.equal(await seq.evalAwait(0), true);
    seq.destroy();
  });

  test('evalAwait(0) may time out with false while the sequence stays running; a later evalAwait() returns true with correct results', async (t) => {
    const job = await slowJob();
    const seq = mgr.sequence();
    seq.evalAsync(new OpAlgoDispatch(job.algo));
    let timeouts = 0;
    for (;;) {
      const done = await seq.evalAwait(0);
      if (done) break;
      timeouts++;
      assert.equal(seq.isRunning(), true, 'a timed-out sequence is still running');
      t.diagnostic(`evalAwait(0) timed out ${timeouts} time(s)`);
      if (timeouts === 3) break;
    }
    assert.equal(await seq.evalAwait(), true);
    assert.equal(seq.isRunning(), false);
    assert.deepEqual(Array.from(job.out.data()), expected);
    seq.destroy();
    job.destroy();
  });

  test('evalAwait(1) right after evalAsync() of slow work: a false result leaves the sequence running, and a later evalAwait() completes it', async (t) => {
    const job = await slowJob(ITERATIONS * 4);
    const seq = mgr.sequence();
    seq.evalAsync(new OpAlgoDispatch(job.algo));
    const done = await seq.evalAwait(1);
    t.diagnostic(`evalAwait(1) returned ${done}`);
    if (!done) assert.equal(seq.isRunning(), true);
    assert.equal(await seq.evalAwait(), true);
    assert.equal(seq.isRunning(), false);
    assert.deepEqual(Array.from(job.out.data()), slowReference(INVOCATIONS, ITERATIONS * 4));
    seq.destroy();
    job.destroy();
  });

  test('evalAwait() with a negative or non-numeric timeout fails with ArgumentError', async () => {
    const seq = mgr.sequence();
    await assert.rejects(seq.evalAwait(-1), ArgumentError);
    await assert.rejects(seq.evalAwait(Number.NaN), ArgumentError);
    seq.destroy();
  });

  test('eval(), evalAsync(), record() and rerecord() while the sequence is running fail with StateError', async () => {
    const job = await slowJob();
    const seq = mgr.sequence();
    const op = new OpAlgoDispatch(job.algo);
    seq.evalAsync(op);
    await assertFails(() => seq.eval(), StateError);
    await assertFails(() => seq.eval(op), StateError);
    await assertFails(() => seq.evalAsync(), StateError);
    await assertFails(() => seq.record(op), StateError);
    await assertFails(() => seq.rerecord(), StateError);
    assert.equal(seq.isRunning(), true);
    assert.equal(await seq.evalAwait(), true);
    assert.deepEqual(Array.from(job.out.data()), expected);
    // Idle again: everything is allowed.
    await seq.eval();
    assert.deepEqual(Array.from(job.out.data()), expected);
    seq.destroy();
    job.destroy();
  });

  test('clear() while running does not affect the evaluation in flight', async () => {
    const job = await slowJob();
    const seq = mgr.sequence();
    seq.evalAsync(new OpAlgoDispatch(job.algo));
    seq.clear();
    assert.equal(await seq.evalAwait(), true);
    assert.deepEqual(Array.from(job.out.data()), expected);
    assert.deepEqual(seq.getOperations(), []);
    seq.destroy();
    job.destroy();
  });

  test('several sequences in flight at once all give correct results', async () => {
    const jobs = [];
    for (let i = 0; i < 4; i++) {
      const a = mgr.tensor(Float32Array.from({ length: 64 }, (_, j) => i * 1000 + j));
      const out = mgr.tensor(64, 'f32');
      const algo = mgr.algorithm([a, out], DOUBLE_SHADER);
      const seq = mgr.sequence();
      jobs.push({ i, a, out, algo, seq });
    }
    for (const { a, out, algo, seq } of jobs) seq.evalAsync(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
    assert.ok(jobs.every(({ seq }) => seq.isRunning()));
    const results = await Promise.all(jobs.map(({ seq }) => seq.evalAwait()));
    assert.deepEqual(results, [true, true, true, true]);
    for (const { i, out } of jobs)
      assert.deepEqual(
        Array.from(out.data()),
        Array.from({ length: 64 }, (_, j) => 2 * (i * 1000 + j)),
      );
    for (const job of jobs) for (const r of [job.seq, job.algo, job.a, job.out]) r.destroy();
  });

  test('a slow and a fast sequence in flight together both complete correctly', async () => {
    const slow = await slowJob();
    const a = mgr.tensor([1, 2, 3]);
    const out = mgr.tensor(3, 'f32');
    const fastAlgo = mgr.algorithm([a, out], DOUBLE_SHADER);
    const s1 = mgr.sequence().evalAsync(new OpAlgoDispatch(slow.algo));
    const s2 = mgr.sequence().evalAsync(new OpSyncDevice([a]), new OpAlgoDispatch(fastAlgo), new OpSyncLocal([out]));
    assert.deepEqual(await Promise.all([s2.evalAwait(), s1.evalAwait()]), [true, true]);
    assert.deepEqual(Array.from(out.data()), [2, 4, 6]);
    assert.deepEqual(Array.from(slow.out.data()), expected);
    for (const r of [s1, s2, fastAlgo, a, out]) r.destroy();
    slow.destroy();
  });

  test('destroying a sequence while it runs rejects its pending evalAwait() with DestroyedError', async () => {
    const job = await slowJob();
    const seq = mgr.sequence();
    seq.evalAsync(new OpAlgoDispatch(job.algo));
    const pending = seq.evalAwait();
    seq.destroy();
    const error = await assertFails(() => pending, DestroyedError);
    assert.match(error.message, new RegExp(seq.label));
    assert.equal(seq.isRunning(), false);
    assert.equal(seq.isInit(), false);
    // The manager goes on computing.
    const other = await slowJob(3);
    await mgr.sequence().eval(new OpAlgoDispatch(other.algo));
    assert.deepEqual(Array.from(other.out.data()), slowReference(INVOCATIONS, 3));
    other.destroy();
    job.destroy();
  });

  test('an evaluation that fails while nobody awaits it is reported by the next evalAwait()', async () => {
    const t = mgr.tensor(1, 'f32');
    const broken = mgr.algorithm([t], '@group(0) @binding(0) var<storage, read_write> t: array<f32>;\n@compute @workgroup_size(1) fn main() { t[0] = nope; }');
    const seq = mgr.sequence();
    seq.evalAsync(new OpAlgoDispatch(broken));
    await assert.rejects(broken.compiled(), ShaderCompileError);
    await assertFails(() => seq.evalAwait(), ShaderCompileError);
    assert.equal(seq.isRunning(), false);
    // Reported once: the sequence is usable again.
    const good = await slowJob(2);
    await seq.eval(new OpAlgoDispatch(good.algo));
    assert.deepEqual(Array.from(good.out.data()), slowReference(INVOCATIONS, 2));
    good.destroy();
    for (const r of [seq, broken, t]) r.destroy();
  });

  // Found by the lifecycle model test: the expired wait still marked the later failure as seen,
  // so nobody was ever told.
  test('an evaluation that fails after evalAwait(0) timed out is still reported by the next call, marked as reported late', async () => {
    // The evaluation must fail after the timeout: its tensor is destroyed while it still waits for
    // its (new) pipeline. Whether it was already submitted by then is a race, so try until one
    // attempt fails late (almost always the first).
    let reported: Error | null = null;
    for (let attempt = 0; attempt < 10 && !reported; attempt++) {
      const t = mgr.tensor(1, 'f32');
      const unique = `@group(0) @binding(0) var<storage, read_write> t: array<f32>;\n@compute @workgroup_size(1) fn main() { t[0] = ${Math.random()}; }`;
      const algo = mgr.algorithm([t], unique);
      const seq = mgr.sequence();
      seq.evalAsync(new OpAlgoDispatch(algo));
      const finished = await seq.evalAwait(0);
      t.destroy();
      await algo.compiled().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (!finished) {
        try {
          await seq.evalAwait();
        } catch (error) {
          reported = error as Error;
        }
      }
      if (reported) assert.equal(await seq.evalAwait(), true, 'reported once');
      for (const r of [seq, algo]) r.destroy();
    }
    assert.ok(reported, 'in 10 attempts the evaluation never failed after the timeout');
    assert.ok(reported instanceof DestroyedError, `${reported.name}: ${reported.message}`);
    assert.match(reported.message, /reported late: an earlier evaluation of Sequence#\d+ failed and was not awaited/);
  });

  // Found in review: the late report appended to the shared error object (an algorithm's compile
  // error is every sequence's), so each report changed what everyone else saw.
  test("a late report is a copy of the error: the algorithm's own compile error and the other sequence's report stay as they were", async () => {
    const t = mgr.tensor(1, 'f32');
    const broken = mgr.algorithm([t], '@group(0) @binding(0) var<storage, read_write> t: array<f32>;\n@compute @workgroup_size(1) fn main() { t[0] = nope; }');
    const first = mgr.sequence();
    const second = mgr.sequence();
    first.evalAsync(new OpAlgoDispatch(broken));
    second.evalAsync(new OpAlgoDispatch(broken));
    const original = await broken.compiled().then(
      () => assert.fail('the shader must not compile'),
      (e: unknown) => e as Error,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const reports: Error[] = [];
    for (const seq of [first, second]) {
      try {
        seq.evalAsync();
        assert.fail('the earlier failure must be reported');
      } catch (e) {
        reports.push(e as Error);
      }
    }
    for (const [k, seq] of [first, second].entries()) {
      const report = reports[k]!;
      assert.ok(report instanceof ShaderCompileError, String(report));
      assert.equal(report.cause, original);
      assert.equal((report as ShaderCompileError).code, (original as ShaderCompileError).code);
      assert.equal(report.message.match(/reported late/g)?.length, 1, report.message);
      assert.ok(report.message.includes(seq.label));
    }
    assert.doesNotMatch(original.message, /reported late/);
    for (const r of [first, second, broken, t]) r.destroy();
  });

  // Found by the lifecycle model test: the evaluation waited for the first pipeline, then encoded
  // the rebuilt algorithm before its new pipeline existed ("No pipeline set").
  test('an algorithm rebuilt while a submitted-later evaluation waits for its pipeline is dispatched as rebuilt', async () => {
    const out = mgr.tensor(4, 'u32', { type: MemoryType.Host });
    const extra = mgr.tensor(new Uint32Array(2), { type: MemoryType.Host });
    const algo = mgr.algorithm([out], SLOW_SHADER.replace('1664525u', `${1000 + Math.floor(Math.random() * 1e6)}u`), { workgroup: [1], constants: [1] });
    const seq = mgr.sequence();
    seq.evalAsync(new OpAlgoDispatch(algo));
    const seven = /* wgsl */ `
struct Push { k: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<storage, read_write> extra: array<u32>;
@group(1) @binding(0) var<uniform> push: Push;
@compute @workgroup_size(4) fn main(@builtin(global_invocation_id) id: vec3u) {
  out[id.x] = push.k;
  if (id.x < 2u) { extra[id.x] = push.k + 1u; }
}`;
    // Rebuilt with another pipeline, one more tensor (coherent: synced around the batch) and push constants.
    algo.rebuild([out, extra], seven, { workgroup: [1], pushConstants: new Uint32Array([7]) });
    assert.equal(await seq.evalAwait(), true);
    assert.deepEqual(Array.from(out.data()), [7, 7, 7, 7]);
    assert.deepEqual(Array.from(extra.data()), [8, 8]);
    for (const r of [seq, algo, out, extra]) r.destroy();
  });

  test('mgr.destroy() while a sequence runs rejects its evalAwait() with DestroyedError', async () => {
    const own = await createManager();
    const out = own.tensor(INVOCATIONS, 'u32', { type: MemoryType.Host });
    const algo = own.algorithm([out], SLOW_SHADER, { workgroup: [INVOCATIONS / 64], constants: [ITERATIONS] });
    await algo.compiled();
    const seq = own.sequence();
    seq.evalAsync(new OpAlgoDispatch(algo));
    const pending = seq.evalAwait();
    own.destroy();
    const error = await assertFails(() => pending, DestroyedError);
    // Sequences are destroyed first, so the evaluation is cancelled by its own sequence.
    assert.equal((error as DestroyedError).resource, seq.label);
    assert.equal(seq.isInit(), false);
    assert.equal(own.memory().totalBytes, 0);
  });
});
