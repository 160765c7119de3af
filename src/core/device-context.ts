import { ShaderStage } from '../backends/webgpu-constants.js';
import { DestroyedError, DeviceLostError, OutOfMemoryError, ValidationError, type KomputeError } from '../errors.js';
import { type HostDataOption, type HostDataPlacement, resolveHostPlacement } from './host-placement.js';
import { DEFAULT_STAGING_POOL_BYTES, StagingPool } from './staging-pool.js';
import { BufferLedger } from './buffer-ledger.js';
import { ChildRegistry } from './registry.js';
import type { GPUBindGroupLayout, GPUDevice, GPUSupportedLimits } from '../backends/webgpu-types.js';
import { EventHub } from './events.js';

/**
 * Something computed from resources that a destroy or rebuild makes stale (a sequence's batch
 * plan). Forgetting it then matters beyond correctness: it may reference objects the user has
 * dropped since (an algorithm's tensors before its rebuild), which must stay collectable.
 */
export interface EpochCache {
  registered: boolean;
  forget(): void;
}

/**
 * Debug mode's sync checks (src/sequence/sync-check.ts), called where data moves: the encode
 * context for uploads, downloads and dispatches, `Tensor.data()` and `setData()` for host access.
 */
export interface SyncHooks {
  uploaded(memory: object): void;
  downloaded(memory: object): void;
  dispatched(algorithm: object): void;
  hostAccess(memory: object, write: boolean): void;
}

/** A one-off transfer of one tensor, evaluated on a sequence of its own (`tensor.read()` / `write()`). */
export type OneOffTransfer = (memory: object, direction: 'upload' | 'download') => Promise<void>;

/** Where the library's warnings go: `console.warn` unless the manager was given `onWarning`. */
export type WarningSink = (code: string, message: string) => void;

const consoleWarning: WarningSink = (code, message) => console.warn(`kompute-ts warning ${code}: ${message}`);

/** The state of a manager and of the device it uses. */
type ContextState = 'alive' | 'destroyed' | 'lost';

/**
 * What every resource of one manager shares: the device, the buffer ledger, the weak child
 * registry, the device's limits and features, and the capture of WebGPU errors. Resources
 * reference this context, never the Manager object, so ownership stays a tree with the
 * manager at its top.
 */
export class DeviceContext {
  readonly device: GPUDevice;
  readonly ledger: BufferLedger;
  /** Idle staging buffers kept for reuse, bounded. */
  readonly pool: StagingPool;
  /** The manager's event stream (off until someone listens). */
  readonly events = new EventHub();
  readonly registry = new ChildRegistry(this.events);
  readonly features: ReadonlySet<string>;
  readonly limits: GPUSupportedLimits;
  #state: ContextState = 'alive';
  #lostReason = '';
  #lostMessage = '';
  #pendingChecks: Promise<KomputeError | null>[] = [];
  readonly #lostListeners = new Set<(error: DeviceLostError) => void>();
  #nextId = 1;
  #epoch = 0;
  /** Caches that must forget what they hold when the epoch moves (see {@link EpochCache}). */
  readonly #epochCaches = new Set<WeakRef<EpochCache>>();
  /** Size of {@link #epochCaches} at which references to collected caches are swept out. */
  #sweepAt = 64;
  #pushLayout: GPUBindGroupLayout | undefined;
  /** Debug mode's checks, or null (debug off): see {@link SyncHooks}. Set by the manager. */
  syncCheck: SyncHooks | null = null;
  /** Runs `tensor.read()` / `write()`; installed by the manager, which owns the sequences. */
  transfer: OneOffTransfer | null = null;
  #warn: WarningSink = consoleWarning;
  #hostData: HostDataOption;
  #hostPlacement: HostDataPlacement | undefined;

  constructor(device: GPUDevice, stagingPoolBytes = DEFAULT_STAGING_POOL_BYTES, hostData: HostDataOption = 'auto') {
    this.device = device;
    this.#hostData = hostData;
    this.ledger = new BufferLedger(device);
    this.pool = new StagingPool(this.ledger, stagingPoolBytes, this.events);
    this.features = new Set(device.features as unknown as Iterable<string>);
    this.limits = device.limits;
  }

  /**
   * A warning for the user (a debug-mode sync trap, a misuse that still works): given to the
   * warning sink (`console.warn`, or the manager's `onWarning`) and sent as an event of kind
   * `warning` at level `warn` with `code` in its data. `code` is stable, `message` is for people.
   */
  warn(code: string, message: string, source?: string): void {
    this.#warn(code, message);
    if (this.events.enabled) this.events.emit('warning', 'warn', message, { ...(source === undefined ? {} : { source }), data: { code } });
  }

  /** Sends warnings to `sink` instead of `console.warn`. */
  setWarningSink(sink: WarningSink): void {
    this.#warn = sink;
  }

  /** Where large tensors keep their host data (the `hostData` option; `'auto'` is measured once, on first use). */
  get hostPlacement(): HostDataPlacement {
    this.#hostPlacement ??= resolveHostPlacement(this.device, this.#hostData);
    return this.#hostPlacement;
  }

  get state(): ContextState {
    return this.#state;
  }

  /**
   * Increments whenever a resource is destroyed or rebuilt. A batch that validated once validates
   * again as long as the epoch and the batch are unchanged, so re-evaluations can skip WebGPU's
   * error scopes (a GPU round trip each).
   */
  get epoch(): number {
    return this.#epoch;
  }

