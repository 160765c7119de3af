import type { Algorithm } from '../algorithm/algorithm.js';
import type { EpochCache } from '../core/device-context.js';
import { StateError } from '../errors.js';
import type { HostCopy } from '../memory/host-copy.js';
import type { Memory } from '../memory/memory.js';
import { isCoherent } from '../memory/tensor.js';
import type { Operation } from '../operations/operation.js';
import type { ArenaLayout } from './transfer-arena.js';

/** What a batch needs, worked out before encoding it. */
export interface BatchPlan {
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

export function planBatch(batch: readonly Operation[]): BatchPlan {
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
export function claimHostCopies(plan: BatchPlan, claimed: HostCopy[]): void {
  const fresh: HostCopy[] = [];
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
export class PlanCache implements EpochCache {
  entry: { readonly version: number; readonly plan: BatchPlan } | null = null;
  registered = false;

  forget(): void {
    this.entry = null;
    this.registered = false;
  }
}
