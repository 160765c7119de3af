/**
 * Which test files run in the browser. Every compiled test file of dist/test/ runs there unless it
 * is listed here with the reason; single tests that cannot run in a page are listed by name. Both
 * lists are printed with every run, and a listed test that no longer exists fails the run, so
 * nothing is left out silently.
 */

/** Test files that run in Node only, and why. */
export const NODE_ONLY_FILES: Readonly<Record<string, string>> = {
  'exit.test.js': 'checks that a Node process exits by itself (child processes, Dawn instance lifetime): no such thing in a page',
  'leaks.test.js': 'measures the Node process RSS over thousands of evaluations and runs child processes',
  'entry-points.test.js': 'checks the package layout from Node (reads dist/ and imports both entries)',
  'browser-stand-ins.test.js': "checks the in-page node:test and node:assert stand-ins against Node's own modules",
  'helpers.js': 'not a test file: shared helpers (its self-checks run when Node starts it as a file)',
  'image-helpers.js': 'not a test file: shared helpers of the image tests (imported by them, so it runs in the page through them)',
  'pack.test.js': 'packs the package with npm and installs it into a temporary project',
  'lint.test.js': 'runs the Biome linter over the source tree',
  'layers.test.js': 'reads the TypeScript sources from disk to check the import layers',
  'public-surface.test.js': 'reads the built declarations (dist/src/**/*.d.ts) from disk',
  'doc-snippets.test.js': "type-checks the docs' snippets with tsc and runs each in a Node process",
  'cli.test.js': 'runs the kompute-ts command in Node processes, with .npy files on disk',
  'worker-threads.test.js': 'runs the library in a Node worker thread (worker_threads); the browser run checks a Web Worker instead (test-browser/worker-check.ts)',
  'consumer-types.test.js': 'packs the package and type-checks consumer projects with tsc in Node processes',
  'devices.test.js': "lists GPUs from Linux's sysfs and Mesa's device-select layer, and runs worker processes",
  'image-example.test.js': 'runs the image-filter example on PNG files on disk (the image tests cover the same GPU paths in the page)',
};

/** Single tests (`file :: suite > test`) that run in Node only, and why. */
export const NODE_ONLY_TESTS: Readonly<Record<string, string>> = {
  'bad-inputs.test.js :: bad-input catalogue > manager.create.device-index-out-of-range: Manager.create(device: 99 (no such index in Manager.listDevices())) -> ArgumentError naming device':
    "device selection and worker processes are Node's (the browser entry refuses both with an UnsupportedError, which devices.test.js checks)",
  "bad-inputs.test.js :: bad-input catalogue > manager.create.device-address-absent: Manager.create(device: '0000:ff:1f.7' (no GPU at that address)) -> ArgumentError naming device":
    "device selection and worker processes are Node's (the browser entry refuses both with an UnsupportedError, which devices.test.js checks)",
  "bad-inputs.test.js :: bad-input catalogue > run-on-devices.worker-relative: runOnDevices(worker: './worker.js' (neither a file: URL nor an absolute path)) -> ArgumentError naming worker":
    "device selection and worker processes are Node's (the browser entry refuses both with an UnsupportedError, which devices.test.js checks)",
  'bad-inputs.test.js :: bad-input catalogue > run-on-devices.inputs-length: runOnDevices(inputs: [1] for devices: [0, 0]) -> ArgumentError naming inputs':
    "device selection and worker processes are Node's (the browser entry refuses both with an UnsupportedError, which devices.test.js checks)",
  'debug-warnings.test.js :: debug mode: sync warnings > KOMPUTE_TS_DEBUG=1 turns debug mode on; warnings go to console.warn by default':
    'runs a child Node process with an environment variable (the Node entry reads it)',
  'examples.test.js :: examples/multi-gpu.ts > two workers on the same lavapipe device: every row is 3·x + 1 as on the CPU, each share in its own process':
    'starts worker processes (child_process), which only Node has',
  'shader-corpus.test.js :: lazy reflection: a manager from fromDevice used at once, before wgsl_reflect has loaded > an algorithm made at once runs correctly, and a binding mistake made at once is reported by compiled()':
    'runs a child Node process (Manager.fromDevice before the reflection chunk has loaded)',
  "events.test.js :: events > KOMPUTE_TS_LOG=debug logs a script's events to stderr with no code change": 'runs child Node processes with an environment variable (the Node entry reads it)',
  'ownership-rules.test.js :: memory-ownership rules > rule 2: ownership is acyclic with one top owner, the manager > rule 2: nothing refers back to the manager: a manager dropped without destroy() is collected, and its held tensor then reports isInit() false':
    'runs a child Node process',
  "bad-inputs.test.js :: bad-input catalogue > manager.create.missing-feature: Manager.create(requiredFeatures: ['texture-compression-astc'] (not offered)) -> UnsupportedError":
    "the row assumes an adapter without texture-compression-astc (true of lavapipe and of NVIDIA through Dawn), but Chromium's SwiftShader offers it; manager.test.js's 'a required feature the adapter lacks' covers the case in the browser with a feature this adapter really lacks",
};
