import { Resource } from '../core/lifecycle.js';
import { ArgumentError, DestroyedError, type KomputeError, SizeError, StateError, UnsupportedError } from '../errors.js';
import type { DeviceContext } from '../core/device-context.js';
import type { Releasable } from '../core/registry.js';
import { Operation } from '../operations/operation.js';
import type { DispatchState } from '../algorithm/algorithm.js';
import { Recorder } from './recorder.js';
import { $create, assertCreationKey, assertSameManager, type CreationKey } from '../core/internal.js';
import type { HostCopy } from '../memory/host-copy.js';
import { SequenceCore } from './sequence-core.js';
import { type BatchPlan, claimHostCopies, PlanCache, planBatch } from './batch-plan.js';
import { Flights } from './flight.js';
import { encodeAndSubmit } from './submit.js';
import { type GpuSpan, MAX_TIMESTAMP_QUERIES, type OpTiming, readTimings, untimed } from './timestamps.js';
import { explainRunFailure } from './run-failure.js';

export type { OpTiming } from './timestamps.js';

/** Options of `mgr.sequence(...)`. */
export interface SequenceOptions {
  /** Time each dispatch on the GPU (needs the `timestamp-query` feature). */
  readonly timestamps?: boolean;
  /** Name used in error messages and WebGPU labels. */
  readonly label?: string;
}

