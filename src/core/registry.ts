import type { EventHub } from './events.js';
import { Stack } from './stack.js';
/** The GPU side of a resource: what must be released when the resource goes away. */
export interface Releasable {
  /** Frees the GPU objects. Called once, from destroy(), manager teardown or the finalizer. */
  release(): void;
}

/** The kinds of children a manager tracks, in the order the manager destroys them. */
export type ChildKind = 'sequence' | 'algorithm' | 'view' | 'tensor' | 'image' | 'sampler' | 'params';
const TEARDOWN_ORDER: readonly ChildKind[] = ['sequence', 'algorithm', 'view', 'tensor', 'image', 'sampler', 'params'];

/**
 * The kinds the manager's teardown destroys through their own destroy(), so the registry holds a
 * WeakRef to each: a sequence aborts its evaluation in flight. (A tensor's destroy() also
 * destroys its views, but they are tracked themselves.)
 */
const REACHED_AT_TEARDOWN: ReadonlySet<ChildKind> = new Set(['sequence']);

/** What the registry needs of a tracked resource. */
interface TrackedResource {
  destroy(): void;
}

/**
 * The manager's weak list of the resources it created. It never keeps a resource alive: when the
 * user drops one, the garbage collector takes it and the finalizer releases its GPU side, the
 * resource's {@link Releasable} core, which holds no reference back to the resource object.
 *
 * Built so that create/destroy churn costs no memory that stays (issue 16): each resource gets a
 * slot, a small integer reused once the resource is gone, in plain arrays (no Map whose tables
 * are reallocated as entries come and go, no entry object per resource). The finalizer is handed
 * the slot number, not the core (V8 keeps memory of every registration whose held value is an
 * object), and the resource is its own unregister token. A WeakRef to the resource, which keeps
 * it alive until the end of the current job (so a loop of create/destroy promotes thousands of
 * them out of V8's young generation and grows it), is kept only for the kinds whose destroy() must
 * run at teardown ({@link REACHED_AT_TEARDOWN}); the others are marked destroyed by the manager's
 * state (see `Resource.isDestroyed`), and at teardown their cores are released directly.
 */
export class ChildRegistry {
  /** Per slot: the core while the resource holds GPU objects, else null. */
  readonly #cores: (Releasable | null)[] = [];
  readonly #kinds: (ChildKind | null)[] = [];
  readonly #refs: (WeakRef<TrackedResource> | null)[] = [];
  /**
   * Per slot: true once teardown released a core whose resource is still registered with the
   * finalizer (it could not be unregistered: no reference to it); the slot is reused only after
   * the finalizer ran for it.
   */
  readonly #orphaned: boolean[] = [];
  /** Slots free for reuse. */
  readonly #free = new Stack<number>();
  readonly #counts: Record<ChildKind, number> = { sequence: 0, algorithm: 0, view: 0, tensor: 0, image: 0, sampler: 0, params: 0 };
  readonly #events: EventHub | undefined;
  readonly #finalizer = new FinalizationRegistry<number>((slot) => {
    if (this.#orphaned[slot]) {
      this.#orphaned[slot] = false;
      this.#free.push(slot);
      return;
    }
    const core = this.#cores[slot];
    if (!core) return;
    const kind = this.#kinds[slot]!;
    this.#clear(slot);
    this.#free.push(slot);
    core.release();
    if (this.#events?.enabled) this.#events.emit('resource.collected', 'debug', `a dropped ${kind} was garbage-collected and released`, { data: { kind } });
  });

  constructor(events?: EventHub) {
    this.#events = events;
  }

  /** Tracks `resource` (whose GPU side is `core`); returns its slot, which {@link remove} and {@link holds} take. */
  add(kind: ChildKind, resource: TrackedResource, core: Releasable): number {
    const slot = this.#free.pop() ?? this.#cores.length;
    this.#cores[slot] = core;
    this.#kinds[slot] = kind;
    this.#refs[slot] = REACHED_AT_TEARDOWN.has(kind) ? new WeakRef(resource) : null;
    this.#orphaned[slot] = false;
    this.#counts[kind]++;
    this.#finalizer.register(resource, slot, resource);
    return slot;
  }

  /** True while `slot` tracks `core` (false once it was removed, finalized or released by teardown). */
  holds(slot: number, core: Releasable): boolean {
    return this.#cores[slot] === core;
  }

  /** Forgets a resource that was destroyed explicitly (its owner releases the core). */
  remove(slot: number, resource: TrackedResource): void {
    if (!this.#cores[slot]) return;
    this.#clear(slot);
    this.#finalizer.unregister(resource);
    this.#free.push(slot);
  }

  /** How many resources of `kind` still hold GPU objects. */
  count(kind: ChildKind): number {
    return this.#counts[kind];
  }

  /**
   * Destroys every live child, sequences first, then algorithms, then tensors and images. A child
   * the registry holds a WeakRef to is destroyed through its own destroy(); the others (and
   * children already collected but not yet finalized) have their core released directly.
   */
  destroyAll(): void {
    for (const kind of TEARDOWN_ORDER) {
      for (let slot = 0; slot < this.#cores.length; slot++) {
        if (this.#kinds[slot] !== kind || !this.#cores[slot]) continue;
        this.#refs[slot]?.deref()?.destroy();
        const core = this.#cores[slot];
        if (!core) continue;
        this.#clear(slot);
        this.#orphaned[slot] = true;
        core.release();
        if (this.#events?.enabled) this.#events.emit('resource.destroyed', 'debug', `${kind} destroyed with its manager`, { data: { kind } });
      }
    }
  }

  #clear(slot: number): void {
    this.#counts[this.#kinds[slot]!]--;
    this.#cores[slot] = null;
    this.#kinds[slot] = null;
    this.#refs[slot] = null;
  }
}
