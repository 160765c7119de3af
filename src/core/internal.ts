/**
 * The library's private access to its resources. `$internal` is a module-private symbol: the
 * package entry points do not export it, so user code cannot name it, and every member keyed by
 * it is marked `@internal`, which `stripInternal` removes from the published declarations. What
 * other layers need of a resource (its device context, its guard) goes through it; the public
 * classes carry no `owner`-style escape hatch.
 * @module
 */
import { ArgumentError } from '../errors.js';
import type { DeviceContext } from './device-context.js';

/** The key of every resource's internals. Never exported from src/api.ts. */
export const $internal: unique symbol = Symbol('kompute-ts.internal');

/** What the library may use of any resource a manager created. */
export interface ResourceInternals {
  /** The device context (the manager's device, registry, ledger and pool) the resource belongs to. */
  readonly context: DeviceContext;
  /** The guard, as other parts of the library call it (an algorithm also checks its tensors). */
  assertUsable(action: string): void;
}

/** Anything carrying internals: every resource. */
export interface HasInternals {
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