const NO_ERROR: Promise<null> = Promise.resolve(null);
const NOT_RUN: Promise<boolean> = Promise.resolve(false);
const RAN: Promise<boolean> = Promise.resolve(true);
const NO_COPIES: readonly Promise<void>[] = Object.freeze([]);
const NO_BATCH: { readonly version: number; readonly ops: readonly Operation[] } = Object.freeze({ version: -1, ops: Object.freeze([]) });
/** The longest timer Node supports (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMEOUT_MS = 2_147_483_647;

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
  readonly #flights: Flights;
  #timings: OpTiming[] = [];
  /** Changes whenever the batch changes; with the context's epoch it tells whether a batch already validated. */
  #batchVersion = 0;
  #validated = { version: -1, epoch: -1 };
  /** The current batch's plan, forgotten when the batch changes or a resource is destroyed or rebuilt. */
  readonly #plan: PlanCache = new PlanCache();
  /** What a failed run reports (see {@link explainRunFailure}). */
  readonly #explain = (error: unknown): Promise<unknown> => explainRunFailure(this.context, error);
  /** What the last validated evaluation dispatched, for a batch of dispatches only (see #run). */
  #tape: { readonly version: number; readonly epoch: number; readonly steps: readonly DispatchState[] } | null = null;
  /** The current batch's operations (see {@link #batchOps}). */
  #batch: { readonly version: number; readonly ops: readonly Operation[] } = NO_BATCH;

  /** @internal Use `mgr.sequence()`; inside the library, {@link createSequence}. */
  constructor(key: CreationKey, context: DeviceContext, options: SequenceOptions = {}) {
    assertCreationKey(key, 'Sequence', 'mgr.sequence()');
    super(context, 'Sequence', options.label);
    this.#flights = new Flights(this.label);
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
      if (sequence) sequence.#flights.current?.abort(error);
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
    const flight = this.#flights.current!;
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
    const batch = this.#batchOps();
    this.#evaluated = true;
    const events = this.context.events;
    const started = events.enabled ? performance.now() : 0;
    for (const op of batch) op.validate('evaluating');
    const validated = events.enabled ? performance.now() : 0;
    const plan = this.#planFor(batch);
    if (events.enabled) {
      const planned = performance.now();
      events.emit('batch.validated', 'debug', `${batch.length} operations validated`, {
        source: this.label,
        time: started,
        duration: validated - started,
        data: { phase: 'validate', ops: batch.length },
      });
      events.emit('batch.planned', 'debug', `planned: ${plan.dispatches} dispatches`, {
        source: this.label,
        time: validated,
        duration: planned - validated,
        data: { phase: 'plan', dispatches: plan.dispatches },
      });
    }
    // Claim the host data now, before anything is awaited, so that data() and setData() cannot
    // slip in between evalAsync() and the encoding, and two sequences cannot move one tensor.
    const claimed: HostCopy[] = [];
    if (plan.transferred.length > 0) claimHostCopies(plan, claimed);
    this.#start(batch, plan, claimed, started);
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
    const flight = this.#flights.current;
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
    return this.#flights.current !== null;
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
    // The cached plan and batch reference the old batch's algorithms and tensors: keeping them
    // would keep objects the user dropped from being collected.
    this.#plan.entry = null;
    this.#batch = NO_BATCH;
    this.#tape = null;
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
    this.#flights.current?.abort(new DestroyedError(this.label, 'the evaluation in flight was cancelled'));
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
    this.#flights.throwUnobserved();
  }

  #assertIdle(action: string): void {
    this.#flights.assertIdle(action);
  }

  #start(batch: readonly Operation[], plan: BatchPlan, claimed: HostCopy[], started: number): void {
    // A raw WebGPU error that the device's loss explains is reported as the DeviceLostError (wgpu).
    // The explanation is a field: a closure made here would share this scope, and the settled
    // flight (kept to report a late failure) would keep the batch's operations alive through it.
    this.#flights.start(() => this.#run(batch, plan, claimed, started), claimed, this.#explain);
  }

  async #run(batch: readonly Operation[], plan: BatchPlan, claimed: HostCopy[], started: number): Promise<void> {
    const context = this.context;
    const events = context.events;
    const waitFrom = events.enabled ? performance.now() : 0;
    let waited = false;
    // Fast path: nothing to wait for, so the submission happens before evalAsync() returns.
    // Otherwise, while this waits, an algorithm of the batch may be rebuilt (a new pipeline to
    // compile, other tensors, push constants) or a tensor rebuilt: every wait is followed by a
    // fresh look at the batch, until nothing is left to wait for.
    let epoch = context.epoch;
    for (;;) {
      if (!allCompiled(plan.algorithms)) await Promise.all(plan.algorithms.map((a) => a.whenCompiled()));
      else if (context.hasPendingErrors) await context.flushErrors();
      else break;
      waited = true;
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
    if (events.enabled && waited) {
      events.emit('batch.waited', 'debug', 'waited for pipelines or pending error checks', {
        source: this.label,
        time: waitFrom,
        duration: performance.now() - waitFrom,
        data: { phase: 'compile-wait' },
      });
    }
    // A trace asks for GPU times of every dispatch, where the device can take them.
    const timed = this.#timestamps || (events.gpuTimes && context.features.has('timestamp-query') && plan.dispatches * 2 <= MAX_TIMESTAMP_QUERIES);

    // A validated batch of nothing but dispatches, unchanged since (same operations, nothing
    // rebuilt or destroyed: the same epoch), replays the commands its validated evaluation
    // recorded: the same calls a raw program makes, without encoding the operations again.
    const tape = this.#tape;
    if (tape !== null && tape.version === this.#batchVersion && tape.epoch === context.epoch && !timed && !events.enabled && context.syncCheck === null) {
      replay(context.device, tape.steps);
      await context.workDone();
      return;
    }

    const core = this.#core;
    const arena = core.arena.reserve(plan.layout);
    const queries = timed && plan.dispatches > 0 ? core.timestamps(plan.dispatches) : null;
    const report = events.enabled ? { events, label: this.label } : null;
    const device = context.device;
    // WebGPU reports validation errors through error scopes, at the cost of a GPU round trip. A
    // batch re-evaluated unchanged (same operations, no resource destroyed or rebuilt since)
    // produces the same commands and so validates the same: only its first evaluation is scoped.
    // External buffers can be destroyed behind our back, so batches with them are always scoped.
    const version = this.#batchVersion;
    epoch = context.epoch;
    const scoped = plan.hasExternal || this.#validated.version !== version || this.#validated.epoch !== epoch;
    // The label names the encoder in WebGPU's messages; a batch that validated already gets none
    // (Dawn spends on each labelled encoder).
    const encoder = new Recorder(scoped ? device.createCommandEncoder({ label: this.label }) : device.createCommandEncoder(), arena, plan.layout.pushSlots, queries);
    let error: Promise<KomputeError | null> = NO_ERROR;
    try {
      if (scoped) error = context.captureNow(`evaluating ${this.label}`, () => encodeAndSubmit(device.queue, encoder, batch, plan, arena, queries, report)).error;
      else encodeAndSubmit(device.queue, encoder, batch, plan, arena, queries, report);
    } catch (thrown) {
      // Nothing was submitted: give back the staging memory the encoding had claimed.
      await Promise.allSettled([...encoder.copies].map((copy) => copy.settle(Promise.resolve(), NOT_RUN)));
      throw thrown;
    }

    // One completion signal for the batch: the small-download map when there is one, else the
    // queue's work-done event.
    const ran = error === NO_ERROR ? RAN : error.then((e) => e === null);
    const submitted = events.enabled ? performance.now() : 0;
    const viaMap = encoder.downloadBytesUsed > 0;
    const batchDone: Promise<unknown> = viaMap ? core.arena.deliver(arena.readback!, encoder.downloadBytesUsed, encoder.deliveries, ran === RAN ? true : ran) : context.workDone();
    const settled = encoder.copies.size === 0 ? NO_COPIES : [...encoder.copies].map((copy) => copy.settle(batchDone, ran));
    const spans: GpuSpan[] | null = events.enabled ? [] : null;
    const timing = queries && encoder.timedOps.length > 0 ? readTimings(queries.readback, encoder.timedOps, batch, spans) : null;
    let completed = 0;
    if (events.enabled) {
      void batchDone.then(
        () => {
          completed = performance.now();
          const what = viaMap ? 'waited for the GPU and mapped the readback' : 'waited for the GPU (queue work done)';
          events.emit('map.waited', 'debug', what, {
            source: this.label,
            time: submitted,
            duration: completed - submitted,
            data: { phase: viaMap ? 'map' : 'gpu-wait', bytes: encoder.downloadBytesUsed },
          });
        },
        () => {},
      );
    }
    // The common case (a validated batch, nothing timed, no large host copies) waits on the one signal.
    let failure: KomputeError | null = null;
    if (error === NO_ERROR && timing === null && settled.length === 0) await batchDone;
    else [failure] = await Promise.all([error, batchDone, timing, ...settled]);
    if (failure) {
      this.#validated = { version: -1, epoch: -1 };
      if (events.enabled) events.emit('batch.failed', 'error', `the evaluation failed: ${failure.message}`, { source: this.label, data: { code: failure.code } });
      throw failure;
    }
    if (scoped) {
      this.#validated = { version, epoch };
      const steps = encoder.tape;
      // Only operations that promise to encode the same commands each time (see Operation.replayable).
      this.#tape = steps !== null && steps.length > 0 && !plan.hasExternal && batch.every((op) => op.replayable) ? { version, epoch, steps } : null;
    }
    const times = timing ? await timing : null;
    if (this.#timestamps) this.#timings = times ?? untimed(batch);
    if (events.enabled) {
      const end = performance.now();
      if (settled.length > 0 && completed > 0 && end - completed > 0.001) {
        events.emit('map.waited', 'debug', `mapped ${settled.length} host copies`, { source: this.label, time: completed, duration: end - completed, data: { phase: 'map', copies: settled.length } });
      }
      if (spans && spans.length > 0) {
        events.emit('gpu.timings', 'debug', `GPU times of ${spans.length} dispatches`, { source: this.label, data: { spans, submittedAt: submitted, completedAt: completed || end } });
      }
      const from = started || waitFrom;
      events.emit('batch.completed', 'info', `${batch.length} operations, ${plan.dispatches} dispatches`, {
        source: this.label,
        time: from,
        duration: end - from,
        data: { phase: 'eval', ops: batch.length, dispatches: plan.dispatches, scoped },
      });
    }
  }

  /** The current batch's operations, as one array kept while the batch is unchanged. */
  #batchOps(): readonly Operation[] {
    if (this.#batch.version !== this.#batchVersion) this.#batch = { version: this.#batchVersion, ops: this.#ops.slice(this.#batchStart) };
    return this.#batch.ops;
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
}

/** Encodes `steps` in one compute pass and submits them (the replay of a validated batch). */
function replay(device: GPUDevice, steps: readonly DispatchState[]): void {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  let pipeline: GPUComputePipeline | null = null;
  let group: GPUBindGroup | null = null;
  for (const step of steps) {
    if (step.pipeline !== pipeline) {
      pipeline = step.pipeline;
      pass.setPipeline(pipeline);
    }
    if (step.group !== group) {
      group = step.group;
      pass.setBindGroup(0, group);
    }
    for (const [index, other] of step.extra) pass.setBindGroup(index, other);
    pass.dispatchWorkgroups(step.workgroup[0], step.workgroup[1], step.workgroup[2]);
  }
  pass.end();
  device.queue.submit([encoder.finish()]);
}

function allCompiled(algorithms: readonly { readonly isCompiled: boolean }[]): boolean {
  for (const a of algorithms) if (!a.isCompiled) return false;
  return true;
}

/** The one creation path of a sequence: a sequence owned and tracked by the manager of `context`. */
export function createSequence(context: DeviceContext, options?: SequenceOptions): Sequence {
  return new Sequence($create, context, options);
}
