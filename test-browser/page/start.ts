/**
 * The test page's start-up: loads each test file (collecting its tests), runs them, and hands
 * every outcome to the Node side through the bindings Playwright exposes (`komputeReport`,
 * `komputeDone`). A file that fails to load is reported as a failed test of that file.
 */
import type { Exclusions, TestReport } from './node-test.js';

interface Bindings {
  komputeExclusions(): Promise<[string, string][]>;
  komputeReport(report: TestReport): Promise<void>;
  komputeDone(): Promise<void>;
}

// Node globals the test files (not the library) use: test/helpers.ts checks process.argv, the
// concurrency test reads process.env, the bad-input catalogue listens to process 'warning'
// events (a page has no process warnings, so the listener never fires), gcUntil() yields with
// setImmediate. The library itself uses none of them: the demo bundle is checked for them.
function provideTestGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  g.process ??= { argv: [], env: {}, on: () => undefined, off: () => undefined };
  g.setImmediate ??= (fn: (...args: unknown[]) => void, ...args: unknown[]) => setTimeout(fn, 0, ...args);
}

export async function startPage(
  files: readonly [string, () => Promise<unknown>][],
  loadFile: (file: string, load: () => Promise<unknown>) => Promise<void>,
  runLoaded: (exclusions: Exclusions, report: (report: TestReport) => Promise<void>) => Promise<void>,
): Promise<void> {
  const bindings = globalThis as unknown as Bindings;
  provideTestGlobals();
  const exclusions: Exclusions = new Map(await bindings.komputeExclusions());
  for (const [file, load] of files) {
    try {
      await loadFile(file, load);
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
      await bindings.komputeReport({ file, name: '(loading the file)', status: 'fail', ms: 0, error: message, diagnostics: [] });
    }
  }
  await runLoaded(exclusions, (report) => bindings.komputeReport(report));
  await bindings.komputeDone();
}
