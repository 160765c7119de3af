/**
 * Shared helpers of the test suite: managers that are always destroyed, CPU-reference
 * comparisons, garbage-collection loops, raw WebGPU access for the bring-your-own tests, and
 * small WGSL shaders used by several files.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { create } from 'webgpu';
import { KomputeError, Manager, MemoryType, OpCopy, OpSyncLocal, type ManagerOptions, type MemoryReport, type Tensor } from '../src/index.js';

/** `GPUBufferUsage` and `GPUMapMode` flags (Dawn's Node binding does not put them on globalThis). */
import { BufferUsage as Usage, MapMode as MapFlags } from '../src/backends/webgpu-constants.js';

export { Usage, MapFlags };

/**
 * Raw Dawn instances made by {@link rawDevice}, kept referenced until the test process ends:
 * Dawn aborts when an instance is garbage collected while a device of it is still in use.
 * (Managers need no such pin: the library shares one Dawn instance per process.)
 */
const pinnedDawnInstances: GPU[] = [];

/** `Manager.create(options)`. */
export async function createManager(options?: ManagerOptions): Promise<Manager> {
  return Manager.create(options);
}

/**
 * `report` without the staging pool: what live resources hold. Released staging buffers wait in
 * the (bounded) pool for reuse, so "everything was released" means this part is back, while
 * `poolBytes` may have grown.
 */
export function liveMemory(report: MemoryReport): Omit<MemoryReport, 'poolBytes'> {
  const { poolBytes, ...live } = report;
  return { ...live, totalBytes: report.totalBytes - poolBytes };
}

/** Creates a manager, runs `fn` with it, and destroys the manager whatever happens. */
export async function withManager<T>(fn: (mgr: Manager) => Promise<T> | T, options?: ManagerOptions): Promise<T> {
  const mgr = await createManager(options);
  try {
    return await fn(mgr);
  } finally {
    mgr.destroy();
  }
}

/** Asserts that `actual` matches `expected` element by element within `tolerance` (absolute + relative). */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const ok = Math.abs(a - e) <= tolerance * (1 + Math.abs(e));
    assert.ok(ok, `${what}[${i}]: got ${a}, expected ${e} (tolerance ${tolerance})`);
  }
}

/** The CPU reference of `f` applied to each index, as a Float32Array (rounded as f32 like the GPU). */
export function cpuReference(length: number, f: (i: number) => number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = f(i);
  return out;
}

/** Deterministic pseudo-random f32 values in [-1, 1) (so failures reproduce). */
export function randomValues(length: number, seed = 1): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Yields to the event loop and runs `global.gc()` until `done()` holds, at most `rounds` times.
 * Each round yields before collecting: a WeakRef target that `done()` dereferenced stays alive
 * until the end of that turn, so collecting in the same turn could never free it.
 */
export async function gcUntil(done: () => boolean, rounds = 50): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(gc, 'run the tests with node --expose-gc');
  if (done()) return true;
  for (let i = 0; i < rounds; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    if (done()) return true;
  }
  return false;
}

/**
 * Reads a tensor's contents from the GPU, whatever its memory type: Device tensors through
 * OpSyncLocal, Host/DeviceAndHost tensors directly (coherent), Storage tensors by copying them
 * into a temporary Device tensor first. Returns a plain copy.
 */
export async function readBack(mgr: Manager, tensor: Tensor): Promise<number[]> {
  if (tensor.memoryType === MemoryType.Storage) {
    const probe = mgr.tensor(tensor.size, tensor.dtype);
    const seq = mgr.sequence();
    try {
      await seq.eval(new OpCopy([tensor, probe]), new OpSyncLocal([probe]));
      return Array.from(probe.data());
    } finally {
      seq.destroy();
      probe.destroy();
    }
  }
  if (tensor.memoryType === MemoryType.Device) {
    const seq = mgr.sequence();
    try {
      await seq.eval(new OpSyncLocal([tensor]));
    } finally {
      seq.destroy();
    }
  }
  return Array.from(tensor.data());
}

