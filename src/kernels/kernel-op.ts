import { $internal, assertSameManager } from '../core/internal.js';
import { withArticle } from '../core/options.js';
import { type Algorithm, createAlgorithm } from '../algorithm/algorithm.js';
import { ArgumentError, DTypeError } from '../errors.js';
import type { DeviceContext } from '../core/device-context.js';
import type { DType } from '../memory/dtype.js';
import { MemoryType } from '../memory/memory-type.js';
import { createTensor, Tensor } from '../memory/tensor.js';
import type { EncodeContext } from '../operations/encode-context.js';
import { Operation } from '../operations/operation.js';

const NO_TENSORS: readonly Tensor[] = Object.freeze([]);

/** One dispatch of a kernel: an algorithm, and push constants for this dispatch only. */
export interface KernelStep {
  readonly algorithm: Algorithm;
  /** Scratch tensors the kernel created for this step (manager-owned). */
  readonly scratch?: readonly Tensor[];
  readonly push?: Uint32Array | Int32Array | Float32Array;
}

/**
 * Base of the built-in kernels: an operation that records one or more dispatches. Like every
 * operation it owns no GPU memory: its algorithms (and the scratch tensors of multi-pass kernels)
 * are created through the tensors' manager, which owns them, counts them in `mgr.memory()` and
 * destroys them with itself. The operation only keeps them referenced, so they live at least as
 * long as the operation (and the sequences that record it).
 */
export abstract class KernelOp extends Operation {
  readonly #steps: readonly KernelStep[];
  readonly #algorithms: readonly Algorithm[];
  readonly #pushSlots: number;
  readonly #scratch: readonly Tensor[];

  protected constructor(steps: readonly KernelStep[]) {
    super();
    this.#steps = steps;
    this.#scratch = [...new Set(steps.flatMap((s) => s.scratch ?? []))];
    // One entry per dispatch: sequences count dispatches from this list.
    this.#algorithms = steps.map((s) => s.algorithm);
    this.#pushSlots = steps.filter((s) => s.push !== undefined || s.algorithm.pushData !== null).length;
  }

  /** Tensors are reached through the algorithms (as for OpAlgoDispatch), so none are listed here. */
  get tensors(): readonly Tensor[] {
    return NO_TENSORS;
  }

  override get algorithms(): readonly Algorithm[] {
    return this.#algorithms;
  }

  override get pushSlots(): number {
    return this.#pushSlots;
  }

  /** Resolves once every pipeline of the kernel is compiled (evaluations also wait for it). */
  async compiled(): Promise<this> {
    await Promise.all(this.#algorithms.map((a) => a.compiled()));
    return this;
  }

  /** The GPU-only scratch tensors the kernel created (owned by the manager, counted in `mgr.memory()`). */
  get scratch(): readonly Tensor[] {
    return this.#scratch;
  }

  /**
   * Destroys what the kernel created through the manager (its algorithms and scratch tensors), now
   * rather than when they are garbage collected or the manager is destroyed. The kernel cannot be
   * evaluated afterwards (DestroyedError); the tensors passed to it are untouched.
   */
  destroyResources(): void {
    for (const a of new Set(this.#algorithms)) a.destroy();
    for (const t of this.#scratch) t.destroy();
  }

  /** @internal */
  override get replayable(): boolean {
    return true;
  }

  encode(recorder: EncodeContext): void {
    for (const step of this.#steps) recorder.dispatch(step.algorithm, step.push ?? null);
  }
}

/** The manager context of `tensors`, checking that they are usable and share one manager. */
export function contextOf(kernel: string, named: Readonly<Record<string, Tensor>>): DeviceContext {
  let context: DeviceContext | null = null;
  for (const [name, t] of Object.entries(named)) {
    if (!(t instanceof Tensor)) throw new ArgumentError(name, `${kernel} expects a Tensor`, 'create tensors with mgr.tensor()');
    t[$internal].assertUsable(`creating ${kernel}`);
    if (context === null) context = t[$internal].context;
    else assertSameManager(name, t, context, `${kernel} (${name})`);
  }
  if (!context) throw new ArgumentError('tensors', `${kernel} needs at least one tensor`, 'pass the tensors the kernel works on');
  return context;
}

/** An algorithm owned by the manager of `context`, exactly like one made with `mgr.algorithm()`. */
export function kernelAlgorithm(context: DeviceContext, tensors: readonly Tensor[], wgsl: string, workgroup: readonly number[], label: string): Algorithm {
  return createAlgorithm(context, tensors, wgsl, { workgroup, label });
}

/**
 * A GPU-only scratch tensor for intermediate results (partial sums, block totals). It is a tensor
 * of the manager like any other: counted in `mgr.memory()`, destroyed with the manager, or freed
 * when the kernel that uses it is dropped and garbage collected.
 */
export function scratchTensor(context: DeviceContext, dtype: DType, size: number, label: string): Tensor {
  return createTensor(context, { dtype, size: Math.max(1, size), type: MemoryType.Storage, label });
}

/** Throws unless `t` has one of `dtypes`. */
export function checkDTypeIn(kernel: string, name: string, t: Tensor, dtypes: readonly DType[]): void {
  if (!dtypes.includes(t.dtype)) {
    throw new DTypeError(name, `${kernel} supports ${dtypes.join(', ')} tensors, but ${t.label} is ${t.dtype}`, `pass ${withArticle(dtypes.join(' or '))} tensor`);
  }
}

/** The `enable f16;` directive a shader over f16 values needs. */
export function enables(...dtypes: readonly string[]): string {
  return dtypes.includes('f16') ? 'enable f16;\n' : '';
}
