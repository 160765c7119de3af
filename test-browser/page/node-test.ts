/**
 * A small in-page stand-in for `node:test` (the browser test bundle aliases `node:test` to this
 * module): `describe`/`it`/`test` with `before`/`after`/`beforeEach`/`afterEach`, run in
 * declaration order, one at a time, like Node's runner does within a file. Every test's outcome
 * is handed to the Node side through `window.komputeReport` (a Playwright binding).
 */

type Fn = (context: TestContext) => unknown;
type HookFn = () => unknown;

/** The part of Node's TestContext the suite uses. */
export interface TestContext {
  readonly name: string;
  diagnostic(message: string): void;
  /** Marks the running test skipped (reported as a skip with the reason, never as a pass). */
  skip(message?: string): void;
}

interface TestOptions {
  readonly skip?: boolean | string;
  readonly todo?: boolean | string;
  readonly timeout?: number;
}

interface TestNode {
  readonly kind: 'test';
  readonly name: string;
  readonly fn: Fn;
  readonly options: TestOptions;
}

interface SuiteNode {
  readonly kind: 'suite';
  readonly name: string;
  readonly children: (TestNode | SuiteNode)[];
  readonly before: HookFn[];
  readonly after: HookFn[];
  readonly beforeEach: HookFn[];
  readonly afterEach: HookFn[];
}

/** One test's outcome, as sent to the Node side. */
export interface TestReport {
  readonly file: string;
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly ms: number;
  readonly error?: string;
  readonly diagnostics: string[];
}

/** Tests of the browser run that are not run, with why (listed by the Node side). */
export type Exclusions = ReadonlyMap<string, string>;

// The Deno and Bun runs (test-runtimes/harness.ts) set a longer one: Node's runner has no default timeout.
const DEFAULT_TIMEOUT_MS = (globalThis as { komputeTestTimeoutMs?: number }).komputeTestTimeoutMs ?? 180_000;

function newSuite(name: string): SuiteNode {
  return { kind: 'suite', name, children: [], before: [], after: [], beforeEach: [], afterEach: [] };
}

let current: SuiteNode = newSuite('');
const files: { file: string; root: SuiteNode }[] = [];

function split(optionsOrFn: TestOptions | Fn | undefined, maybeFn: Fn | undefined): { options: TestOptions; fn: Fn } {
  if (typeof optionsOrFn === 'function') return { options: {}, fn: optionsOrFn };
  return { options: optionsOrFn ?? {}, fn: maybeFn ?? (() => undefined) };
}

/** `node:test` `describe`: collects the suite's tests now (its body runs synchronously). */
export function describe(name: string, optionsOrFn?: TestOptions | (() => void), maybeFn?: () => void): void {
  const fn = (typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn) ?? (() => undefined);
  const suite = newSuite(name);
  current.children.push(suite);
  const parent = current;
  current = suite;
  try {
    const result = fn() as unknown;
    if (result instanceof Promise) throw new Error(`describe('${name}') has an async body: the in-page runner collects suites synchronously`);
  } finally {
    current = parent;
  }
}

/** `node:test` `test`. */
export function test(name: string, optionsOrFn?: TestOptions | Fn, maybeFn?: Fn): void {
  const { options, fn } = split(optionsOrFn, maybeFn);
  current.children.push({ kind: 'test', name, fn, options });
}

export const it = test;
export const suite = describe;

export function before(fn: HookFn): void {
  current.before.push(fn);
}
export function after(fn: HookFn): void {
  current.after.push(fn);
}
export function beforeEach(fn: HookFn): void {
  current.beforeEach.push(fn);
}
export function afterEach(fn: HookFn): void {
  current.afterEach.push(fn);
}

export default test;

