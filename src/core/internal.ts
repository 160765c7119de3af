/**
 * The library's private access to its resources. `$internal` is a module-private symbol: the
 * package entry points do not export it, so user code cannot name it, and every member keyed by
 * it is marked `@internal`, which `stripInternal` removes from the published declarations. What
 * other layers need of a resource (its device context, its guard) goes through it; the public
 * classes carry no `owner`-style escape hatch.
 * @module
 */
import { ArgumentError, StateError } from '../errors.js';
import type { DeviceContext } from './device-context.js';

/** The key of every resource's internals. Never exported from src/api.ts. */
export const $internal: unique symbol = Symbol('kompute-ts.internal');

/**
 * The key of the one creation path of each resource (`createTensor`, `createImage`,
 * `createAlgorithm`, `createSequence`, which the manager's factories, the kernels and `OpMult`
 * all use). Resource constructors take it first and refuse to run without it, so user code that
 * calls `new Tensor()` gets a {@link StateError} pointing at the manager, not a TypeError from deep
 * inside. Never exported from src/api.ts.
 */
export const $create: unique symbol = Symbol('kompute-ts.create');

/** The type of {@link $create}. */
export type CreationKey = typeof $create;

/** Throws unless a resource constructor was reached through its creation path (`key` is {@link $create}). */
export function assertCreationKey(key: unknown, kind: string, factory: string): void {
  if (key !== $create) {
    throw new StateError(`${/^[AEIOU]/.test(kind) ? 'an' : 'a'} ${kind} is created by its manager: new ${kind}() is not part of the API`, `use ${factory}`);
  }
}

/** What the library may use of any resource a manager created. */
export interface ResourceInternals {
  /** The device context (the manager's device, registry, ledger and pool) the resource belongs to. */
  readonly context: DeviceContext;
  /** The guard, as other parts of the library call it (an algorithm also checks its tensors). */
  assertUsable(action: string): void;
}

/** Anything carrying internals: every resource. */
interface HasInternals {
  readonly label: string;
  readonly [$internal]: ResourceInternals;
}

/**
 * The one same-manager rule: `resource` must belong to the manager of `context`. Every check that
 * mixes resources (binding, recording, operations, kernels) calls this, so the message is one.
 */
export function assertSameManager(argument: string, resource: HasInternals, context: DeviceContext, where: string): void {
  if (resource[$internal].context !== context) {
    throw new ArgumentError(argument, `${where}: ${resource.label} belongs to another manager`, 'use tensors, images, algorithms and sequences of one manager together');
  }
}
