import fc from 'fast-check';
import { type DT } from './kernels.js';
import { type Mem, Model, type SeqM } from './model.js';
import { afterStep, type Box, type Real, takeOutcomes } from './harness.js';

export const TYPED = { f32: Float32Array, i32: Int32Array, u32: Uint32Array } as const;
export const OTHER: Record<DT, DT> = { f32: 'i32', i32: 'u32', u32: 'f32' };

/** Push-constant values per dtype (f32 ones 0 or a power of two, see kernels.ts). */
const K_VALUES: Record<DT, readonly number[]> = { f32: [1, 2, -1, 0, -2], i32: [1, 2, -1, 0, 3, -7], u32: [1, 2, 0, 3, 0xffffffff] };
export const kFor = (dtype: DT, k: number): number => K_VALUES[dtype][k % K_VALUES[dtype].length]!;

/** 70% tiny (so sizes match often), 26% up to 300, 4% over 64 KiB (mapped staging). */
export function sizeFor(sizeClass: number, seed: number): number {
  if (sizeClass < 70) return [1, 2, 3, 4, 5, 8][seed % 6]!;
  if (sizeClass < 96) return 1 + (seed % 300);
  return [16385, 16400][seed % 2]!;
}

// ---- picking objects the program holds ----

export function heldOf<T extends { id: number; held: boolean }>(map: Map<number, T>): T[] {
  const out: T[] = [];
  for (const x of map.values()) if (x.held) out.push(x);
  return out;
}

export type TensorFilter = (t: { id: number; dtype: DT; size: number; mem: Mem }) => boolean;

/** While a {@link Burst} disturbs an evaluation: the objects it uses, picked first. */
let focus: { tensors: ReadonlySet<number>; algos: ReadonlySet<number> } | null = null;

/** Sets (or, with null, ends) the focus of the picks while a scenario disturbs an evaluation. */
export function setFocus(next: typeof focus): void {
  focus = next;
}

function focused<T extends { id: number }>(list: T[], ids: ReadonlySet<number> | undefined): T[] {
  if (!ids) return list;
  const f = list.filter((x) => ids.has(x.id));
  return f.length > 0 ? f : list;
}

export function pickTensor(m: Model, pick: number, preferAlive: boolean, filter?: TensorFilter): number | undefined {
  let list = focused(heldOf(m.tensors), focus?.tensors);
  if (preferAlive) {
    const alive = list.filter((t) => m.tensorAlive(t.id));
    if (alive.length > 0) list = alive;
  }
  if (filter) {
    const f = list.filter(filter);
    if (f.length > 0) list = f;
  }
  return list.length > 0 ? list[pick % list.length]!.id : undefined;
}

export function pickAlgo(m: Model, pick: number, preferAlive: boolean): number | undefined {
  let list = focused(heldOf(m.algos), focus?.algos);
  if (preferAlive) {
    const alive = list.filter((a) => m.algoUsable(a.id));
    if (alive.length > 0) list = alive;
  }
  return list.length > 0 ? list[pick % list.length]!.id : undefined;
}

export function pickSeq(m: Model, pick: number, preferAlive: boolean): number | undefined {
  let list = heldOf(m.seqs);
  if (preferAlive) {
    const alive = list.filter((s) => seqAlive(m, s));
    if (alive.length > 0) list = alive;
  }
  return list.length > 0 ? list[pick % list.length]!.id : undefined;
}

export function seqAlive(m: Model, s: SeqM): boolean {
  return !s.destroyed && s.mgr === m.mgr;
}

export const hasHeld = (map: Map<number, { held: boolean }>): boolean => {
  for (const x of map.values()) if (x.held) return true;
  return false;
};

export const tname = (id: number | undefined): string => (id === undefined ? 't?' : `t${id}`);
export const aname = (id: number): string => `a${id}`;
export const sname = (id: number): string => `s${id}`;

// ---- the command base ----

/** A step of a program: makes one call (or a few) and checks it; then the memory checks. */
export abstract class Step implements fc.AsyncCommand<Box, Real> {
  check(_box: Readonly<Box>): boolean {
    return true;
  }

  async run(box: Box, real: Real): Promise<void> {
    real.stats.steps++;
    // The call happens in a function of its own: once it returned, nothing on this stack holds
    // the objects a garbage-collection check may expect to be released.
    takeOutcomes();
    const what = await this.act(box, real);
    real.log.push(`${what} -> ${takeOutcomes()}`);
    await afterStep(box, real, what);
  }

  /** Makes the call(s), checks them against the model; returns a description with resolved ids. */
  protected abstract act(box: Box, real: Real): Promise<string>;

  /** Runs this step as part of a {@link Burst} (no memory checks in between). */
  actNow(box: Box, real: Real): Promise<string> {
    return this.act(box, real);
  }

  abstract toString(): string;
}

export const show = (p: object): string =>
  Object.entries(p)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? `'${v}'` : Array.isArray(v) || typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
