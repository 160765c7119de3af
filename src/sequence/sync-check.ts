/**
 * Debug mode's sync checks (`Manager.create({ debug: true })`, or `KOMPUTE_TS_DEBUG=1` in Node).
 *
 * Kompute's model moves data only when told to: a `Device` tensor's GPU copy changes with
 * `OpSyncDevice`, its host copy with `OpSyncLocal`. Forgetting one is silent (a kernel reads
 * zeros, `data()` returns stale values). With debug on, this module watches what evaluations
 * record and warns, through the context's `warn(code, message)`, in two cases:
 *
 * - `KP_STALE_DEVICE`: a dispatch reads a `Device` tensor whose host data changed since the GPU
 *   copy was last known equal to it (its last upload, its last download, or its creation, when
 *   the GPU buffer held zeros). Compared byte for byte, so writes through a `data()` view count.
 * - `KP_STALE_HOST`: `data()` is read after a dispatch wrote the tensor on the GPU (a binding the
 *   shader declares `read_write`) and no download followed.
 *
 * Each warning is given once per occurrence. `Host` and `Storage` tensors, images and tensors
 * wrapping your own buffer are not watched. The checks cost a copy of each watched tensor's host
 * data per transfer, which is why they are off by default.
 *
 * Hooks: the encode context calls {@link SyncCheck.uploaded}, {@link SyncCheck.downloaded} and
 * {@link SyncCheck.dispatched}; `Tensor.data()` and `setData()` call {@link SyncCheck.hostAccess}, through the
 * context's `syncCheck`, which is null unless debug is on.
 */
import type { Algorithm } from '../algorithm/algorithm.js';
import type { SyncHooks, WarningSink } from '../core/device-context.js';
import type { Memory } from '../memory/memory.js';
import { MemoryType } from '../memory/memory-type.js';
import { Tensor } from '../memory/tensor.js';

interface Watch {
  /** The tensor's generation the state below describes (a rebuild starts over). */
  generation: number;
  /** Host bytes known to equal the GPU copy, or null when unknown (the GPU wrote it). */
  gpu: Uint8Array | null;
  /**
   * An upload or a download was recorded: once that batch is done the host copy equals the GPU
   * copy (the host copy cannot change meanwhile: it is claimed), so the next look while it is
   * idle takes the host bytes as the GPU's. Until then the two count as equal.
   */
  pending: boolean;
  /** The algorithm that last wrote the tensor on the GPU with no download since, or null. */
  writtenBy: string | null;
}

export class SyncCheck implements SyncHooks {
  readonly #warn: WarningSink;
  readonly #watches = new WeakMap<Tensor, Watch>();

  constructor(warn: WarningSink) {
    this.#warn = warn;
  }

  /** The host copy of `memory` was recorded for upload: the GPU will hold these bytes. */
  uploaded(memory: Memory): void {
    this.#transferred(memory);
  }

  /** The GPU copy of `memory` was recorded for download. */
  downloaded(memory: Memory): void {
    this.#transferred(memory);
  }

  /** Either way, once the batch is done the two copies agree (see {@link Watch.pending}). */
  #transferred(memory: Memory): void {
    const watch = this.#watch(memory);
    if (!watch) return;
    watch.gpu = null;
    watch.pending = true;
    watch.writtenBy = null;
  }

  /** `algorithm` was recorded for dispatch: check what it reads, note what it writes. */
  dispatched(algorithm: Algorithm): void {
    const memories = algorithm.getTensors();
    const written = algorithm.writtenMemories;
    for (const memory of memories) {
      const watch = this.#watch(memory);
      if (!watch) continue;
      const tensor = memory as Tensor;
      if (watch.writtenBy === null && !settle(watch, tensor)) {
        const host = watch.gpu && snapshot(tensor);
        if (watch.gpu && host && !sameBytes(watch.gpu, host)) {
          this.#warn(
            'KP_STALE_DEVICE',
            `${algorithm.label} reads ${tensor.label}, whose host data changed since it was last uploaded: the shader sees the GPU copy, not the host data; record an OpSyncDevice([${tensor.label}]) before the dispatch (or use await tensor.write(values))`,
          );
          watch.gpu = host;
        }
      }
      if (written.includes(memory)) {
        watch.gpu = null;
        watch.pending = false;
        watch.writtenBy = algorithm.label;
      }
    }
  }

  /** The host copy of `memory` is being read (`data()`, `write`: false) or written (`setData()`). */
  hostAccess(memory: Memory, write: boolean): void {
    const watch = this.#watch(memory);
    if (!watch) return;
    settle(watch, memory as Tensor);
    if (write || !watch.writtenBy) return;
    this.#warn(
      'KP_STALE_HOST',
      `${memory.label}.data() after ${watch.writtenBy} wrote ${memory.label} on the GPU without a download since: the host copy holds older values; record an OpSyncLocal([${memory.label}]) after the dispatch (or use await tensor.read())`,
    );
    watch.writtenBy = null;
  }

  #watch(memory: Memory): Watch | null {
    if (!(memory instanceof Tensor) || memory.memoryType !== MemoryType.Device || memory.isExternal || !memory.isInit()) return null;
    let watch = this.#watches.get(memory);
    if (!watch || watch.generation !== memory.generation) {
      // A buffer the library created starts as zeros on the GPU, whatever the host copy holds.
      watch = { generation: memory.generation, gpu: new Uint8Array(memory.byteLength), pending: false, writtenBy: null };
      this.#watches.set(memory, watch);
    }
    return watch;
  }
}

/** Takes a pending snapshot when the host copy is idle; true while it is still pending (in sync). */
function settle(watch: Watch, tensor: Tensor): boolean {
  if (!watch.pending) return false;
  const host = snapshot(tensor);
  if (!host) return true;
  watch.gpu = host;
  watch.pending = false;
  return false;
}

/** A copy of the host bytes, or null while they cannot be read (a running evaluation transfers them). */
function snapshot(tensor: Tensor): Uint8Array | null {
  try {
    const view = tensor.hostCopy!.view();
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
  } catch {
    return null;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when `KOMPUTE_TS_DEBUG` is set to something other than `0` or empty (Node; false elsewhere). */
export function debugFromEnvironment(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.['KOMPUTE_TS_DEBUG'];
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
