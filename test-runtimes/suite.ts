/**
 * What the Deno and Bun runs leave out, beyond the Node-only files and tests of
 * test-browser/suite.ts (which they share: the same environment-neutral suite runs everywhere).
 * Every entry says why; a listed test that no longer exists fails the run, and every skip is
 * printed and counted as a skip, never as a pass.
 */

/** The runtimes the suite runs on besides Node and Chromium. */
export type Runtime = 'deno' | 'bun';

export interface RuntimeExclusions {
  /** Test files (names in dist/test/) not run on this runtime, and why. */
  readonly files: Readonly<Record<string, string>>;
  /** Single tests (`file :: suite > test`) not run on this runtime, and why. */
  readonly tests: Readonly<Record<string, string>>;
}

export const RUNTIME_EXCLUSIONS: Readonly<Record<Runtime, RuntimeExclusions>> = {
  deno: { files: {}, tests: {} },
  bun: { files: {}, tests: {} },
};
