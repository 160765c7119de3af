import { DestroyedError } from '../errors.js';
import type { DeviceContext } from './device-context.js';
import { $internal, type ResourceInternals } from './internal.js';
import type { ChildKind, Releasable } from './registry.js';

/**
 * What every resource a manager creates shares: a label, an alive/destroyed state, one guard
 * that every public method calls first, and an idempotent, quiet `destroy()` that also serves
 * `using` declarations. Subclasses keep their GPU objects in a {@link Releasable} core, so the
 * manager's finalizer can free them after the resource object itself was collected.
 */
export abstract class Resource {
  /** Name used in error messages, e.g. `Tensor#3` or the label given at creation. */
  readonly label: string;
  /** @internal The device context of the manager that created this resource. */
  protected readonly context: DeviceContext;
  #destroyed = false;
  /** This resource's slot in the manager's registry (set by {@link track}). */
  #slot = -1;
  #internals: ResourceInternals | undefined;

  /** @internal */
  protected constructor(context: DeviceContext, kind: string, label: string | undefined) {
    this.context = context;
    this.label = label ?? context.nextLabel(kind);
  }

  /** @internal Starts tracking by the manager. Call at the end of the subclass constructor. */
  protected track(kind: ChildKind, core: Releasable): void {
    this.#slot = this.context.registry.add(kind, this, core);
    if (this.context.events.enabled) this.context.events.emit('resource.created', 'debug', `${kind} created`, { source: this.label, data: { kind } });
  }

  /** @internal Reports a rebuild (new data, shader or size) to the event stream. */
  protected reportRebuilt(what: string): void {
    if (this.context.events.enabled) this.context.events.emit('resource.rebuilt', 'debug', `rebuilt: ${what}`, { source: this.label });
  }

  /** @internal The GPU side of this resource. */
  protected abstract get core(): Releasable;

  /** True while the resource and its manager's device are usable. */
  isInit(): boolean {
    return !this.#destroyed && this.context.state === 'alive';
  }

  /**
   * True once `destroy()` ran, directly or through the manager (destroyed or its device lost: the
   * manager's teardown releases every child it still tracks, and the registry need not reach each
   * resource object for it).
   */
  get isDestroyed(): boolean {
    return this.#destroyed || this.context.state !== 'alive';
  }

  /**
   * Releases the GPU objects now. Idempotent and quiet: a second call, or a call after the
   * manager was destroyed, does nothing. After it, every other method throws {@link DestroyedError}.
   */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    const core = this.core;
    const registry = this.context.registry;
    // Released already by the manager's teardown (or never tracked): nothing left to do.
    if (!registry.holds(this.#slot, core)) return;
    this.context.bumpEpoch();
    this.beforeRelease();
    registry.remove(this.#slot, this);
    core.release();
    if (this.context.events.enabled) this.context.events.emit('resource.destroyed', 'debug', 'destroyed', { source: this.label });
  }

  /** @internal Hook for subclasses: runs once, just before the core is released. */
  protected beforeRelease(): void {}

  [Symbol.dispose](): void {
    this.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.destroy();
  }

  /** @internal The library's access to this resource (see src/core/internal.ts). */
  get [$internal](): ResourceInternals {
    this.#internals ??= { context: this.context, assertUsable: (action) => this.assertUsableBy(action) };
    return this.#internals;
  }

  /** @internal The guard as other parts of the library call it; a subclass may check more (an algorithm checks its tensors). */
  protected assertUsableBy(action: string): void {
    this.assertUsable(action);
  }

  /** The guard every public method calls first. */
  protected assertUsable(action: string): void {
    // Device loss comes first: it also destroys every resource, and is the cause worth reporting.
    if (this.context.state === 'lost') throw this.context.lostError(`${this.label}.${action}`);
    if (this.isDestroyed) throw new DestroyedError(this.label, action);
    this.context.assertAlive(`${this.label}.${action}`);
  }
}
