import { MapMode } from '../backends/webgpu-constants.js';
import { Resource } from '../core/lifecycle.js';
import type { Algorithm } from '../algorithm/algorithm.js';
import { ArgumentError, DestroyedError, type KomputeError, SizeError, StateError, UnsupportedError } from '../errors.js';
import type { DeviceContext, EpochCache } from '../core/device-context.js';
import type { Releasable } from '../core/registry.js';
import { isCoherent } from '../memory/tensor.js';
import type { Memory } from '../memory/memory.js';
import { Operation } from '../operations/operation.js';
import { type ArenaBuffers, Recorder } from './recorder.js';
import { assertSameManager } from '../core/internal.js';
import type { ArenaLayout } from './transfer-arena.js';
import type { HostSync } from '../memory/host-copy.js';
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
const NO_ERROR: Promise<null> = Promise.resolve(null);
const NOT_RUN: Promise<boolean> = Promise.resolve(false);
/** The longest timer Node supports (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMEOUT_MS = 2_147_483_647;

type QuerySlots = ReturnType<SequenceCore['timestamps']>;

/** What a batch needs, worked out before encoding it. */
interface BatchPlan {
  readonly algorithms: readonly Algorithm[];
  /** Host-coherent tensors and images, synced automatically around the batch. */
  readonly coherent: readonly Memory[];
  /** Every tensor and image whose host data the batch may move. */
  readonly transferred: readonly Memory[];
  /** Whether any tensor wraps a user's buffer. */
  readonly hasExternal: boolean;
  readonly dispatches: number;
  /** Upper bounds for the transfer arena (each small tensor counted once per direction per use). */
  readonly layout: ArenaLayout;
}

function planBatch(batch: readonly Operation[]): BatchPlan {
  const algorithms = new Set<Algorithm>();
  const coherent = new Set<Memory>();
  const transferred = new Set<Memory>();
  let pushSlots = 0;
  let dispatches = 0;
  let smallBytes = 0;
  const small = (t: Memory): number => t.arenaBytes;
  for (const op of batch) {
    pushSlots += op.pushSlots;
    for (const a of op.algorithms) {
      algorithms.add(a);
      dispatches++;
      for (const t of a.getTensors()) if (isCoherent(t)) coherent.add(t);
    }
    for (const t of op.tensors) {
      if (isCoherent(t)) coherent.add(t);
      transferred.add(t);
      smallBytes += small(t);
    }
  }
  let hasExternal = false;
  for (const t of coherent) {
    transferred.add(t);
    smallBytes += small(t);
  }
  for (const a of algorithms) for (const t of a.getTensors()) hasExternal ||= t.isExternal;
  for (const t of transferred) hasExternal ||= t.isExternal;
  return {
    hasExternal,
    algorithms: [...algorithms],
    coherent: [...coherent],
    transferred: [...transferred],
    dispatches,
    layout: { pushSlots, uploadBytes: smallBytes, downloadBytes: smallBytes },
  };
}

/**
 * Claims the host data of every tensor `plan` transfers that `claimed` does not hold yet (all or
 * none: a tensor another evaluation is moving fails the whole claim).
 */
function claimHostCopies(plan: BatchPlan, claimed: HostSync[]): void {
  const fresh: HostSync[] = [];
  for (const t of plan.transferred) {
    const copy = t.hostCopy;
    if (!copy || claimed.includes(copy) || fresh.includes(copy)) continue;
    if (copy.busy) throw new StateError(`${t.label} is being transferred by another running evaluation`, 'await that evaluation first');
    fresh.push(copy);
  }
  for (const copy of fresh) copy.claim();
  claimed.push(...fresh);
}

/** A sequence's cached batch plan; the context empties it when a resource is destroyed or rebuilt. */
class PlanCache implements EpochCache {
  entry: { readonly version: number; readonly plan: BatchPlan } | null = null;
  registered = false;

  forget(): void {
    this.entry = null;
    this.registered = false;
  }
}

