/** The GPU side of a resource: what must be released when the resource goes away. */
export interface Releasable {
  /** Frees the GPU objects. Called once, from destroy(), manager teardown or the finalizer. */
  release(): void;
}

/** The kinds of children a manager tracks, in the order the manager destroys them. */
export type ChildKind = 'sequence' | 'algorithm' | 'tensor' | 'image';
const TEARDOWN_ORDER: readonly ChildKind[] = ['sequence', 'algorithm', 'tensor', 'image'];

/** What the registry needs of a tracked resource. */
interface TrackedResource {
  destroy(): void;
}

interface Entry {
  readonly kind: ChildKind;
  readonly ref: WeakRef<TrackedResource>;
}

/**
 * The manager's weak list of the resources it created (seed principle 5). It never keeps a
 * resource alive: when the user drops one, the garbage collector takes it and the finalizer
 * releases its GPU side. Its held value is the resource's {@link Releasable} core, which holds no
 * reference back to the resource object.
 */
export class ChildRegistry {
  readonly #entries = new Map<Releasable, Entry>();
  readonly #finalizer = new FinalizationRegistry<Releasable>((core) => {
    if (this.#entries.delete(core)) core.release();
  });

  add(kind: ChildKind, resource: TrackedResource, core: Releasable): void {
    this.#entries.set(core, { kind, ref: new WeakRef(resource) });
    this.#finalizer.register(resource, core, core);
  }

  /** Forgets a resource that was destroyed explicitly (its owner releases the core). */
  remove(core: Releasable): void {
    this.#entries.delete(core);
    this.#finalizer.unregister(core);
  }

  /** How many resources of `kind` still hold GPU objects. */
  count(kind: ChildKind): number {
    let n = 0;
    for (const entry of this.#entries.values()) if (entry.kind === kind) n++;
    return n;
  }

  /**
   * Destroys every live child, sequences first, then algorithms, then tensors and images. Children already
   * collected but not yet finalized have their core released directly.
   */
  destroyAll(): void {
    for (const kind of TEARDOWN_ORDER) {
      for (const [core, entry] of [...this.#entries]) {
        if (entry.kind !== kind) continue;
        const resource = entry.ref.deref();
        if (resource) resource.destroy();
        if (this.#entries.has(core)) {
          this.remove(core);
          core.release();
        }
      }
    }
  }
}
