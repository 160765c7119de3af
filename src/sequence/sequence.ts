import { MapMode } from '../backends/webgpu-constants.js';
import { Resource } from '../lifecycle.js';
import type { Algorithm } from '../algorithm/algorithm.js';
import { ArgumentError, DestroyedError, SizeError, StateError, UnsupportedError } from '../errors.js';
import type { DeviceContext } from '../manager/device-context.js';
import type { Releasable } from '../manager/registry.js';
import { isCoherent, type Tensor } from '../memory/tensor.js';
import { Operation } from '../operations/operation.js';
import { EncodeContext } from './encode-context.js';
import { SequenceCore } from './sequence-core.js';

/** Options of `mgr.sequence(...)`. */
export interface SequenceOptions {
  /** Time each dispatch on the GPU (needs the `timestamp-query` feature). */
  readonly timestamps?: boolean;
  /** Name used in error messages and WebGPU labels. */
  readonly label?: string;
}

/** The GPU time of one operation of the last evaluated batch. */
export interface OpTiming {
  /** Position of the operation in the batch. */
  readonly index: number;
  /** The operation's name, e.g. `OpAlgoDispatch`. */
  readonly op: string;
  /**
   * Nanoseconds the operation's dispatches took on the GPU, or null for operations WebGPU cannot
   * time (copies and syncs: timestamps exist only around compute passes).
   */
  readonly ns: number | null;
}

const MAX_TIMESTAMP_QUERIES = 4096;

/** One evaluation in flight. */
interface Flight {
  promise: Promise<void>;
  readonly abort: (error: unknown) => void;
  /** Whether an evalAwait() delivered its failure to the caller. */
  observed: boolean;
  failure: { error: unknown } | null;
}

/**
 * A list of recorded operations, evaluated on the GPU as one submission. As in Kompute, the ops
 * recorded since the last evaluation form the batch that `eval()` runs; evaluating again re-runs
 * that batch; the first `record()` after an evaluation starts a new batch. One evaluation can be
 * in flight per sequence; use several sequences for concurrent work.
 */
export class Sequence extends Resource {
  readonly #core: SequenceCore;
  readonly #timestamps: boolean;
  #ops: Operation[] = [];
  #batchStart = 0;
  #evaluated = false;
  #flight: Flight | null = null;
  #lastFlight: Flight | null = null;
  #timings: OpTiming[] = [];

