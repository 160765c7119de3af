/**
 * The in-page stand-ins of the browser test run (test-browser/page/) checked against Node's own
 * modules: the assert shim must pass and fail exactly where node:assert/strict does, and the
 * node:test stand-in must report passes, failures, hook failures and exclusions faithfully, so a
 * green browser run means what a green Node run means.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import shim from '../test-browser/page/assert.js';
import * as runner from '../test-browser/page/node-test.js';

class Custom extends Error {}

type Case = readonly [name: keyof typeof shim & keyof typeof assert, args: readonly unknown[]];

const thrower = (error: unknown) => () => {
  throw error;
};

const CASES: readonly Case[] = [
  ['ok', [1]],
  ['ok', [0]],
  ['ok', ['']],
  ['ok', [{}]],
  ['equal', [1, 1]],
  ['equal', [1, '1']],
  ['equal', [NaN, NaN]],
  ['equal', [0, -0]],
  ['equal', [{}, {}]],
  ['notEqual', [1, 2]],
  ['notEqual', [1, 1]],
  [
    'deepEqual',
    [
      [1, 2],
      [1, 2],
    ],
  ],
  [
    'deepEqual',
    [
      [1, 2],
      [1, 3],
    ],
  ],
  ['deepEqual', [[1], [1, 2]]],
  [
    'deepEqual',
    [
      { a: 1, b: [2] },
      { b: [2], a: 1 },
    ],
  ],
  ['deepEqual', [{ a: 1 }, { a: 1, b: undefined }]],
  ['deepEqual', [new Float32Array([1, 2]), new Float32Array([1, 2])]],
  ['deepEqual', [new Float32Array([1, 2]), [1, 2]]],
  ['deepEqual', [new Float32Array([1, 2]), new Float32Array([1, 2.5])]],
  ['deepEqual', [new Int32Array([1]), new Uint32Array([1])]],
  ['deepEqual', [[NaN], [NaN]]],
  ['deepEqual', [[0], [-0]]],
  ['deepEqual', [null, undefined]],
  ['deepEqual', [{ a: null }, { a: null }]],
  ['deepEqual', [new Map([[1, { x: 1 }]]), new Map([[1, { x: 1 }]])]],
  ['deepEqual', [new Set([1, 2]), new Set([2, 1])]],
  ['deepEqual', [new Set([1]), new Set([2])]],
  ['deepEqual', [{ __proto__: null, a: 1 }, { a: 1 }]],
  ['deepEqual', [[1, 2, 3].map((x) => x * 2), [2, 4, 6]]],
  ['notDeepEqual', [[1], [2]]],
  ['notDeepEqual', [[1], [1]]],
  ['match', ['abc', /b/]],
  ['match', ['abc', /x/]],
  ['doesNotMatch', ['abc', /x/]],
  ['doesNotMatch', ['abc', /b/]],
  ['throws', [thrower(new Custom('m'))]],
  ['throws', [() => undefined]],
  ['throws', [thrower(new Custom('m')), Custom]],
  ['throws', [thrower(new Error('m')), Custom]],
  ['throws', [thrower(new Custom('boom')), /boom/]],
  ['throws', [thrower(new Custom('boom')), /bang/]],
  ['throws', [thrower(new Custom('boom')), (e: unknown) => e instanceof Custom]],
  ['throws', [thrower(new Custom('boom')), { message: 'boom' }]],
  ['throws', [thrower(new Custom('boom')), { message: /bo/ }]],
  ['throws', [thrower(new Custom('boom')), { message: 'bang' }]],
  ['doesNotThrow', [() => 1]],
  ['doesNotThrow', [thrower(new Error('x'))]],
];

function outcome(run: () => unknown): string {
  try {
    run();
    return 'passes';
  } catch (error) {
    return error instanceof Error && error.name === 'AssertionError' ? 'fails' : `throws ${String(error)}`;
  }
}

describe('browser stand-ins', () => {
  test('the assert shim passes and fails exactly where node:assert/strict does', () => {
    for (const [name, args] of CASES) {
      const node = outcome(() => (assert[name] as (...a: unknown[]) => unknown)(...args));
      const ours = outcome(() => (shim[name] as (...a: unknown[]) => unknown)(...args));
      assert.equal(ours, node, `assert.${name}(${args.map((a) => (typeof a === 'object' && a !== null && Object.getPrototypeOf(a) === null ? '[null-prototype object]' : String(a))).join(', ')})`);
    }
  });

  test('the assert shim rejects like node:assert/strict', async () => {
    await shim.rejects(Promise.reject(new Custom('x')), Custom);
    await assert.rejects(shim.rejects(Promise.resolve(1)), shim.AssertionError);
    await assert.rejects(shim.rejects(Promise.reject(new Error('x')), Custom), shim.AssertionError);
    await shim.rejects(async () => {
      throw new Custom('y');
    }, /y/);
  });

  test('the node:test stand-in runs hooks and tests in order and reports passes, failures, hook failures and exclusions', async () => {
    const order: string[] = [];
    await runner.loadFile('fake.test.js', async () => {
      runner.describe('outer', () => {
        runner.before(() => order.push('before'));
        runner.beforeEach(() => order.push('beforeEach'));
        runner.after(() => order.push('after'));
        runner.test('passes', () => order.push('passes'));
        runner.test('fails', () => {
          throw new Error('expected failure');
        });
        runner.it('async passes', async (t) => {
          t.diagnostic('a note');
          await new Promise((resolve) => setTimeout(resolve, 1));
        });
        runner.test('excluded', () => {
          throw new Error('must not run');
        });
        runner.describe('broken setup', () => {
          runner.before(() => {
            throw new Error('setup failed');
          });
          runner.test('never runs', () => undefined);
        });
      });
    });
    const reports: runner.TestReport[] = [];
    await runner.runLoaded(new Map([['fake.test.js :: outer > excluded', 'not here']]), async (report) => {
      reports.push(report);
    });
    assert.deepEqual(
      reports.map((r) => [r.name, r.status]),
      [
        ['outer > passes', 'pass'],
        ['outer > fails', 'fail'],
        ['outer > async passes', 'pass'],
        ['outer > excluded', 'skip'],
        ['outer > broken setup > never runs', 'fail'],
      ],
    );
    assert.match(reports[1]!.error!, /expected failure/);
    assert.deepEqual(reports[2]!.diagnostics, ['a note']);
    assert.match(reports[4]!.error!, /before hook failed: Error: setup failed/);
    assert.deepEqual(order, ['before', 'beforeEach', 'passes', 'beforeEach', 'beforeEach', 'after'], 'beforeEach runs before each test that runs, not before an excluded one');
  });
});