/** Asserts that `fn` fails with an instance of `kind`, whether it throws or returns a rejected promise. */
export async function assertFails(fn: () => unknown, kind: abstract new (...args: never[]) => Error, message?: RegExp): Promise<Error> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error !== undefined, `expected ${kind.name}, but nothing was thrown`);
  assert.ok(error instanceof kind, `expected ${kind.name}, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  assert.ok(error instanceof KomputeError, 'every error of the library is a KomputeError');
  if (message) assert.match((error as Error).message, message);
  return error as Error;
}

/**
 * A raw WebGPU device of our own (Dawn), for the bring-your-own-device tests. Its Dawn instance is
 * pinned for the life of the test process: Dawn aborts when an instance is garbage collected
 * while a device of it is still in use.
 */
export async function rawDevice(): Promise<{ gpu: GPU; adapter: GPUAdapter; device: GPUDevice }> {
  const gpu = create([]);
  pinnedDawnInstances.push(gpu);
  const adapter = await gpu.requestAdapter();
  assert.ok(adapter, 'Dawn found no adapter');
  const device = await adapter.requestDevice();
  return { gpu, adapter, device };
}

/** Reads `bytes` of `buffer` with raw WebGPU (copy into a MAP_READ buffer, map it). */
export async function rawRead(device: GPUDevice, buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const readback = device.createBuffer({ size: bytes, usage: Usage.MAP_READ | Usage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, readback, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await readback.mapAsync(MapFlags.READ);
  const copy = readback.getMappedRange().slice(0);
  readback.unmap();
  readback.destroy();
  return copy;
}

/** `out[i] = a[i] * 2` for f32, one invocation per workgroup (Kompute's default workgroup). */
export const DOUBLE_SHADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  out[id.x] = a[id.x] * 2.0;
}
`;

/** `t[i] += 1` on a single f32 tensor. */
export const INCREMENT_SHADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> t: array<f32>;

@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  t[id.x] = t[id.x] + 1.0;
}
`;

/** `t[i] += k` for an f32 tensor, k given by push constants. */
export const ADD_PUSH_SHADER = /* wgsl */ `
struct Push { k: f32 }
@group(0) @binding(0) var<storage, read_write> t: array<f32>;
@group(1) @binding(0) var<uniform> push: Push;

@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3u) {
  t[id.x] = t[id.x] + push.k;
}
`;

/** The absolute file URL of the built library entry point (dist/src/index.js). */
export const INDEX_URL = pathToFileURL(fileURLToPath(new URL('../src/index.js', import.meta.url))).href;

/**
 * Runs `script` (ES module source) in a fresh `node` process (by default with --expose-gc) with
 * a time bound (20 s by default), so a hang or a native crash shows up as a failed assertion
 * instead of taking the test file down.
 */
export function runChild(script: string, timeoutMs = 20_000, nodeFlags: readonly string[] = ['--expose-gc'], env?: Readonly<Record<string, string>>): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
}

/** Describes how a child process ended, for assertion messages. */
export function describeChild(result: SpawnSyncReturns<string>): string {
  const how = result.error ? `error ${result.error.message}` : `status ${String(result.status)}, signal ${String(result.signal)}`;
  return `${how}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
}

// `node --test dist/test/` runs every file of the folder, this one too: then it checks itself.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { test } = await import('node:test');

  test('helpers: assertClose accepts values within the tolerance and rejects others', () => {
    assert.doesNotThrow(() => assertClose([1, 2.0000001], [1, 2], 1e-6));
    assert.throws(() => assertClose([1, 2.1], [1, 2], 1e-6), assert.AssertionError);
    assert.throws(() => assertClose([1], [1, 2]), assert.AssertionError);
  });

  test('helpers: randomValues is deterministic per seed and lies in [-1, 1)', () => {
    const a = randomValues(100, 5);
    assert.deepEqual(a, randomValues(100, 5));
    assert.notDeepEqual(a, randomValues(100, 6));
    assert.ok(a.every((v) => v >= -1 && v < 1));
  });

  test('helpers: gcUntil sees an unreachable object collected, and reports a condition that never holds as false', async () => {
    let ref: WeakRef<object> | undefined;
    (() => {
      ref = new WeakRef({ big: new Float64Array(1024) });
    })();
    assert.equal(await gcUntil(() => ref!.deref() === undefined), true);
    assert.equal(await gcUntil(() => false, 2), false);
  });

  test('helpers: assertFails accepts a matching KomputeError from a throw or a rejection and rejects anything else', async () => {
    const { StateError } = await import('../src/index.js');
    await assertFails(() => {
      throw new StateError('x', 'y');
    }, StateError);
    await assertFails(() => Promise.reject(new StateError('x', 'y')), StateError, /x/);
    await assert.rejects(
      assertFails(() => undefined, StateError),
      assert.AssertionError,
    );
    await assert.rejects(
      assertFails(() => Promise.reject(new Error('plain')), StateError),
      assert.AssertionError,
    );
  });
}