  /** @internal Use `mgr.sequence()`. */
  constructor(context: DeviceContext, options: SequenceOptions = {}) {
    super(context, 'Sequence', options.label);
    this.#timestamps = options.timestamps === true;
    if (this.#timestamps && !context.features.has('timestamp-query')) {
      throw new UnsupportedError('this device has no timestamp-query feature, so sequences cannot be timed', 'create the sequence without timestamps');
    }
    this.#core = new SequenceCore(context, this.label);
    this.track('sequence', this.#core);
  }

  protected get core(): Releasable {
    return this.#core;
  }

  /** Appends `op` to the current batch (starting a new batch after an evaluation). Chainable. */
  record(op: Operation): this {
    this.assertUsable('record()');
    this.#assertIdle('record()');
    this.#checkOp(op);
    if (this.#evaluated) {
      this.#batchStart = this.#ops.length;
      this.#evaluated = false;
    }
    this.#ops.push(op);
    return this;
  }

  /**
   * Evaluates the batch and waits for it. With operations: clears the sequence, records them and
   * evaluates them. Resolves when the GPU work and every transfer back to host data are done.
   */
  async eval(...ops: Operation[]): Promise<this> {
    this.evalAsync(...ops);
    await this.evalAwait();
    return this;
  }

  /** Like {@link eval}, but returns once submitted; {@link evalAwait} waits for completion. */
  evalAsync(...ops: Operation[]): this {
    this.assertUsable('evalAsync()');
    this.#assertIdle('evalAsync()');
    this.#throwUnobserved();
    if (ops.length > 0) {
      for (const op of ops) this.#checkOp(op);
      this.clear();
      this.#ops.push(...ops);
    }
    const batch = this.#ops.slice(this.#batchStart);
    this.#evaluated = true;
    for (const op of batch) op.validate('evaluating');
    this.#start(batch);
    return this;
  }

  /**
   * Waits for the evaluation in flight. Resolves true when it completed (or none was running),
   * false when `timeoutMs` passed first: the sequence then stays running, and a later
   * `evalAwait()` still finishes it. Rejects with the evaluation's error.
   */
  async evalAwait(timeoutMs?: number): Promise<boolean> {
    if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs >= 0))) {
      throw new ArgumentError('timeoutMs', `must be a non-negative number of milliseconds, got ${String(timeoutMs)}`);
    }
    const flight = this.#flight;
    if (!flight) {
      this.#throwUnobserved();
      return true;
    }
    const done = flight.promise.then(
      () => true as const,
      (error: unknown) => {
        flight.observed = true;
        throw error;
      },
    );
    if (timeoutMs === undefined) return done;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    done.catch(() => {});
    try {
      return await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** True while an evaluation is in flight. */
  isRunning(): boolean {
    return this.#flight !== null;
  }

  /** True when operations were recorded that no evaluation has run yet. */
  isRecording(): boolean {
    return !this.#evaluated && this.#ops.length > this.#batchStart;
  }

  /** Forgets every recorded operation. An evaluation in flight is not affected. */
  clear(): void {
    this.assertUsable('clear()');
    this.#ops = [];
    this.#batchStart = 0;
    this.#evaluated = false;
  }

  /**
   * Makes every operation recorded since `clear()` the batch again, checking each anew (for
   * instance after an algorithm was rebuilt or a tensor destroyed).
   */
  rerecord(): this {
    this.assertUsable('rerecord()');
    this.#assertIdle('rerecord()');
    for (const op of this.#ops) op.validate('re-recording');
    this.#batchStart = 0;
    this.#evaluated = false;
    return this;
  }

  /** The operations of the current batch. */
  getOperations(): readonly Operation[] {
    this.assertUsable('getOperations()');
    return this.#ops.slice(this.#batchStart);
  }

  /** Per-operation GPU times of the last completed evaluation (needs `{ timestamps: true }`). */
  getTimestamps(): readonly OpTiming[] {
    this.assertUsable('getTimestamps()');
    if (!this.#timestamps) {
      throw new StateError(`${this.label} was created without timestamps`, 'create it with mgr.sequence({ timestamps: true })');
    }
    return this.#timings;
  }

  protected override beforeRelease(): void {
    this.#flight?.abort(new DestroyedError(this.label, 'the evaluation in flight was cancelled'));
  }

  #checkOp(op: unknown): asserts op is Operation {
    if (!(op instanceof Operation)) throw new ArgumentError('op', 'expected an operation (OpSyncDevice, OpAlgoDispatch, ...)');
    op.validate('recording');
    for (const owned of [...op.tensors, ...op.algorithms]) {
      if (owned.owner !== this.context) throw new ArgumentError('op', `${op.name} uses ${owned.label}, which belongs to another manager`);
    }
  }

  /** An evaluation failed and nobody awaited it: the next call reports it rather than losing it. */
  #throwUnobserved(): void {
    const last = this.#lastFlight;
    if (last?.failure && !last.observed) {
      last.observed = true;
      throw last.failure.error;
    }
  }

  #assertIdle(action: string): void {
    if (this.#flight) {
      throw new StateError(`${this.label}.${action} while an evaluation is running`, 'await evalAwait() first, or use another sequence for concurrent work');
    }
  }

  #start(batch: Operation[]): void {
    let abort!: (error: unknown) => void;
    const aborted = new Promise<never>((_, reject) => {
      abort = reject;
    });
    const stopListening = this.context.onLost((error) => abort(error));
    const run = this.#run(batch);
    run.catch(() => {});
    const flight: Flight = { promise: run, abort, observed: false, failure: null };
    // Settle the bookkeeping inside the chain, before any awaiting caller resumes, so that
    // isRunning() is already false when `await seq.eval()` returns.
    const finish = (failure: { error: unknown } | null): void => {
      stopListening();
      flight.failure = failure;
      if (this.#flight === flight) this.#flight = null;
      this.#lastFlight = flight;
    };
    flight.promise = Promise.race([run, aborted]).then(
      () => finish(null),
      (error: unknown) => {
        finish({ error });
        throw error;
      },
    );
    flight.promise.catch(() => {});
    this.#flight = flight;
  }

  async #run(batch: Operation[]): Promise<void> {
    const context = this.context;
    const algorithms = new Set<Algorithm>();
    const coherent = new Set<Tensor>();
    let slots = 0;
    let dispatches = 0;
    for (const op of batch) {
      slots += op.pushSlots;
      for (const a of op.algorithms) {
        algorithms.add(a);
        dispatches++;
        for (const t of a.getTensors()) if (isCoherent(t)) coherent.add(t);
      }
      for (const t of op.tensors) if (isCoherent(t)) coherent.add(t);
    }
    // Fast path: nothing to wait for, so the submission happens before evalAsync() returns.
    if ([...algorithms].some((a) => !a.isCompiled)) await Promise.all([...algorithms].map((a) => a.whenCompiled()));
    await context.flushErrors();
    if (this.isDestroyed) throw new DestroyedError(this.label, 'evaluation');
    for (const op of batch) op.validate('evaluating');
    for (const t of coherent) {
      if (t.hostMirror?.busy) throw new StateError(`${t.label} is being transferred by another running evaluation`, 'await it first');
    }

    if (this.#timestamps && dispatches * 2 > MAX_TIMESTAMP_QUERIES) {
      throw new SizeError('batch', `${dispatches} timed dispatches exceed ${MAX_TIMESTAMP_QUERIES / 2}`, 'time fewer dispatches per batch');
    }
    const arena = this.#core.arena(slots);
    const queries = this.#timestamps && dispatches > 0 ? this.#core.timestamps(dispatches) : null;
    const device = context.device;
    let encoded: EncodeContext | null = null;
    const { error } = context.captureNow(`evaluating ${this.label}`, () => {
      const encoder = new EncodeContext(device.createCommandEncoder({ label: this.label }), arena, queries);
      encoded = encoder;
      for (const t of coherent) encoder.upload(t);
      batch.forEach((op, i) => {
        encoder.beginOp(i);
        op.encode(encoder);
      });
      for (const t of coherent) encoder.download(t);
      if (queries && encoder.timedOps.length > 0) {
        const bytes = encoder.timedOps.length * 16;
        encoder.encoder.resolveQuerySet(queries.querySet, 0, encoder.timedOps.length * 2, queries.resolve, 0);
        encoder.encoder.copyBufferToBuffer(queries.resolve, 0, queries.readback, 0, bytes);
      }
      if (arena && encoder.pushBytesUsed > 0) device.queue.writeBuffer(arena.buffer, 0, arena.bytes, 0, encoder.pushBytesUsed);
      device.queue.submit([encoder.finish()]);
    });
    const ctx = encoded as EncodeContext | null;
    const waits: Promise<unknown>[] = [...(ctx?.mirrors ?? [])].map((m) => m.settle());
    let timing: Promise<OpTiming[]> | null = null;
    if (queries && ctx && ctx.timedOps.length > 0) timing = this.#readTimings(queries.readback, ctx.timedOps, batch);
    if (waits.length === 0 && !timing) waits.push(device.queue.onSubmittedWorkDone());
    const [failure] = await Promise.all([error, timing, ...waits]);
    if (failure) throw failure;
    if (timing) this.#timings = await timing;
    else if (this.#timestamps) this.#timings = batch.map((op, index) => ({ index, op: op.name, ns: null }));
  }

  async #readTimings(readback: GPUBuffer, timedOps: readonly number[], batch: readonly Operation[]): Promise<OpTiming[]> {
    await readback.mapAsync(MapMode.READ, 0, timedOps.length * 16);
    const ticks = new BigUint64Array(readback.getMappedRange(0, timedOps.length * 16).slice(0));
    readback.unmap();
    const ns: (number | null)[] = batch.map(() => null);
    timedOps.forEach((opIndex, q) => {
      const elapsed = Number(ticks[2 * q + 1]! - ticks[2 * q]!);
      ns[opIndex] = (ns[opIndex] ?? 0) + Math.max(0, elapsed);
    });
    return batch.map((op, index) => ({ index, op: op.name, ns: ns[index] ?? null }));
  }
}