/**
 * The error of an evaluation nobody awaited, as the next call reports it: a copy (same class,
 * code and hint; the original as `cause`) whose message says where it comes from, since it would
 * otherwise read like an error of the reporting call. A copy, because the original may be shared
 * (an algorithm's compile error is every sequence's).
 */
function reportedLate(error: unknown, sequence: string): unknown {
  if (!(error instanceof Error)) return error;
  const late = Object.create(Object.getPrototypeOf(error), Object.getOwnPropertyDescriptors(error)) as Error;
  late.message = `${error.message} [reported late: an earlier evaluation of ${sequence} failed and was not awaited]`;
  Object.defineProperty(late, 'cause', { value: error, writable: true, configurable: true });
  return late;
}

/** One evaluation in flight. */
interface Flight {
  readonly promise: Promise<void>;
  readonly abort: (error: unknown) => void;
  settled: boolean;
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
  /** Changes whenever the batch changes; with the context's epoch it tells whether a batch already validated. */
  #batchVersion = 0;
  #validated = { version: -1, epoch: -1 };
  /** The current batch's plan, forgotten when the batch changes or a resource is destroyed or rebuilt. */
  readonly #plan: PlanCache = new PlanCache();

  /** @internal Use `mgr.sequence()`. */
  constructor(context: DeviceContext, options: SequenceOptions = {}) {
    super(context, 'Sequence', options.label);
    this.#timestamps = options.timestamps === true;
    if (this.#timestamps && !context.features.has('timestamp-query')) {
      throw new UnsupportedError('this device has no timestamp-query feature, so sequences cannot be timed', 'create the sequence without timestamps');
    }
    this.#core = new SequenceCore(context, this.label);
    this.track('sequence', this.#core);
    // The context holds this listener, so it must not hold the sequence (which would then never
    // be collected): it reaches the flight in progress through a weak reference.
    const self = new WeakRef(this);
    this.#core.stopListening = context.onLost((error) => {
      const sequence = self.deref();
      if (sequence) sequence.#flight?.abort(error);
    });
  }

  /** @internal */
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
    this.#batchVersion++;
    return this;
  }

  /**
   * Evaluates the batch and waits for it. With operations: clears the sequence, records them and
   * evaluates them. Resolves when the GPU work and every transfer back to host data are done.
   */
  eval(...ops: Operation[]): Promise<this> {
    try {
      this.evalAsync(...ops);
    } catch (error) {
      return Promise.reject(error);
    }
    const flight = this.#flight!;
    return flight.promise.then(
      () => this,
      (error: unknown) => {
        flight.observed = true;
        throw error;
      },
    );
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
      this.#batchVersion++;
    }
    const batch = this.#ops.slice(this.#batchStart);
    this.#evaluated = true;
    for (const op of batch) op.validate('evaluating');
    const plan = this.#planFor(batch);
    // Claim the host data now, before anything is awaited, so that data() and setData() cannot
    // slip in between evalAsync() and the encoding, and two sequences cannot move one tensor.
    const claimed: HostSync[] = [];
    claimHostCopies(plan, claimed);
    this.#start(batch, plan, claimed);
    return this;
  }

  /**
   * Waits for the evaluation in flight. Resolves true when it completed (or none was running),
   * false when `timeoutMs` passed first: the sequence then stays running, and a later
   * `evalAwait()` still finishes it. Rejects with the evaluation's error.
   */
  async evalAwait(timeoutMs?: number): Promise<boolean> {
    this.assertUsable('evalAwait()');
    if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs >= 0 && timeoutMs <= MAX_TIMEOUT_MS))) {
      throw new ArgumentError('timeoutMs', `must be a finite number of milliseconds from 0 to ${MAX_TIMEOUT_MS}, got ${String(timeoutMs)}`, 'omit it to wait without a limit');
    }
    const flight = this.#flight;
    if (!flight) {
      this.#throwUnobserved();
      return true;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout =
      timeoutMs === undefined
        ? null
        : new Promise<false>((resolve) => {
            timer = setTimeout(() => resolve(false), timeoutMs);
          });
    try {
      return await (timeout ? Promise.race([flight.promise.then(() => true as const), timeout]) : flight.promise.then(() => true as const));
    } catch (error) {
      // Only a failure handed to this caller counts as observed: one that comes after the timeout
      // expired is still reported by the next call on this sequence.
      flight.observed = true;
      throw error;
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
    this.#batchVersion++;
    // The cached plan references the old batch's algorithms and tensors: keeping it would keep
    // objects the user dropped from being collected.
    this.#plan.entry = null;
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
    this.#batchVersion++;
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

  /** @internal */
  protected override beforeRelease(): void {
    this.#flight?.abort(new DestroyedError(this.label, 'the evaluation in flight was cancelled'));
  }

  #checkOp(op: unknown): asserts op is Operation {
    if (!(op instanceof Operation)) throw new ArgumentError('op', 'expected an operation (OpSyncDevice, OpAlgoDispatch, ...)', 'pass an instance of an Operation subclass');
    op.validate('recording');
    for (const owned of [...op.tensors, ...op.algorithms]) {
      assertSameManager('op', owned, this.context, `recording ${op.name} into ${this.label}`);
    }
  }

  /** An evaluation failed and nobody awaited it: the next call reports it rather than losing it. */
  #throwUnobserved(): void {
    const last = this.#lastFlight;
    if (last?.failure && !last.observed) {
      last.observed = true;
      throw reportedLate(last.failure.error, this.label);
    }
  }

  #assertIdle(action: string): void {
    if (this.#flight) {
      throw new StateError(`${this.label}.${action} while an evaluation is running`, 'await evalAwait() first, or use another sequence for concurrent work');
    }
  }

  #start(batch: Operation[], plan: BatchPlan, claimed: HostSync[]): void {
    // One promise per evaluation, settled by the run or, earlier, by an abort (destroy, device
    // loss). The bookkeeping happens before any awaiting caller resumes, so isRunning() is
    // already false when `await seq.eval()` returns.
    let settle!: (failure: { error: unknown } | null) => void;
    const flight: Flight = {
      promise: new Promise<void>((resolve, reject) => {
        settle = (failure) => {
          if (flight.settled) return;
          flight.settled = true;
          flight.failure = failure;
          if (this.#flight === flight) this.#flight = null;
          this.#lastFlight = flight;
          if (failure) reject(failure.error);
          else resolve();
        };
      }),
      abort: (error) => settle({ error }),
      observed: false,
      settled: false,
      failure: null,
    };
    flight.promise.catch(() => {});
    this.#flight = flight;
    const run = this.#run(batch, plan, claimed);
    // Released when the run itself ends (not at an abort): transfers in flight still need the data.
    void run
      .finally(() => {
        for (const copy of claimed) copy.unclaim();
      })
      .catch(() => {});
    run.then(
      () => settle(null),
      (error: unknown) => settle({ error }),
    );
  }

  async #run(batch: Operation[], plan: BatchPlan, claimed: HostSync[]): Promise<void> {
    const context = this.context;
    // Fast path: nothing to wait for, so the submission happens before evalAsync() returns.
    // Otherwise, while this waits, an algorithm of the batch may be rebuilt (a new pipeline to
    // compile, other tensors, push constants) or a tensor rebuilt: every wait is followed by a
    // fresh look at the batch, until nothing is left to wait for.
    let epoch = context.epoch;
    for (;;) {
      if (plan.algorithms.some((a) => !a.isCompiled)) await Promise.all(plan.algorithms.map((a) => a.whenCompiled()));
      else if (context.hasPendingErrors) await context.flushErrors();
      else break;
      this.#revalidate(batch);
      if (context.epoch !== epoch) {
        epoch = context.epoch;
        // Not cached: the sequence may have been cleared meanwhile, and its cache is for its batch now.
        plan = planBatch(batch);
        claimHostCopies(plan, claimed);
      }
    }
    if (this.#timestamps && plan.dispatches * 2 > MAX_TIMESTAMP_QUERIES) {
      throw new SizeError('batch', `${plan.dispatches} timed dispatches exceed ${MAX_TIMESTAMP_QUERIES / 2}`, 'time fewer dispatches per batch');
    }

    const core = this.#core;
    const arena = core.arena.reserve(plan.layout);
    const queries = this.#timestamps && plan.dispatches > 0 ? core.timestamps(plan.dispatches) : null;
    const device = context.device;
    const encoder = new Recorder(device.createCommandEncoder({ label: this.label }), arena, plan.layout.pushSlots, queries);
    // WebGPU reports validation errors through error scopes, at the cost of a GPU round trip. A
    // batch re-evaluated unchanged (same operations, no resource destroyed or rebuilt since)
    // produces the same commands and so validates the same: only its first evaluation is scoped.
    // External buffers can be destroyed behind our back, so batches with them are always scoped.
    const version = this.#batchVersion;
    epoch = context.epoch;
    const scoped = plan.hasExternal || this.#validated.version !== version || this.#validated.epoch !== epoch;
    let error: Promise<KomputeError | null> = NO_ERROR;
    try {
      if (scoped) error = context.captureNow(`evaluating ${this.label}`, () => this.#encodeAndSubmit(encoder, batch, plan, arena, queries)).error;
      else this.#encodeAndSubmit(encoder, batch, plan, arena, queries);
    } catch (thrown) {
      // Nothing was submitted: give back the staging memory the encoding had claimed.
      await Promise.allSettled([...encoder.copies].map((copy) => copy.settle(Promise.resolve(), NOT_RUN)));
      throw thrown;
    }

    // One completion signal for the batch: the small-download map when there is one, else the
    // queue's work-done event.
    const ran = error.then((e) => e === null);
    const batchDone: Promise<unknown> = encoder.downloadBytesUsed > 0 ? core.arena.deliver(arena.readback!, encoder.downloadBytesUsed, encoder.deliveries, ran) : context.workDone();
    const settled = [...encoder.copies].map((copy) => copy.settle(batchDone, ran));
    const timing = queries && encoder.timedOps.length > 0 ? this.#readTimings(queries.readback, encoder.timedOps, batch) : null;
    const [failure] = await Promise.all([error, batchDone, timing, ...settled]);
    if (failure) {
      this.#validated = { version: -1, epoch: -1 };
      throw failure;
    }
    if (scoped) this.#validated = { version, epoch };
    if (timing) this.#timings = await timing;
    else if (this.#timestamps) this.#timings = batch.map((op, index) => ({ index, op: op.name, ns: null }));
  }

  #encodeAndSubmit(encoder: Recorder, batch: readonly Operation[], plan: BatchPlan, arena: ArenaBuffers, queries: QuerySlots | null): void {
    const queue = this.context.device.queue;
    for (const t of plan.coherent) encoder.upload(t);
    for (let i = 0; i < batch.length; i++) {
      encoder.beginOp(i);
      batch[i]!.encode(encoder);
    }
    for (const t of plan.coherent) encoder.download(t);
    if (queries && encoder.timedOps.length > 0) {
      encoder.encoder.resolveQuerySet(queries.querySet, 0, encoder.timedOps.length * 2, queries.resolve, 0);
      encoder.encoder.copyBufferToBuffer(queries.resolve, 0, queries.readback, 0, encoder.timedOps.length * 16);
    }
    const commands = encoder.finish();
    // The upload buffer's single write lands before the batch runs; the batch copies out of it in order.
    if (encoder.uploadBytesUsed > 0) queue.writeBuffer(arena.upload!, 0, arena.hostUpload, 0, encoder.uploadBytesUsed);
    queue.submit([commands]);
  }

  /** The batch's plan, worked out again only when the batch or a resource changed. */
  #planFor(batch: readonly Operation[]): BatchPlan {
    const cached = this.#plan.entry;
    if (cached && cached.version === this.#batchVersion) return cached.plan;
    const plan = planBatch(batch);
    this.#plan.entry = { version: this.#batchVersion, plan };
    this.context.forgetAtNextEpoch(this.#plan);
    return plan;
  }

  #revalidate(batch: readonly Operation[]): void {
    if (this.isDestroyed) throw new DestroyedError(this.label, 'evaluation');
    for (const op of batch) op.validate('evaluating');
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