  bumpEpoch(): void {
    this.#epoch++;
    // No iterator made when nothing registered (every destroy bumps the epoch).
    if (this.#epochCaches.size === 0) return;
    for (const ref of this.#epochCaches) ref.deref()?.forget();
    this.#epochCaches.clear();
  }

  /**
   * Has `cache` forget its content at the next epoch change. Held weakly, and once per epoch:
   * a cache that registers again before the epoch moves is not added twice.
   */
  forgetAtNextEpoch(cache: EpochCache): void {
    if (cache.registered) return;
    cache.registered = true;
    this.#epochCaches.add(new WeakRef(cache));
    // Without destroys or rebuilds the epoch never moves: sweep out the caches (sequences) the
    // garbage collector took meanwhile, so the set follows the live ones.
    if (this.#epochCaches.size >= this.#sweepAt) {
      for (const ref of this.#epochCaches) if (!ref.deref()) this.#epochCaches.delete(ref);
      this.#sweepAt = Math.max(64, 2 * this.#epochCaches.size);
    }
  }

  /** A fresh label such as `Tensor#4`. */
  nextLabel(kind: string): string {
    return `${kind}#${this.#nextId++}`;
  }

  /** Throws unless the manager and its device are usable. */
  assertAlive(action: string): void {
    if (this.#state === 'destroyed') throw new DestroyedError('Manager', action);
    if (this.#state === 'lost') throw this.lostError(action);
  }

  lostError(action?: string): DeviceLostError {
    return new DeviceLostError(this.#lostReason || 'unknown', this.#lostMessage, action);
  }

  /** Called once when the device is lost for a reason other than our own teardown. */
  markLost(reason: string, message: string): void {
    if (this.#state !== 'alive') return;
    this.#state = 'lost';
    this.#lostReason = reason;
    this.#lostMessage = message;
    const error = this.lostError();
    if (this.events.enabled) this.events.emit('device.lost', 'error', error.message, { data: { reason } });
    for (const listener of [...this.#lostListeners]) listener(error);
  }

  markDestroyed(): void {
    this.#state = 'destroyed';
  }

  /** Destroys every buffer still counted, the staging pool's included (the manager is going away). */
  destroyBuffers(): void {
    this.pool.trim();
    this.ledger.destroyAll();
  }

  /** Registers a callback run when the device is lost; returns its removal. */
  onLost(listener: (error: DeviceLostError) => void): () => void {
    this.#lostListeners.add(listener);
    return () => this.#lostListeners.delete(listener);
  }

  /**
   * Runs `fn` inside validation and out-of-memory error scopes. WebGPU reports such errors
   * asynchronously; the check is queued and thrown by the next {@link flushErrors} (every
   * evaluation flushes), so no error is lost or only printed.
   */
  capture<T>(action: string, fn: () => T): T {
    const check = this.#scoped(action, fn);
    this.#pendingChecks.push(check.error);
    return check.result;
  }

  /** Like {@link capture}, but returns the check for the caller to await itself. */
  captureNow<T>(action: string, fn: () => T): { result: T; error: Promise<KomputeError | null> } {
    return this.#scoped(action, fn);
  }

  /** True when captured calls may still report errors. */
  get hasPendingErrors(): boolean {
    return this.#pendingChecks.length > 0;
  }

  /** Awaits the errors of earlier captured calls and throws the first one. */
  async flushErrors(): Promise<void> {
    if (this.#pendingChecks.length === 0) return;
    const checks = this.#pendingChecks;
    this.#pendingChecks = [];
    const errors = await Promise.all(checks);
    const first = errors.find((e) => e !== null);
    if (first) throw first;
  }

  /**
   * Resolves when the GPU finished everything submitted so far. Asked right after the submit on
   * purpose: on Dawn (webgpu 0.6.2, H100) deferring `onSubmittedWorkDone` by even a microtask
   * delayed completion by about 100 µs per evaluation (bench/probes/completion.ts), more than
   * sharing one call between sequences saved.
   */
  workDone(): Promise<void> {
    return this.device.queue.onSubmittedWorkDone();
  }

  /** The bind-group layout of the push-constant uniform, `@group(1) @binding(0)`, shared by all algorithms. */
  get pushLayout(): GPUBindGroupLayout {
    this.#pushLayout ??= this.device.createBindGroupLayout({
      label: 'kompute-ts push constants',
      entries: [{ binding: 0, visibility: ShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } }],
    });
    return this.#pushLayout;
  }

  #scoped<T>(action: string, fn: () => T): { result: T; error: Promise<KomputeError | null> } {
    const device = this.device;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let error: Promise<KomputeError | null> | undefined;
    try {
      return { result: fn(), error: (error = this.#popScopes(action)) };
    } finally {
      // A throwing fn (e.g. a failed mappedAtCreation) must still leave the scope stack balanced.
      if (!error) void this.#popScopes(action);
    }
  }

  #popScopes(action: string): Promise<KomputeError | null> {
    const validation = this.device.popErrorScope().catch(() => null);
    const memory = this.device.popErrorScope().catch(() => null);
    return Promise.all([validation, memory]).then(([v, m]): KomputeError | null => {
      if (this.#state === 'lost') return this.lostError(action);
      if (v) return new ValidationError(action, v.message);
      if (m) return new OutOfMemoryError(action, m.message);
      return null;
    });
  }
}