/** Loads one test file: its top-level calls register into a fresh root suite named after it. */
export async function loadFile(file: string, load: () => Promise<unknown>): Promise<void> {
  const root = newSuite(file);
  files.push({ file, root });
  current = root;
  try {
    await load();
  } finally {
    current = newSuite('');
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack ? `\n${error.stack.split('\n').slice(1, 6).join('\n')}` : ''}`;
  return String(error);
}

async function withTimeout<T>(work: () => T | Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(work), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Errors that escape every test (an unhandled rejection, an uncaught error) fail the test running
// when they surface, as they would fail the file under Node.
const escaped: string[] = [];
globalThis.addEventListener?.('unhandledrejection', (event) => {
  escaped.push(`unhandled rejection: ${describeError(event.reason)}`);
});
globalThis.addEventListener?.('error', (event) => {
  escaped.push(`uncaught error: ${describeError(event.error ?? event.message)}`);
});

interface RunState {
  readonly file: string;
  readonly exclusions: Exclusions;
  readonly report: (report: TestReport) => Promise<void>;
}

async function runSuite(suite: SuiteNode, path: string[], eachHooks: { before: HookFn[]; after: HookFn[] }, state: RunState): Promise<void> {
  const tests = collectTests(suite, path);
  let setupError: string | undefined;
  try {
    for (const hook of suite.before) await withTimeout(hook, DEFAULT_TIMEOUT_MS, 'before hook');
  } catch (error) {
    setupError = `before hook failed: ${describeError(error)}`;
  }
  if (setupError !== undefined) {
    for (const name of tests) await state.report({ file: state.file, name, status: 'fail', ms: 0, error: setupError, diagnostics: [] });
  } else {
    const hooks = { before: [...eachHooks.before, ...suite.beforeEach], after: [...suite.afterEach, ...eachHooks.after] };
    for (const child of suite.children) {
      if (child.kind === 'suite') await runSuite(child, [...path, child.name], hooks, state);
      else await runTest(child, [...path, child.name].join(' > '), hooks, state);
    }
  }
  try {
    for (const hook of suite.after) await withTimeout(hook, DEFAULT_TIMEOUT_MS, 'after hook');
  } catch (error) {
    await state.report({ file: state.file, name: `${[...path, '(after hook)'].join(' > ')}`, status: 'fail', ms: 0, error: describeError(error), diagnostics: [] });
  }
}

function collectTests(suite: SuiteNode, path: string[]): string[] {
  return suite.children.flatMap((child) => (child.kind === 'suite' ? collectTests(child, [...path, child.name]) : [[...path, child.name].join(' > ')]));
}

async function runTest(node: TestNode, name: string, hooks: { before: HookFn[]; after: HookFn[] }, state: RunState): Promise<void> {
  const diagnostics: string[] = [];
  const excluded = state.exclusions.get(`${state.file} :: ${name}`);
  if (excluded !== undefined || node.options.skip || node.options.todo) {
    const why = excluded ?? String(node.options.skip || node.options.todo);
    await state.report({ file: state.file, name, status: 'skip', ms: 0, error: why, diagnostics });
    return;
  }
  let skipped: string | undefined;
  const context: TestContext = { name: node.name, diagnostic: (message) => diagnostics.push(message), skip: (message) => (skipped = message ?? 'skipped') };
  const started = performance.now();
  let error: string | undefined;
  escaped.length = 0;
  try {
    for (const hook of hooks.before) await hook();
    await withTimeout(() => node.fn(context), node.options.timeout ?? DEFAULT_TIMEOUT_MS, 'test');
  } catch (e) {
    error = describeError(e);
  }
  try {
    for (const hook of hooks.after) await hook();
  } catch (e) {
    error ??= `afterEach hook failed: ${describeError(e)}`;
  }
  // Give a stray rejection of this test a turn to surface before judging it.
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (error === undefined && escaped.length > 0) error = escaped.join('\n');
  const ms = performance.now() - started;
  if (error === undefined && skipped !== undefined) {
    await state.report({ file: state.file, name, status: 'skip', ms, error: skipped, diagnostics });
    return;
  }
  await state.report({ file: state.file, name, status: error === undefined ? 'pass' : 'fail', ms, ...(error === undefined ? {} : { error }), diagnostics });
}

/** Runs every loaded file's tests in order and reports each one. */
export async function runLoaded(exclusions: Exclusions, report: (report: TestReport) => Promise<void>): Promise<void> {
  for (const { file, root } of files) await runSuite(root, [], { before: [], after: [] }, { file, exclusions, report });
}
