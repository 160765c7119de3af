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

const CATALOGUE = 'bad-inputs.test.js :: bad-input catalogue > ';

export const RUNTIME_EXCLUSIONS: Readonly<Record<Runtime, RuntimeExclusions>> = {
  deno: {
    files: {},
    tests: {
      'async-eval.test.js :: asynchronous evaluation > an evaluation that fails after evalAwait(0) timed out is still reported by the next call, marked as reported late':
        "needs an evaluation still waiting for its pipeline when evalAwait(0) returns; wgpu's createComputePipelineAsync resolves before that, so the race never happens (the lifecycle model test covers late reports here)",
      [`${CATALOGUE}wgsl.workgroup-size-override-over-limit: algorithm.compiled(@workgroup_size(wg) with the constant wg = 4096) -> ValidationError`]:
        'wgpu (Deno 2.9.6) accepts a pipeline whose overridden @workgroup_size is over maxComputeInvocationsPerWorkgroup: the error this row expects comes from the WebGPU implementation, and wgpu gives none',
      [`${CATALOGUE}wgsl.workgroup-storage-over-limit: algorithm.compiled(64 KiB of \`var<workgroup>\`, over maxComputeWorkgroupStorageSize) -> ValidationError`]:
        'wgpu (Deno 2.9.6) accepts a pipeline with more var<workgroup> storage than maxComputeWorkgroupStorageSize: the error this row expects comes from the WebGPU implementation, and wgpu gives none',
    },
  },
  bun: {
    files: {
      'weak-holding.test.js':
        "asserts what garbage collection releases; JavaScriptCore (Bun) scans the stack conservatively and collects when it sees fit, so a dropped object may stay reachable however often Bun.gc(true) runs (Node and Deno's V8 run this file)",
      'lifecycle-model.test.js': 'its programs drop objects and wait for garbage collection, which JavaScriptCore (Bun) does not do deterministically (see weak-holding.test.js)',
    },
    tests: {
      'image-lifecycle.test.js :: image lifecycle > rule 5: an image dropped without destroy() is released after garbage collection, staging included':
        'waits for garbage collection, which JavaScriptCore (Bun) does not do deterministically (see weak-holding.test.js)',
      'image-lifecycle.test.js :: image lifecycle > rule 5: a dropped image that a held algorithm binds stays alive and usable, and is released with the algorithm':
        'waits for garbage collection, which JavaScriptCore (Bun) does not do deterministically (see weak-holding.test.js)',
      [`${CATALOGUE}the uncaptured-error watch works: an invalid call outside any error scope is reported`]:
        'bun-webgpu 0.1.7 throws at once from createBuffer() on an invalid usage instead of reporting a WebGPU error, so there is no uncaptured error to watch for',
    },
  },
};
