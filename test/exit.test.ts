/**
 * Process lifetime: a script that creates and destroys a manager exits by itself, and so does
 * one that forgets to; and a process survives managers coming and going. Each
 * test runs a child process with a time bound, so a hang or a native crash fails the test
 * instead of the test run.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeChild, INDEX_URL, runChild } from './helpers.js';

const IMPORT = `import { Manager, MemoryType, OpAlgoDispatch, OpSyncDevice, OpSyncLocal } from ${JSON.stringify(INDEX_URL)};`;

const DOUBLE = `@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3u) { out[id.x] = a[id.x] * 2.0; }`;

/** The last line the child printed, parsed as JSON. */
function lastJson(stdout: string): unknown {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line);
}

describe('process exit', () => {
  // Documented in README.md, "Process exit": without destroy(), the process still exits when its
  // work is done; the manager's device goes away with the process (or when the manager is collected).
  test('a script that forgets to destroy its manager, with work done and data read, still exits by itself with code 0', () => {
    const result = runChild(
      `${IMPORT}
      const mgr = await Manager.create();
      const a = mgr.tensor(new Float32Array(20000).fill(1));
      const out = mgr.tensor(20000, 'f32');
      const algo = mgr.algorithm([a, out], ${JSON.stringify(DOUBLE)}, { workgroup: [20000] });
      await mgr.sequence().eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
      console.log(JSON.stringify([out.data()[0], out.data()[19999], mgr.memory().tensors]));`,
      20_000,
      [],
    );
    assert.equal(result.error, undefined, describeChild(result));
    assert.equal(result.signal, null, describeChild(result));
    assert.equal(result.status, 0, describeChild(result));
    assert.deepEqual(lastJson(result.stdout), [2, 2, 2]);
  });

  test('a script that creates a manager, runs a tiny computation and destroys it exits by itself with code 0', () => {
    const result = runChild(
      `${IMPORT}
      const mgr = await Manager.create();
      const a = mgr.tensor([1, 2, 3]);
      const out = mgr.tensor(3, 'f32');
      const algo = mgr.algorithm([a, out], ${JSON.stringify(DOUBLE)});
      await mgr.sequence().eval(new OpSyncDevice([a]), new OpAlgoDispatch(algo), new OpSyncLocal([out]));
      console.log(JSON.stringify(Array.from(out.data())));
      mgr.destroy();`,
      20_000,
      [],
    );
    assert.equal(result.error, undefined, describeChild(result));
    assert.equal(result.signal, null, describeChild(result));
    assert.equal(result.status, 0, describeChild(result));
    assert.deepEqual(lastJson(result.stdout), [2, 4, 6]);
  });

  test('a script that disposes its manager with Symbol.asyncDispose (what `await using` calls) exits by itself with code 0', () => {
    const result = runChild(
      `${IMPORT}
      const mgr = await Manager.create();
      try {
        const t = mgr.tensor([5], { type: MemoryType.Host });
        await mgr.sequence().eval(new OpSyncLocal([t]));
        console.log(JSON.stringify(Array.from(t.data())));
      } finally {
        await mgr[Symbol.asyncDispose]();
      }`,
      20_000,
      [],
    );
    assert.equal(result.status, 0, describeChild(result));
    assert.deepEqual(lastJson(result.stdout), [5]);
  });

  test('a script that evaluates asynchronously and destroys the manager with work in flight exits by itself with code 0', () => {
    const result = runChild(
      `${IMPORT}
      const mgr = await Manager.create();
      const a = mgr.tensor(new Float32Array(256).fill(1));
      const out = mgr.tensor(256, 'f32', { type: MemoryType.Host });
      const algo = mgr.algorithm([a, out], ${JSON.stringify(DOUBLE)});
      await algo.compiled();
      const seq = mgr.sequence().evalAsync(new OpSyncDevice([a]), new OpAlgoDispatch(algo));
      const pending = seq.evalAwait().then(() => 'completed', (e) => e.name);
      mgr.destroy();
      console.log(JSON.stringify(await pending));`,
      20_000,
      [],
    );
    assert.equal(result.status, 0, describeChild(result));
    assert.deepEqual(lastJson(result.stdout), 'DestroyedError');
  });

  test('a process survives managers being created, destroyed and garbage collected while another manager keeps computing', () => {
    const result = runChild(
      `${IMPORT}
      const mgr = await Manager.create();
      for (let j = 0; j < 3; j++) {
        let other = await Manager.create();
        other.tensor([1, 2, 3]);
        other.destroy();
        other = null;
      }
      console.log('three managers destroyed');
      let sum = 0;
      for (let i = 0; i < 30; i++) {
        await new Promise((r) => setImmediate(r));
        gc();
        const t = mgr.tensor([i, 1, 2]);
        await mgr.sequence().eval(new OpSyncDevice([t]), new OpSyncLocal([t]));
        sum += t.data()[0];
        t.destroy();
      }
      mgr.destroy();
      console.log(JSON.stringify({ sum }));`,
      10_000,
    );
    assert.equal(result.signal, null, `killed by a signal: ${describeChild(result)}`);
    assert.equal(result.status, 0, describeChild(result));
    assert.deepEqual(lastJson(result.stdout), { sum: (29 * 30) / 2 });
  });
});
