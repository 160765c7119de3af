import { BufferUsage } from '../backends/webgpu-constants.js';
import { AlgorithmBindingError, ArgumentError, DTypeError } from '../errors.js';
import { Resource } from '../core/lifecycle.js';
import type { DeviceContext } from '../core/device-context.js';
import type { Releasable } from '../core/registry.js';
import { encodeStruct, type StructLayout, type StructValues } from './struct-layout.js';
import { $create, assertCreationKey, type CreationKey } from '../core/internal.js';

/** Options of `mgr.params(...)`. */
export interface ParamsOptions {
  /** Name used in error messages and WebGPU labels. */
  readonly label?: string;
}

/** The GPU side of a parameter block: its uniform buffer, once its layout is known. */
class ParamsCore implements Releasable {
  buffer: GPUBuffer | null = null;
  constructor(private readonly context: DeviceContext) {}
  release(): void {
    this.context.ledger.destroy(this.buffer);
    this.buffer = null;
  }
}

function sameLayout(a: StructLayout, b: StructLayout): boolean {
  if (a.size !== b.size || a.fields.length !== b.fields.length) return false;
  return a.fields.every((f, i) => f.name === b.fields[i]!.name && f.type === b.fields[i]!.type && f.offset === b.fields[i]!.offset);
}

function isRecord(values: unknown): values is Readonly<Record<string, unknown>> {
  return typeof values === 'object' && values !== null && !Array.isArray(values) && !ArrayBuffer.isView(values);
}

/**
 * A parameter block: a uniform buffer filled from JavaScript values, laid out from the WGSL
 * struct it is bound to (`var<uniform> params: Params;`, or a `var<storage, read>` struct):
 * offsets, alignment, vector and matrix members, f32 / i32 / u32 / f16, integers range-checked.
 * Values are an object keyed by member name (`{ deltaT: 0.04, count: 64 }`) or numbers in member
 * order. The buffer is made when the block is first bound to an algorithm (its layout comes from
 * that shader); every later binding must declare the same struct. `set()` writes new values for
 * the evaluations submitted after it.
 */
export class ParamBlock extends Resource {
  readonly #core: ParamsCore;
  #values: StructValues;
  #layout: StructLayout | null = null;

  /** @internal Use `mgr.params(...)`; inside the library, {@link createParamBlock}. */
  constructor(key: CreationKey, context: DeviceContext, values: StructValues, options: ParamsOptions) {
    assertCreationKey(key, 'ParamBlock', 'mgr.params(...)');
    super(context, 'Params', options.label);
    this.#values = checkValues('values', values);
    this.#core = new ParamsCore(context);
    this.track('params', this.#core);
  }

  /** @internal */
  protected get core(): Releasable {
    return this.#core;
  }

  /** Always `params`. */
  get kind(): 'params' {
    return 'params';
  }

  /** Bytes of the uniform buffer (0 until the block is first bound). */
  get byteLength(): number {
    return this.#layout ? this.#core.buffer!.size : 0;
  }

  /** The struct it follows (its name), or null until it is first bound. */
  get structName(): string | null {
    return this.#layout?.name ?? null;
  }

  /** A copy of the values. */
  get(): StructValues {
    this.assertUsable('get()');
    return isRecord(this.#values) ? { ...this.#values } : Array.from(this.#values);
  }

  /**
   * New values: an object replaces the members it names (the rest keep theirs), numbers replace
   * all of them. Written to the GPU at once, for evaluations submitted after this call.
   */
  set(values: StructValues): void {
    this.assertUsable('set()');
    const given = checkValues('values', values);
    const merged = isRecord(given) && isRecord(this.#values) ? { ...this.#values, ...given } : given;
    if (this.#layout) this.#write(this.#layout, merged, 'values');
    this.#values = merged;
  }

  /** @internal */
  get generation(): number {
    return 0;
  }

  /** @internal Gives the block the layout of the struct at `where` (first binding), or checks it is the same. */
  shapeFor(layout: StructLayout, where: string, argument: string): void {
    if (this.#layout) {
      if (!sameLayout(this.#layout, layout)) {
        throw new AlgorithmBindingError(
          argument,
          `${where} is ${layout.name} but ${this.label} follows ${this.#layout.name} (another layout), from the algorithm it was first bound to`,
          'create one parameter block per struct',
        );
      }
      return;
    }
    const bytes = encodeStruct(layout, this.#values, 'values');
    const context = this.context;
    const size = Math.max(16, Math.ceil(bytes.byteLength / 16) * 16);
    this.#core.buffer = context.capture(`creating ${this.label}`, () =>
      context.ledger.create({ label: this.label, size, usage: BufferUsage.UNIFORM | BufferUsage.STORAGE | BufferUsage.COPY_DST }, 'params'),
    );
    context.device.queue.writeBuffer(this.#core.buffer, 0, bytes);
    this.#layout = layout;
  }

  /** @internal */
  bindingResource(): GPUBindingResource {
    return { buffer: this.#core.buffer! };
  }

  #write(layout: StructLayout, values: StructValues, argument: string): void {
    const bytes = encodeStruct(layout, values, argument);
    this.context.device.queue.writeBuffer(this.#core.buffer!, 0, bytes);
  }
}

function checkValues(argument: string, values: unknown): StructValues {
  if (isRecord(values)) {
    if (Object.getPrototypeOf(values) !== Object.prototype && Object.getPrototypeOf(values) !== null) {
      throw new ArgumentError(argument, 'expected a plain object of member values', 'pass { member: value, ... }');
    }
    return { ...values };
  }
  if (Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView))) {
    const list = Array.from(values as ArrayLike<unknown>);
    if (list.some((v) => typeof v !== 'number')) throw new DTypeError(argument, 'every value must be a number', 'pass numbers in member order, or { member: value }');
    return list as number[];
  }
  throw new ArgumentError(argument, `expected an object of member values or an array of numbers, got ${values === null ? 'null' : typeof values}`, 'e.g. mgr.params({ deltaT: 0.04, count: 64 })');
}

/** The one creation path of a parameter block (the manager's factory). */
export function createParamBlock(context: DeviceContext, values: StructValues, options: ParamsOptions): ParamBlock {
  return new ParamBlock($create, context, values, options);
}
