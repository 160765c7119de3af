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
  #internals: ResourceInternals | undefined;

  /** @internal */
  protected constructor(context: DeviceContext, kind: string, label: string | undefined) {
    this.context = context;
    this.label = label ?? context.nextLabel(kind);
  }

  /** @internal Starts tracking by the manager. Call at the end of the subclass constructor. */
  protected track(kind: ChildKind, core: Releasable): void {
    this.context.registry.add(kind, this, core);
  }

  /** @internal The GPU side of this resource. */
  protected abstract get core(): Releasable;

  /** True while the resource and its manager's device are usable. */
  isInit(): boolean {
    return !this.#destroyed && this.context.state === 'alive';
  }

  /** True once `destroy()` ran (directly or through the manager). */
  get isDestroyed(): boolean {
    return this.#destroyed;
  }

  /**
   * Releases the GPU objects now. Idempotent and quiet: a second call, or a call after the
   * manager was destroyed, does nothing. After it, every other method throws {@link DestroyedError}.
   */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.context.bumpEpoch();
    this.beforeRelease();
    const core = this.core;
    this.context.registry.remove(core);
    core.release();
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
    if (this.#destroyed) throw new DestroyedError(this.label, action);
    this.context.assertAlive(`${this.label}.${action}`);
  }
}
